"""What the literature reader knows: names with the concepts each stands for, and the curated
claims. Built from the graph by :mod:`igfkg.explore.vocabulary` (the name resolver's names),
read by :mod:`igfkg.literature.reading`.

>>> v = Vocabulary(names=(("IGF-I", ("https://w3id.org/igfkg/kb/igf-1",)),))
>>> len(v.digest)
64
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

__all__ = ["Vocabulary"]


@dataclass(frozen=True)
class Vocabulary:
    """Names with the concepts (IRIs) each stands for, and the curated claims as (claim
    identifier, subject, object). A concept list is ordered: its first IRI is the mention's
    entity (a graph entity before the MeSH descriptor it matches exactly)."""

    names: tuple[tuple[str, tuple[str, ...]], ...]
    claims: tuple[tuple[str, str, str], ...] = ()

    @cached_property
    def digest(self) -> str:
        """A SHA-256 of the names and claims (what a reading depends on besides the method)."""
        h = hashlib.sha256()
        for name, concepts in sorted(self.names):
            h.update(f"\x00{name}\x01{chr(2).join(concepts)}".encode())
        for claim in sorted(self.claims):
            h.update(("\x03" + "\x01".join(claim)).encode())
        return h.hexdigest()
