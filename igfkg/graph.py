"""The knowledge graph: one front door, :func:`open`, over a chosen backend.

>>> kg = open()
>>> kg.resolve("somatomedin C").value
'https://w3id.org/igfkg/kb/igf-1'
>>> kg.resolve("UniProtKB:P05019").value
'https://w3id.org/igfkg/kb/igf-1'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import pyoxigraph as ox

from igfkg.core import resources, sparql
from igfkg.core.errors import ConfigError, ParameterError
from igfkg.core.iri import iri_node
from igfkg.core.namespaces import (
    GRAPH_ONTOLOGY,
    expand_curie,
)
from igfkg.core.results import Result, Term
from igfkg.explore import names
from igfkg.store.base import Backend, load_bundled
from igfkg.store.oxigraph import OxigraphBackend
from igfkg.store.rdflibstore import RdflibBackend

if TYPE_CHECKING:
    import rdflib

    from igfkg.core.vocabulary import Vocabulary
    from igfkg.explore.describe import Description
    from igfkg.explore.search import NameIndex, SearchHit
    from igfkg.explore.traversal import Edge
    from igfkg.literature.evidence import ReadStats
    from igfkg.quality.shacl import Report
    from igfkg.quality.validation import ValidationReport

    #: Shapes for :meth:`KnowledgeGraph.validate`: an RDF file, an rdflib Graph, or several.
    ShapesArg = str | Path | rdflib.Graph | Sequence[str | Path | rdflib.Graph]

__all__ = ["BACKENDS", "KnowledgeGraph", "open", "validate_files"]

BACKENDS = ("oxigraph", "rdflib")
#: Every backend the front door knows; ``sparql:URL`` is a remote endpoint (not bundled-loaded).
ALL_BACKENDS = (*BACKENDS, "sparql")


def open(
    spec: str = "oxigraph:",
    *,
    bundled: bool = True,
    allow_insecure_auth: bool = False,
    read_only: bool = False,
) -> KnowledgeGraph:
    """Open a knowledge graph: ``oxigraph:`` (memory), ``oxigraph:PATH`` (disk), ``rdflib:``, or
    ``sparql:URL`` (a remote SPARQL 1.1 endpoint, used as it is; credentials in the URL go over
    https only, unless ``allow_insecure_auth``).

    The bundled ontology and knowledge base are loaded unless ``bundled=False``; a persistent
    store that already holds data is used as it is. ``read_only`` opens a persistent store
    without taking its lock (other read-only openers may share it; nothing can be written).

    >>> open("neo4j:")
    Traceback (most recent call last):
    ...
    igfkg.core.errors.ConfigError: unknown backend 'neo4j'; known backends: oxigraph, rdflib, sparql
    """
    kind, _, location = spec.partition(":")
    backend: Backend
    if kind == "oxigraph":
        if read_only and not location:
            raise ConfigError("read_only needs a persistent store: 'oxigraph:PATH'")
        backend = OxigraphBackend(Path(location) if location else None, read_only=read_only)
    elif kind == "rdflib":
        if location:
            raise ConfigError("the rdflib backend is in memory only; use 'rdflib:'")
        backend = RdflibBackend()
    elif kind == "sparql":
        from igfkg.store.remote import SparqlBackend

        return KnowledgeGraph(SparqlBackend(location, allow_insecure_auth=allow_insecure_auth))
    else:
        raise ConfigError(f"unknown backend {kind!r}; known backends: {', '.join(ALL_BACKENDS)}")
    kg = KnowledgeGraph(backend)
    if bundled and not read_only and backend.is_empty():
        kg.load_bundled()
    return kg


@overload
def validate_files(
    paths: list[Path], engine: str = ..., *, shapes: None = None, with_ontology: bool = ...
) -> ValidationReport: ...


@overload
def validate_files(
    paths: list[Path], engine: str = ..., *, shapes: ShapesArg, with_ontology: bool = ...
) -> Report: ...


def validate_files(
    paths: list[Path],
    engine: str = "auto",
    *,
    shapes: ShapesArg | None = None,
    with_ontology: bool = False,
) -> ValidationReport | Report:
    """Validate RDF data files against the bundled shapes, with the bundled ontology (a
    :class:`~igfkg.quality.validation.ValidationReport`); or, given ``shapes`` (files or rdflib
    graphs), against those, with the bundled ontology only if ``with_ontology`` (a
    :class:`~igfkg.quality.shacl.Report`).

    >>> validate_files([]).conforms
    True
    """
    from igfkg.quality.validation import ENGINES, validate_loaded

    if shapes is not None:
        from igfkg.quality.validation import validate_shapes

        files = [*paths, *(resources.ontology_files() if with_ontology else [])]
        return validate_shapes(files, _shapes_graph(shapes), engine)
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    kg = open("oxigraph:", bundled=False)
    if engine != "pyshacl":
        for path in resources.ontology_files():
            kg.load(path, graph=GRAPH_ONTOLOGY)
        for path in paths:
            kg.load(path, graph="https://w3id.org/igfkg/graph/validate")
    return validate_loaded(kg, list(paths), engine)


def _shapes_graph(shapes: ShapesArg) -> rdflib.Graph:
    """One rdflib Graph of shapes given as a graph, a file, or a list of them."""
    import rdflib

    from igfkg.quality.validation import read_rdf

    items = [shapes] if isinstance(shapes, str | Path | rdflib.Graph) else list(shapes)
    out = rdflib.Graph()
    files = [Path(item) for item in items if not isinstance(item, rdflib.Graph)]
    if files:
        out += read_rdf(files)
    for item in items:
        if isinstance(item, rdflib.Graph):
            out += item
    return out


def default_spec() -> str:
    """The store named by ``IGFKG_STORE`` (a path), else the in-memory Oxigraph store."""
    from igfkg.core.config import settings

    path = settings().store
    return f"oxigraph:{path}" if path else "oxigraph:"


class KnowledgeGraph:
    """The igfkg graph on one backend: canned and ad-hoc queries, lookup, traversal, checks."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._resolved: dict[str, ox.NamedNode] = {}
        self._names: NameIndex | None = None
        # True once the literature index was checked current on a private (in-memory) store;
        # every igfkg write path resets it (see changed).
        self._index_current = False

    @property
    def backend(self) -> Backend:
        """The store behind the graph."""
        return self._backend

    def __repr__(self) -> str:
        return f"KnowledgeGraph(backend={self.backend.name!r}, quads={len(self.backend)})"

    def __len__(self) -> int:
        return len(self.backend)

    def load_bundled(self) -> None:
        """Load the bundled ontology and knowledge base into their named graphs."""
        load_bundled(self.backend)
        self.changed()

    def load(self, path: str | Path, *, graph: str, fmt: str | None = None) -> None:
        """Load an RDF file into the named graph ``graph``; a bad file changes nothing."""
        graph = iri_node(graph, "graph").value
        self.backend.load_file(Path(path), graph, fmt)
        self.changed()
        if self._local():
            from igfkg.literature.index import drop_update

            self.backend.update(drop_update(graph))  # recounted when next needed

    # -- queries -------------------------------------------------------------------------

    def sparql(
        self, text: str, bindings: Mapping[str, Term] | None = None
    ) -> Result | list[ox.Triple]:
        """Run read-only SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE); updates are refused.

        >>> kg = open()
        >>> bool(kg.sparql("ASK { ?s a <https://w3id.org/igfkg/Drug> }"))
        True
        """
        return self.backend.query(text, bindings)

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
        """Run a SELECT (or ASK) query and return its Result."""
        return self.backend.select(text, bindings)

    def query(
        self, query_id: str, *, limit: int | None = None, offset: int = 0, **params: str | None
    ) -> Result:
        """Run a canned query by id, with parameters given as IRI, CURIE or label; ``limit``
        and ``offset`` page the ordered answer (a long list of articles, for example).

        >>> kg = open()
        >>> rows = kg.query("adverse-effects", drug="rhIGF-1")
        >>> less = [r for r in rows if r["frequency"].value.endswith("LessCommon")]
        >>> sorted(r["effectLabel"].value for r in less)
        ["Bell's palsy", 'raised intracranial pressure']
        >>> len(kg.query("adverse-effects", drug="rhIGF-1", limit=2, offset=1))
        2
        """
        from igfkg.explore.catalog import catalog

        return catalog().get(query_id).run(self, params, limit=limit, offset=offset)

    # -- lookup --------------------------------------------------------------------------

    def resolve(self, name: str) -> ox.NamedNode:
        """The IRI of an entity given by IRI, CURIE, bare identifier (``15832492``, ``PMID
        15832492``, ``D007334``, ``DB01277``, ``P05019``), label or exact synonym. Names are
        compared normalised: case, spaces, hyphens, Greek letters, Roman numerals, British
        spelling. A name several entities share, or that only related synonyms fit, raises
        :class:`~igfkg.core.errors.AmbiguousNameError` listing them. The titles of ingested articles
        are matched as spelled (or lower-case, Sentence case, Title Case or upper-case), so that
        no lookup scans millions of titles.

        Successful lookups are cached until the graph is next loaded or updated.

        >>> from igfkg.core.errors import AmbiguousNameError
        >>> from igfkg.core.namespaces import compact
        >>> kg = open()
        >>> [compact(kg.resolve(n).value) for n in ("NIDDM", "IGF-I", "DB01277", "HGNC:5464")]
        ['kb:type-2-diabetes', 'kb:igf-1', 'kb:mecasermin', 'kb:igf-1']
        >>> try:
        ...     kg.resolve("somatotropin")
        ... except AmbiguousNameError as error:
        ...     error.suggestions
        ['growth hormone (peptide hormone)', 'somatropin (drug)']
        """
        cached = self._resolved.get(name)
        if cached is None:
            cached = self._resolved[name] = names.resolve(self, name)
        return cached

    def mesh_descriptor(self, name: str) -> ox.NamedNode:
        """The MeSH descriptor of an entity: itself if it is one, else its MeSH mapping
        (``skos:exactMatch`` first, then ``skos:closeMatch``).

        >>> open().mesh_descriptor("T2DM").value
        'http://id.nlm.nih.gov/mesh/D003924'
        """
        return names.mesh_descriptor(self, name)

    def suggest(self, text: str, n: int = 5) -> list[str]:
        """The labels of the entities closest to ``text``, best first."""
        return names.suggest(self, text, n)

    def search(self, text: str, *, type: str | None = None, limit: int = 10) -> list[SearchHit]:
        """Entities ranked by how well a label, synonym or identifier matches ``text`` (what
        an autocomplete calls): each hit has the entity's IRI, label, types, the name matched,
        how it matched and a score. ``type`` (``Drug``, ``igfkg:Disease``, ``disease``) keeps
        entities of that class and its subclasses. Only the curated KB's names are searched.

        >>> [(h.label, h.match) for h in open().search("T2D", limit=1)]
        [('type 2 diabetes mellitus', 'exact synonym')]
        """
        return self.name_index().search(text, type=type, limit=limit)

    def name_index(self) -> NameIndex:
        """The index of the KB's names, built once per state of the graph."""
        if self._names is None:
            from igfkg.explore.search import NameIndex

            self._names = NameIndex.build(self)
        return self._names

    # -- traversal -----------------------------------------------------------------------

    def describe(self, entity: str) -> Description:
        """Everything about one entity (given by IRI, CURIE or label), grouped, with evidence."""
        from igfkg.explore.describe import describe

        return describe(self, self.resolve(entity))

    def neighbors(
        self,
        entity: str,
        *,
        predicate: str | None = None,
        depth: int = 1,
        include_hedged: bool = False,
    ) -> list[Edge]:
        """Edges within ``depth`` steps of ``entity``, optionally of one predicate; hedged
        claims are no edges unless ``include_hedged`` (then marked, with their certainty).

        >>> kg = open()
        >>> sorted(e.object_label for e in kg.neighbors("mecasermin", predicate="igfkg:testedIn"))
        ['clinical trials in humans', 'experimental studies']
        """
        from igfkg.explore.traversal import neighbors

        pred = self._predicate(predicate) if predicate else None
        return neighbors(
            self, self.resolve(entity), predicate=pred, depth=depth, include_hedged=include_hedged
        )

    def diagram(
        self, entity: str, *, depth: int = 1, format: str = "svg", max_nodes: int = 30
    ) -> bytes:
        """A neighbourhood diagram of ``entity``: the statements within ``depth`` steps and
        the hedged claims (dashed, with their certainty), at most ``max_nodes`` nodes, as
        ``svg`` or ``png`` (laid out by Graphviz's dot), ``dot`` or ``mermaid`` text.

        >>> print(open().diagram("jaw pain", format="mermaid").decode())
        flowchart LR
          n0["jaw pain"]
          n1["mecasermin"]
          n1 -->|"has adverse effect"| n0
        <BLANKLINE>
        """
        from igfkg.explore.diagram import neighbourhood, render

        picture = neighbourhood(self, self.resolve(entity), depth=depth, max_nodes=max_nodes)
        return render(picture, format)

    def axis_diagram(self, *, format: str = "svg") -> bytes:
        """The GH–IGF-1 axis in diabetes as one picture: its members, the disturbances in
        diabetes, and rhIGF-1 (mecasermin) with its effects, hedged relations dashed.

        >>> b"candidate therapy for (possible)" in open().axis_diagram(format="dot")
        True
        """
        from igfkg.explore.diagram import axis_diagram, render

        return render(axis_diagram(self), format)

    def paths(
        self, start: str, end: str, max_length: int = 3, *, include_hedged: bool = False
    ) -> list[list[Edge]]:
        """The shortest paths of at most ``max_length`` edges between two entities (hedged
        claims count as edges only with ``include_hedged``).

        >>> kg = open()
        >>> [[e.predicate_label for e in p] for p in kg.paths("rhIGF-1", "IGF-1")]
        [['is recombinant form of']]
        """
        from igfkg.explore.traversal import paths

        return paths(
            self, self.resolve(start), self.resolve(end), max_length, include_hedged=include_hedged
        )

    def ancestors(self, entity: str) -> list[str]:
        """IRIs above the entity (rdfs:subClassOf, skos:broader, meshv:broaderDescriptor).

        >>> open().ancestors("T2DM")
        ['https://w3id.org/igfkg/kb/diabetes-mellitus']
        """
        from igfkg.explore.traversal import ancestors

        return ancestors(self, self.resolve(entity))

    def descendants(self, entity: str) -> list[str]:
        """IRIs below the entity (rdfs:subClassOf, skos:broader, meshv:broaderDescriptor)."""
        from igfkg.explore.traversal import descendants

        return descendants(self, self.resolve(entity))

    def _predicate(self, name: str) -> ox.NamedNode:
        from igfkg.explore.traversal import unknown_predicate

        text = name.strip()
        bracketed = text.startswith("<") and text.endswith(">")
        text = text[1:-1] if bracketed else text
        explicit = bracketed or text.startswith(("http://", "https://"))
        iri = text if explicit else expand_curie(text)
        if iri is None:
            raise unknown_predicate(self, name)
        return iri_node(iri, "predicate")

    def has_inferred(self) -> bool:
        """True if the inferred (OWL 2 RL) graph holds triples."""
        return bool(self.sparql(sparql.load("igfkg", "graph-has-inferred")))

    def materialize(self) -> int:
        """Write the OWL 2 RL closure into the inferred named graph; return its size."""
        from igfkg.quality.inference import materialize

        count = materialize(self)
        self.changed()
        return count

    # -- updates -------------------------------------------------------------------------

    def update(self, text: str) -> None:
        """Apply a SPARQL 1.1 Update (the only write path besides loading files); ``LOAD`` and
        ``SERVICE`` are refused unless allowed (:func:`igfkg.store.guard.limits`)."""
        from igfkg.store.guard import vet

        self.backend.update(vet(text, allow_update=True).text)
        self.changed()
        if self._local():
            from igfkg.literature.index import invalidate_update

            self.backend.update(invalidate_update())  # any graph may have changed

    def changed(self) -> None:
        """Forget what was derived from the graph's content (name lookups, index checks);
        every write path calls it."""
        self._resolved.clear()
        self._names = None
        self._index_current = False

    def ensure_literature_index(self) -> int:
        """Bring the literature index (:mod:`igfkg.literature.index`) up to date, on a local
        store: about a millisecond when current, recounting only what changed; return how many
        graphs were counted. A remote store is used as loaded. The only place outside the
        literature layer that decides when the index is checked."""
        if not self.backend.capabilities.local or self._index_current:
            return 0
        from igfkg.literature.index import ensure_index

        counted = ensure_index(self)
        # An in-memory store changes only through igfkg in this process, which resets this;
        # a store on disk may be written by another process between two queries.
        self._index_current = self.backend.capabilities.private
        return counted

    # -- reading the literature ----------------------------------------------------------

    def reading_vocabulary(self) -> Vocabulary:
        """What the literature reader matches: the names the name resolver knows (the KB's
        entities, MeSH descriptors in the store) and the curated claims."""
        from igfkg.explore.vocabulary import reading_vocabulary

        return reading_vocabulary(self)

    def read(self, *, workers: int = 1) -> ReadStats:
        """Read the abstracts of every article in the store into the evidence graph
        (``graph/literature-evidence``), writing only what changed; on the embedded store.

        >>> kg = open()
        >>> kg.read().articles
        1
        >>> kg.query("evidence-sentences", entity="mecasermin").rows[0]["pmid"].value
        '15832492'
        """
        from igfkg.literature.evidence import read_store
        from igfkg.literature.ingest import ingestible

        ingestible(self.backend)
        try:
            return read_store(self.backend, self.reading_vocabulary(), workers=workers)
        finally:
            self.changed()

    def is_read(self) -> bool:
        """True if the store has been read (its evidence graph names a reading activity)."""
        from igfkg.literature.evidence import is_read

        return self._local() and is_read(self.backend.match)

    def _local(self) -> bool:
        """True for the backends whose derived graphs igfkg maintains."""
        return self.backend.capabilities.local

    # -- interop -------------------------------------------------------------------------

    def to_networkx(self) -> Any:
        """The IRI-to-IRI edges as a ``networkx.MultiDiGraph`` (keys are predicates; nodes carry
        labels). Needs the optional ``networkx`` package."""
        try:
            import networkx as nx
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("to_networkx needs networkx: pip install networkx") from None
        g = nx.MultiDiGraph()
        for row in self.select(sparql.load("igfkg", "graph-iri-edges")):
            s, p, o, sl, ol = (None if v is None else v.value for v in row)
            g.add_node(s, label=sl or s)
            g.add_node(o, label=ol or o)
            g.add_edge(s, o, key=p, predicate=p)
        return g

    def export(self, fmt: str = "ttl") -> bytes:
        """The whole graph as loaded, in ttl, nt, nq, trig, jsonld or xml."""
        return self.backend.serialize(fmt)

    def to_rdflib(self) -> rdflib.Dataset:
        """A copy of the graph as an rdflib Dataset (named graphs kept)."""
        import rdflib

        ds = rdflib.Dataset(default_union=True)
        ds.parse(data=self.backend.serialize("nq"), format="nquads")
        return ds

    @overload
    def validate(
        self, *, extra: list[Path] | None = ..., engine: str = ..., shapes: None = None
    ) -> ValidationReport: ...

    @overload
    def validate(
        self, *, extra: list[Path] | None = ..., engine: str = ..., shapes: ShapesArg
    ) -> Report: ...

    def validate(
        self,
        *,
        extra: list[Path] | None = None,
        engine: str = "auto",
        shapes: ShapesArg | None = None,
    ) -> ValidationReport | Report:
        """Validate the graph (and ``extra`` data files) against the bundled SHACL shapes
        (:mod:`igfkg.quality.validation`); or, given ``shapes`` (files or rdflib graphs), the
        union of all named graphs against those shapes, returning the W3C-style
        :class:`~igfkg.quality.shacl.Report` of :func:`igfkg.quality.shacl.validate`.
        ``engine``: ``fast`` (compiled checks; shapes that do not compile are refused by name),
        ``pyshacl`` (the reference) or ``auto`` (compiled where exact, pySHACL for the rest).

        >>> import rdflib
        >>> shapes = rdflib.Graph().parse(format="turtle", data='''
        ...   @prefix sh: <http://www.w3.org/ns/shacl#> .
        ...   <urn:s> a sh:NodeShape ; sh:targetClass <https://w3id.org/igfkg/Drug> ;
        ...     sh:property [ sh:path <https://w3id.org/igfkg/hasAdverseEffect> ; sh:minCount 1 ] .
        ... ''')
        >>> report = open().validate(shapes=[shapes], engine="pyshacl")
        >>> from igfkg.core.namespaces import compact
        >>> report.conforms, sorted(compact(str(r.focus)) for r in report.results)
        (False, ['kb:human-insulin', 'kb:rhigf-1-igfbp-3-complex', 'kb:somatropin'])
        """
        from igfkg.quality.validation import validate_graph

        if shapes is None:
            return validate_graph(self, extra=extra, engine=engine)
        from igfkg.quality.validation import graph_data, read_rdf, validate_shapes

        data = graph_data(self)
        if extra:
            data += read_rdf(extra)
        return validate_shapes(data, _shapes_graph(shapes), engine)
