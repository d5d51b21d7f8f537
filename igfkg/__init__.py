"""igfkg: a knowledge graph of the GH–IGF-1 axis in diabetes mellitus.

>>> import igfkg
>>> kg = igfkg.open()
>>> [r["effectLabel"].value for r in kg.query("adverse-effects")][:2]
['arthralgia', 'hypotension']
"""

from __future__ import annotations

from igfkg.core.errors import (
    DataFileError,
    IgfkgError,
    ParameterError,
    QueryError,
    ReadOnlyError,
    UnknownNameError,
    UnknownQueryError,
)
from igfkg.core.results import Result, Row
from igfkg.core.version import VERSION
from igfkg.graph import BACKENDS, KnowledgeGraph, open

__all__ = [
    "BACKENDS",
    "DataFileError",
    "IgfkgError",
    "KnowledgeGraph",
    "ParameterError",
    "QueryError",
    "ReadOnlyError",
    "Result",
    "Row",
    "UnknownNameError",
    "UnknownQueryError",
    "open",
]

__version__ = VERSION
