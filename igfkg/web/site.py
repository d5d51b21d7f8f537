"""The graph as a static web site: a home page and one page per knowledge-base entity and study
(label, types, definition, synonyms, mappings as links, relations with their evidence, hedged
claims marked, support by primary studies, the neighbourhood diagram), each with its Turtle
beside it. Deterministic, relative links, every value escaped; written whole.

>>> import igfkg, tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "site"
>>> pages = build_site(igfkg.open(), out, diagrams=False)
>>> (out / "kb" / "igf-1" / "index.html").is_file(), (out / "kb" / "igf-1" / "index.ttl").is_file()
(True, True)
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from markupsafe import Markup, escape

from igfkg.core import sparql
from igfkg.core.errors import OutputError
from igfkg.core.namespaces import PREFIXES, compact, expand_curie
from igfkg.explore.describe import describe
from igfkg.explore.diagram import axis_diagram, neighbourhood, render
from igfkg.store.formats import OX_FORMATS

if TYPE_CHECKING:
    from igfkg.explore.traversal import Edge
    from igfkg.store.port import GraphPort

__all__ = ["Page", "build_site"]

KB = "https://w3id.org/igfkg/kb/"
_ENTITIES = sparql.load("igfkg.web", "site-entities")
_TRIPLES = sparql.load("igfkg.web", "site-entity-triples")
# Where a mapped identifier can be looked up (the resolver of its vocabulary).
_RESOLVERS = {
    "http://id.nlm.nih.gov/mesh/": "https://meshb.nlm.nih.gov/record/ui?ui=",
    "http://purl.uniprot.org/uniprot/": "https://www.uniprot.org/uniprotkb/",
    "http://identifiers.org/": "https://identifiers.org/",
    "http://purl.obolibrary.org/obo/": "http://purl.obolibrary.org/obo/",
    "http://www.ncbi.nlm.nih.gov/pubmed/": "https://pubmed.ncbi.nlm.nih.gov/",
    "https://doi.org/": "https://doi.org/",
}


@dataclass(frozen=True)
class Page:
    """One entity page: the entity, its label and type, its path under the site root."""

    iri: str
    label: str
    type_label: str

    @property
    def name(self) -> str:
        return self.iri.removeprefix(KB)

    @property
    def href(self) -> str:
        return f"kb/{self.name}/index.html"


def _external(iri: str) -> str | None:
    """A web address for an external identifier, or None."""
    for prefix, url in _RESOLVERS.items():
        if iri.startswith(prefix):
            local = iri[len(prefix) :]
            if prefix == "http://id.nlm.nih.gov/mesh/" and local[:1] not in ("D", "C", "Q"):
                return None
            return url + local
    return iri if iri.startswith(("http://", "https://")) else None


def pages(kg: GraphPort) -> list[Page]:
    """The pages of the site: every KB entity and study, with its most specific type."""
    found: dict[str, Page] = {}
    for row in kg.select(_ENTITIES):
        entity, label, type_label = row["entity"], row["label"], row["typeLabel"]
        if entity is None or entity.value in found:
            continue
        name = entity.value.removeprefix(KB)
        if "/" in name or not name:
            continue
        found[entity.value] = Page(
            entity.value,
            label.value if label is not None else compact(entity.value),
            type_label.value if type_label is not None else "entity",
        )
    return sorted(found.values(), key=lambda p: (p.type_label.casefold(), p.label.casefold()))


def build_site(
    kg: GraphPort, output: Path, *, diagrams: bool = True, force: bool = False
) -> list[Page]:
    """Write the site under ``output`` (a new or empty folder, or any folder with ``force``):
    built in a temporary folder beside it, then moved into place."""
    import jinja2

    output = Path(output)
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not force)):
        raise OutputError(
            f"{output}: exists and is not an empty folder; pass --force to replace it"
        )
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("igfkg.web", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
    )
    every = pages(kg)
    known = {p.iri: p for p in every}
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".igfkg-site-", dir=output.parent))
    try:
        for page in every:
            folder = work / "kb" / page.name
            folder.mkdir(parents=True)
            (folder / "index.ttl").write_bytes(_turtle(kg, page.iri))
            html = _entity_page(env, kg, page, known, diagrams)
            (folder / "index.html").write_text(html, encoding="utf-8")
        axis_svg = ""
        if diagrams and KB + "gh-igf1-axis" in known:
            svg = render(axis_diagram(kg), "svg").decode("utf-8")
            axis_svg = svg[svg.index("<svg") :]
        groups: dict[str, list[Page]] = {}
        for page in every:
            groups.setdefault(page.type_label, []).append(page)
        index = env.get_template("index.html").render(
            title="home",
            root="",
            alternate=None,
            version=_version(kg),
            pages=every,
            groups=sorted(groups.items(), key=lambda item: item[0].casefold()),
            axis_svg=Markup(axis_svg),
        )
        (work / "index.html").write_text(index, encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return every


def _version(kg: GraphPort) -> str:
    rows = kg.select(sparql.load("igfkg.release", "build-version")).rows
    value = rows[0]["v"] if rows else None
    return value.value if value is not None else "unversioned"


def _turtle(kg: GraphPort, iri: str) -> bytes:
    answer = kg.sparql(_TRIPLES, {"entity": ox.NamedNode(iri)})
    assert isinstance(answer, list)
    triples = answer
    data = ox.serialize(sorted(triples, key=str), format=OX_FORMATS["ttl"], prefixes=dict(PREFIXES))
    return data or b""


def _svg(kg: GraphPort, iri: str) -> str:
    """The neighbourhood SVG without its XML prologue (inline in the page)."""
    svg = render(neighbourhood(kg, ox.NamedNode(iri)), "svg").decode("utf-8")
    return svg[svg.index("<svg") :]


def _entity_page(
    env: object, kg: GraphPort, page: Page, known: dict[str, Page], diagrams: bool
) -> str:
    import jinja2

    assert isinstance(env, jinja2.Environment)
    root = "../../"
    d = describe(kg, ox.NamedNode(page.iri))

    def link(iri: str, label: str) -> Markup:
        target = known.get(iri)
        if target is None:
            return escape(label)
        return Markup('<a href="{}">{}</a>').format(root + target.href, label)

    mappings = []
    for rel, target in d.mappings:
        full = expand_curie(target) or target
        mappings.append((rel, target, _external(full)))
    sections = (
        ("Relations", [_edge(e) for e in d.outgoing]),
        ("Referenced by", [_edge(e) for e in d.incoming]),
        ("Hedged claims (the source does not assert these)", [_edge(e) for e in d.hedged]),
    )
    return env.get_template("entity.html").render(
        title=d.label,
        root=root,
        alternate="index.ttl",
        d=d,
        mappings=mappings,
        sections=sections,
        link=link,
        diagram=Markup(_svg(kg, page.iri)) if diagrams else "",
    )


@dataclass(frozen=True)
class _ShownEvidence:
    claim: str
    certainty: str
    source_url: str
    source_name: str
    quote: str
    support: str


@dataclass(frozen=True)
class _ShownEdge:
    subject: str
    subject_label: str
    predicate_label: str
    object: str
    object_label: str
    hedged: bool
    certainty: str
    evidence: tuple[_ShownEvidence, ...]


def _edge(e: Edge) -> _ShownEdge:
    evidence = tuple(
        _ShownEvidence(
            ev.claim,
            ev.certainty,
            _external(ev.source) or "",
            compact(ev.source),
            ev.quote,
            str(ev.support) if ev.support is not None else "",
        )
        for ev in e.evidence
    )
    certainty = ", ".join(sorted({ev.certainty for ev in e.evidence}))
    return _ShownEdge(
        e.subject, e.subject_label, e.predicate_label, e.object, e.object_label, e.hedged,
        certainty, evidence,
    )  # fmt: skip
