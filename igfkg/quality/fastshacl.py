"""A fast SHACL path: the bundled shapes compiled to SPARQL and run inside the store.

pySHACL is the reference (and the fallback): it evaluates SHACL-SPARQL constraints once per focus
node with rdflib's engine, which dominates its time at corpus scale. Here every constraint of a
shape becomes one set-oriented SPARQL query over the whole graph. The supported SHACL Core subset
is the one igfkg's shapes use (targetClass / targetSubjectsOf / targetObjectsOf; paths: IRI,
inverse, alternative; minCount, maxCount, datatype, nodeKind, pattern, in, class, languageIn,
uniqueLang, minLength, minInclusive, sh:or of datatypes; SPARQL-based constraints). Anything else
raises :class:`UnsupportedShapeError`, and validation falls back to pySHACL. Tests check that both
engines report the same violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import ParameterError
from igfkg.core.namespaces import compact
from igfkg.quality.validation import ValidationReport, Violation, shapes_graph

if TYPE_CHECKING:
    import rdflib

    from igfkg.store.port import GraphPort

__all__ = ["UnsupportedShapeError", "compile_shapes", "validate_fast"]

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_KNOWN = {
    SH + k
    for k in (
        "targetClass",
        "targetSubjectsOf",
        "targetObjectsOf",
        "property",
        "path",
        "message",
        "minCount",
        "maxCount",
        "datatype",
        "nodeKind",
        "pattern",
        "in",
        "class",
        "languageIn",
        "uniqueLang",
        "minLength",
        "minInclusive",
        "or",
        "sparql",
        "declare",
        "prefixes",
        "select",
        "severity",
        "name",
        "description",
    )
} | {
    RDF_TYPE,
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://www.w3.org/2000/01/rdf-schema#label",
}


class UnsupportedShapeError(ParameterError):
    """A SHACL construct the fast path does not compile (exit 2, naming it)."""


@dataclass
class _Check:
    shape: str
    message: str
    sparql: str  # SELECT ?this ?value (?path optional)
    path: str | None = None


@dataclass
class Compiled:
    """The compiled checks of a shapes graph."""

    checks: list[_Check] = field(default_factory=list)


def _t(node: Any) -> str:
    """An rdflib IRI or literal of the shapes graph as SPARQL text, checked as an RDF term."""
    import rdflib

    from igfkg.core.convert import from_rdflib_term

    if isinstance(node, rdflib.URIRef | rdflib.Literal):
        try:
            return sparql.term(from_rdflib_term(node))
        except (ValueError, TypeError) as error:
            raise UnsupportedShapeError(
                f"cannot use {node!r} in a compiled query: {error}"
            ) from None
    raise UnsupportedShapeError(f"cannot use {node!r} in a compiled query")


def _i(iri: Any) -> str:
    """An IRI (of the shapes graph or a constant) as SPARQL text, checked by pyoxigraph."""
    try:
        return sparql.term(ox.NamedNode(str(iri)))
    except ValueError as error:
        raise UnsupportedShapeError(f"cannot use {iri!r} in a compiled query: {error}") from None


def _list(g: rdflib.Graph, head: Any) -> list[Any]:
    import rdflib.collection

    return list(rdflib.collection.Collection(g, head))


def _path(g: rdflib.Graph, node: Any) -> tuple[str, str | None]:
    """A SPARQL property path and, for a simple IRI path, the IRI."""
    import rdflib

    if isinstance(node, rdflib.URIRef):
        return f"{_i(node)}", str(node)
    inverse = g.value(node, rdflib.URIRef(SH + "inversePath"))
    if inverse is not None:
        return f"^{_i(inverse)}", None
    alternatives = g.value(node, rdflib.URIRef(SH + "alternativePath"))
    if alternatives is not None:
        return "(" + "|".join(f"{_i(a)}" for a in _list(g, alternatives)) + ")", None
    raise UnsupportedShapeError(f"path {node!r}")


def _value_tests(g: rdflib.Graph, shape: Any) -> list[tuple[str, str]]:
    """(constraint name, SPARQL condition that is TRUE when ?value violates it)."""
    import rdflib

    tests: list[tuple[str, str]] = []
    sh = rdflib.Namespace(SH)
    for dt in g.objects(shape, sh.datatype):
        tests.append(("datatype", _datatype_violation([dt])))
    kind = g.value(shape, sh.nodeKind)
    if kind is not None:
        tests.append(
            (
                "nodeKind",
                {
                    SH + "IRI": "!isIRI(?value)",
                    SH + "Literal": "!isLiteral(?value)",
                    SH + "BlankNode": "!isBlank(?value)",
                }[str(kind)],
            )
        )
    pattern = g.value(shape, sh.pattern)
    if pattern is not None:
        tests.append(("pattern", f"(isBlank(?value) || !REGEX(STR(?value), {_t(pattern)}))"))
    values = g.value(shape, sh["in"])
    if values is not None:
        members = ", ".join(_t(v) for v in _list(g, values))
        tests.append(("in", f"?value NOT IN ({members})"))
    cls = g.value(shape, sh["class"])
    if cls is not None:
        tests.append(
            (
                "class",
                f"(isLiteral(?value) || NOT EXISTS "
                f"{{ ?value {_i(RDF_TYPE)}/{_i(SUBCLASS)}* {_i(cls)} }})",
            )
        )
    langs = g.value(shape, sh.languageIn)
    if langs is not None:
        ok = " || ".join(f"langMatches(lang(?value), {_t(lang)})" for lang in _list(g, langs))
        tests.append(("languageIn", f'(!isLiteral(?value) || lang(?value) = "" || !({ok}))'))
    min_length = g.value(shape, sh.minLength)
    if min_length is not None:
        tests.append(
            ("minLength", f"(isBlank(?value) || STRLEN(STR(?value)) < {int(str(min_length))})")
        )
    low = g.value(shape, sh.minInclusive)
    if low is not None:  # a value below it, or not comparable with it
        tests.append(("minInclusive", f"!COALESCE(?value >= {_t(low)}, false)"))
    alternatives = g.value(shape, sh["or"])
    if alternatives is not None:
        datatypes = []
        for member in _list(g, alternatives):
            keys = set(g.predicates(member)) - {rdflib.RDF.type}
            if keys != {sh.datatype}:
                raise UnsupportedShapeError("sh:or other than of datatypes")
            datatypes.append(g.value(member, sh.datatype))
        tests.append(("or", _datatype_violation(datatypes)))
    return tests


def _datatype_violation(datatypes: list[Any]) -> str:
    options = []
    for dt in datatypes:
        if str(dt) == LANG_STRING:
            options.append('(isLiteral(?value) && lang(?value) != "")')
        else:
            options.append(
                f'(isLiteral(?value) && lang(?value) = "" && datatype(?value) = {_i(dt)})'
            )
    return "!(" + " || ".join(options) + ")"


def _focus(g: rdflib.Graph, node_shape: Any) -> str:
    import rdflib

    sh = rdflib.Namespace(SH)
    parts = [
        f"{{ ?this {_i(RDF_TYPE)}/{_i(SUBCLASS)}* {_i(c)} }}"
        for c in g.objects(node_shape, sh.targetClass)
    ]
    parts += [f"{{ ?this {_i(p)} ?_any }}" for p in g.objects(node_shape, sh.targetSubjectsOf)]
    parts += [f"{{ ?_any {_i(p)} ?this }}" for p in g.objects(node_shape, sh.targetObjectsOf)]
    if not parts:
        raise UnsupportedShapeError(f"node shape {node_shape} without a supported target")
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"


def compile_shapes(g: rdflib.Graph | None = None) -> Compiled:
    """Compile a shapes graph (default: the bundled shapes) to SPARQL checks."""
    import rdflib

    g = g if g is not None else shapes_graph()
    sh = rdflib.Namespace(SH)
    out = Compiled()
    prefixes = "\n".join(
        f"PREFIX {g.value(d, sh.prefix)}: {_i(g.value(d, sh.namespace))}"
        for d in g.objects(None, sh.declare)
    )
    for node_shape in sorted(g.subjects(rdflib.RDF.type, sh.NodeShape), key=str):
        unknown = {str(p) for p in g.predicates(node_shape)} - _KNOWN
        if unknown:
            raise UnsupportedShapeError(f"{node_shape}: {sorted(unknown)}")
        focus = _focus(g, node_shape)
        message = str(g.value(node_shape, sh.message) or "")
        for _constraint, condition in _value_tests(g, node_shape):
            out.checks.append(
                _Check(
                    str(node_shape),
                    message,
                    f"""
                SELECT ?this ?value WHERE {{ {focus} BIND(?this AS ?value)
                FILTER({condition}) }}""",
                )
            )
        for prop in sorted(g.objects(node_shape, sh.property), key=str):
            unknown = {str(p) for p in g.predicates(prop)} - _KNOWN
            if unknown:
                raise UnsupportedShapeError(f"{prop}: {sorted(unknown)}")
            path, iri = _path(g, g.value(prop, sh.path))
            pmsg = str(g.value(prop, sh.message) or "")
            for _constraint, condition in _value_tests(g, prop):
                out.checks.append(
                    _Check(
                        str(prop),
                        pmsg,
                        f"""
                    SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value .
                    FILTER({condition}) }}""",
                        iri,
                    )
                )
            min_count = g.value(prop, sh.minCount)
            if min_count is not None:
                out.checks.append(
                    _Check(
                        str(prop),
                        pmsg,
                        f"""
                    SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }}
                    GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {int(str(min_count))})""",
                        iri,
                    )
                )
            max_count = g.value(prop, sh.maxCount)
            if max_count is not None:
                out.checks.append(
                    _Check(
                        str(prop),
                        pmsg,
                        f"""
                    SELECT ?this WHERE {{ {focus} ?this {path} ?v }}
                    GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {int(str(max_count))})""",
                        iri,
                    )
                )
            if str(g.value(prop, sh.uniqueLang) or "false").lower() == "true":
                out.checks.append(
                    _Check(
                        str(prop),
                        pmsg,
                        f"""
                    SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?v1, ?v2 .
                    FILTER(?v1 != ?v2 && lang(?v1) != "" && lang(?v1) = lang(?v2)) }}""",
                        iri,
                    )
                )
        for constraint in g.objects(node_shape, sh.sparql):
            select = str(g.value(constraint, sh.select))
            body = select.replace("$this", "?this")
            where = body.index("WHERE")
            brace = body.index("{", where)
            sparql = prefixes + "\n" + body[: brace + 1] + f" {focus} " + body[brace + 1 :]
            cmsg = str(g.value(constraint, sh.message) or message)
            out.checks.append(_Check(str(node_shape), cmsg, sparql))
    return out


def _name(node: Any, identifiers: dict[ox.BlankNode, str]) -> str:
    # A blank node cannot be named in query text ("_:b" there is a fresh variable), so claims
    # are named through one query for the identifiers of all blank nodes.
    if isinstance(node, ox.BlankNode):
        identifier = identifiers.get(node)
        return f"claim {identifier}" if identifier is not None else f"_:{node.value}"
    if isinstance(node, ox.NamedNode):
        return compact(node.value)
    return repr(node.value)


def _blank_identifiers(kg: GraphPort) -> dict[ox.BlankNode, str]:
    rows = kg.select(sparql.load("igfkg.quality", "fastshacl-blank-identifiers"))
    return {
        node: identifier.value
        for node, identifier in ((r["node"], r["identifier"]) for r in rows)
        if isinstance(node, ox.BlankNode) and identifier is not None
    }


def validate_fast(kg: GraphPort, compiled: Compiled | None = None) -> ValidationReport:
    """Validate the whole graph of ``kg`` (all named graphs, ontology included, as pySHACL with
    the ontology mixed in) with the compiled shapes."""
    compiled = compiled if compiled is not None else compile_shapes()
    violations = set()
    identifiers: dict[ox.BlankNode, str] | None = None
    for check in compiled.checks:
        for row in kg.select(check.sparql):
            this = row["this"]
            if this is None:
                continue
            if identifiers is None and isinstance(this, ox.BlankNode):
                identifiers = _blank_identifiers(kg)
            value = row["value"] if "value" in row._index else None
            path = check.path
            if "path" in row._index and row["path"] is not None:
                path = row["path"].value
            violations.add(
                Violation(
                    focus=this.value if not isinstance(this, ox.BlankNode) else str(this),
                    focus_name=_name(this, identifiers or {}),
                    shape=check.shape,
                    severity="Violation",
                    message=check.message,
                    path=path,
                    value=None if value is None else value.value,
                )
            )
    ordered = sorted(violations, key=lambda v: (v.shape, v.focus_name, v.path or "", v.value or ""))
    return ValidationReport(not ordered, ordered)
