"""Neighbourhood diagrams: the statements within a few steps of an entity, hedged claims drawn
dashed and labelled with their certainty, bounded so the picture stays readable. As Graphviz
DOT or Mermaid text, or laid out by Graphviz's ``dot`` as SVG or PNG.

>>> import igfkg
>>> kg = igfkg.open()
>>> d = neighbourhood(kg.backend, kg.resolve("neuropathic ulcer"))
>>> [e.predicate_label for e in d.edges if e.hedged]
['candidate therapy for']
>>> print(to_mermaid(neighbourhood(kg.backend, kg.resolve("jaw pain"))))
flowchart LR
  n0["jaw pain"]
  n1["mecasermin"]
  n1 -->|"has adverse effect"| n0
<BLANKLINE>
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from igfkg.core.errors import ParameterError, StoreError
from igfkg.explore.traversal import Edge, neighbors

if TYPE_CHECKING:
    import pyoxigraph as ox

    from igfkg.store.port import GraphPort

__all__ = [
    "FORMATS",
    "Diagram",
    "axis_diagram",
    "neighbourhood",
    "render",
    "to_dot",
    "to_mermaid",
]

FORMATS = ("svg", "png", "dot", "mermaid")
MAX_NODES = 30
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SKIP = {
    _SKOS + m for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
}


@dataclass
class Diagram:
    """The nodes (IRI -> label, the centre first) and edges of a neighbourhood; ``left_out``
    counts the nodes beyond the bound."""

    centre: str
    nodes: dict[str, str] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    left_out: int = 0


def neighbourhood(
    kg: GraphPort, entity: ox.NamedNode, *, depth: int = 1, max_nodes: int = MAX_NODES
) -> Diagram:
    """The statements and hedged claims within ``depth`` steps of ``entity`` (mappings to
    other vocabularies left out), keeping the ``max_nodes`` nodes closest to it."""
    if not 1 <= depth <= 3:
        raise ParameterError(f"depth must be 1, 2 or 3, got {depth}")
    if not 2 <= max_nodes <= 200:
        raise ParameterError(f"max nodes must be between 2 and 200, got {max_nodes}")
    edges = [
        e
        for e in neighbors(kg, entity, depth=depth, include_hedged=True)
        if e.predicate not in _SKIP
    ]
    labels = {entity.value: _centre_label(edges, entity.value)}
    distance = {entity.value: 0}
    for _ in range(depth):  # breadth first: nearer nodes first, then by label
        frontier = sorted(
            {
                (e.other(n), e.object_label if e.subject == n else e.subject_label)
                for e in edges
                for n in list(distance)
                if n in (e.subject, e.object) and e.other(n) not in distance
            },
            key=lambda item: (item[1].casefold(), item[0]),
        )
        level = max(distance.values()) + 1
        for iri, label in frontier:
            distance.setdefault(iri, level)
            labels.setdefault(iri, label)
    kept = dict(list(labels.items())[:max_nodes])
    shown = [e for e in edges if e.subject in kept and e.object in kept]
    shown.sort(key=lambda e: (e.subject_label, e.predicate_label, e.object_label))
    return Diagram(entity.value, kept, shown, len(labels) - len(kept))


_KB = "https://w3id.org/igfkg/kb/"
_IGFKG = "https://w3id.org/igfkg/"
# What the axis picture shows of the drug: its relation to IGF-1 and its effects, not its
# adverse effects, routes or studies (those are on the drug's own diagram).
_DRUG_EFFECTS = {
    _IGFKG + p
    for p in (
        "isRecombinantFormOf", "improves", "reduces", "ameliorates", "affects",
        "candidateTherapyFor", "studiedAsTreatmentFor", "bypassesBlockIn",
    )
}  # fmt: skip


def axis_diagram(kg: GraphPort) -> Diagram:
    """The GH–IGF-1 axis in diabetes: its members, the disturbances in diabetes, and the drug
    (rhIGF-1, mecasermin) with its effects, hedged ones dashed with their certainty."""
    import pyoxigraph as ox

    axis = neighbourhood(kg, ox.NamedNode(_KB + "gh-igf1-axis"), max_nodes=200)
    drug = neighbourhood(kg, ox.NamedNode(_KB + "mecasermin"), max_nodes=200)
    edges = axis.edges + [e for e in drug.edges if e.predicate in _DRUG_EFFECTS]
    nodes = dict(axis.nodes)
    for e in sorted(edges, key=lambda e: (e.subject_label, e.predicate_label, e.object_label)):
        nodes.setdefault(e.subject, e.subject_label)
        nodes.setdefault(e.object, e.object_label)
    edges.sort(key=lambda e: (e.subject_label, e.predicate_label, e.object_label))
    return Diagram(axis.centre, nodes, edges, 0)


def _centre_label(edges: list[Edge], iri: str) -> str:
    for e in edges:
        if e.subject == iri:
            return e.subject_label
        if e.object == iri:
            return e.object_label
    return iri


def _relation(edge: Edge) -> str:
    if edge.hedged:
        certainty = ", ".join(sorted({ev.certainty for ev in edge.evidence}))
        return f"{edge.predicate_label} ({certainty})"
    return edge.predicate_label


def _dot_string(text: str) -> str:
    """A DOT double-quoted string (backslashes and quotes escaped, line breaks as \\n)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def to_dot(diagram: Diagram) -> str:
    """Graphviz DOT: the centre filled, hedged claims dashed and grey."""
    ids = {iri: f"n{i}" for i, iri in enumerate(diagram.nodes)}
    lines = [
        "digraph neighbourhood {",
        '  graph [rankdir=LR, fontname="Helvetica"];',
        '  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for iri, label in diagram.nodes.items():
        extra = ', style="rounded,filled", fillcolor="#dbe9f6"' if iri == diagram.centre else ""
        lines.append(
            f"  {ids[iri]} [label={_dot_string(label)}, tooltip={_dot_string(iri)}{extra}];"
        )
    for e in diagram.edges:
        style = ', style=dashed, color="#777777", fontcolor="#555555"' if e.hedged else ""
        lines.append(
            f"  {ids[e.subject]} -> {ids[e.object]} [label={_dot_string(_relation(e))}{style}];"
        )
    if diagram.left_out:
        note = f"{diagram.left_out} more neighbours not shown"
        lines.append(f"  more [shape=plaintext, label={_dot_string(note)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    """Text inside a Mermaid quoted label: quotes and markup as entity codes, one line."""
    for char, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(char, code)
    return " ".join(text.split())


def to_mermaid(diagram: Diagram) -> str:
    """A Mermaid flowchart: hedged claims as dotted arrows."""
    ids = {iri: f"n{i}" for i, iri in enumerate(diagram.nodes)}
    lines = ["flowchart LR"]
    lines += [f'  {ids[iri]}["{_mermaid_text(label)}"]' for iri, label in diagram.nodes.items()]
    for e in diagram.edges:
        arrow = "-.->" if e.hedged else "-->"
        lines.append(f'  {ids[e.subject]} {arrow}|"{_mermaid_text(_relation(e))}"| {ids[e.object]}')
    if diagram.left_out:
        lines.append(f'  more["{diagram.left_out} more neighbours not shown"]')
    return "\n".join(lines) + "\n"


def render(diagram: Diagram, fmt: str) -> bytes:
    """The diagram in ``fmt`` (svg, png, dot or mermaid); SVG and PNG are laid out by
    Graphviz's ``dot`` program, which must be installed (Debian: ``graphviz``)."""
    if fmt not in FORMATS:
        raise ParameterError(f"unknown diagram format {fmt!r}; known: {', '.join(FORMATS)}")
    if fmt == "mermaid":
        return to_mermaid(diagram).encode("utf-8")
    dot = to_dot(diagram)
    if fmt == "dot":
        return dot.encode("utf-8")
    import graphviz

    try:
        data: bytes = graphviz.Source(dot).pipe(format=fmt, engine="dot")
    except graphviz.ExecutableNotFound:
        raise StoreError(
            "Graphviz's dot program is not installed (Debian: apt-get install graphviz); "
            "--format dot or mermaid need no program"
        ) from None
    except graphviz.CalledProcessError as error:
        raise StoreError(f"Graphviz's dot failed: {error.stderr!r}") from None
    return data
