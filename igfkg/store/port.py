"""What the services (explore, quality, literature, release) may ask of a knowledge graph.

Services take a :class:`GraphPort`, never the front door's class, so imports run one way
(cli → graph → services → store → core). :class:`~igfkg.graph.KnowledgeGraph` implements it.
A backend declares what it can do in :class:`Capabilities`, so no service asks which class or
engine a backend is.

>>> import igfkg
>>> isinstance(igfkg.open(), GraphPort)
True
>>> igfkg.open().backend.capabilities
Capabilities(local=True, private=True, engine='oxigraph', bulk_writes=True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pyoxigraph as ox

from igfkg.core.results import Result, Term

if TYPE_CHECKING:
    from igfkg.store.base import Backend

__all__ = ["Capabilities", "GraphPort"]


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do.

    ``local``: igfkg holds the data in this process and maintains what is derived from it (the
    literature index, the OWL 2 RL closure); a remote endpoint is used as loaded.
    ``private``: nothing but this process can change it between two calls (in memory).
    ``engine``: whose SPARQL engine answers: ``oxigraph`` in process (compiled SHACL runs
    there), ``rdflib``, or ``remote``.
    ``bulk_writes``: takes a parsed file's triples in one call (literature ingest).
    """

    local: bool
    private: bool
    engine: str
    bulk_writes: bool = False


@runtime_checkable
class GraphPort(Protocol):
    """The narrow interface services use: queries, name resolution, loading, derived state."""

    @property
    def backend(self) -> Backend:
        """The store, for its capabilities and quad-level access."""
        ...

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        """Run a SELECT or ASK query with ``bindings`` bound as RDF terms."""
        ...

    def sparql(
        self, text: str, bindings: Mapping[str, Term] | None = None
    ) -> Result | list[ox.Triple]:
        """Run any read-only query."""
        ...

    def resolve(self, name: str) -> ox.NamedNode:
        """The IRI of an entity given by IRI, CURIE, identifier, label or synonym."""
        ...

    def mesh_descriptor(self, name: str) -> ox.NamedNode:
        """The MeSH descriptor of an entity."""
        ...

    def load(self, path: str | Path, *, graph: str, fmt: str | None = None) -> None:
        """Load an RDF file into a named graph."""
        ...

    def has_inferred(self) -> bool:
        """True if the OWL 2 RL closure is in the store."""
        ...

    def materialize(self) -> int:
        """Write the OWL 2 RL closure into its named graph."""
        ...

    def ensure_literature_index(self) -> int:
        """Bring the literature index up to date (on a local store; a remote one is used as
        loaded)."""
        ...

    def changed(self) -> None:
        """Say that the data changed: forget what was derived from it."""
        ...
