"""igfkg's version: the one in pyproject.toml (a test keeps them equal), which names the release
in VoID and is what ``igfkg --version`` prints.

>>> VERSION
'0.1.0'
"""

from __future__ import annotations

__all__ = ["VERSION"]

VERSION = "0.1.0"
