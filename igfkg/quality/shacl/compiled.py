"""The compiled engine: SHACL shapes as set-oriented SPARQL run inside Oxigraph.

Each constraint of a targeted shape becomes one query over all its focus nodes, returning
``(focus, value[, path])`` rows for violations. Nested shapes (``sh:node``, ``sh:not``,
``sh:and/or/xone``, qualified value shapes) become ``EXISTS`` patterns on the value variable:
"v violates S" is the union of S's constraint patterns with v as focus (Oxigraph substitutes
the bound variable inside ``EXISTS``, so this is the definition, not an approximation).
Terms from the shapes graph enter query text through :func:`igfkg.core.sparql.term` only;
shapes needing a blank node in a query are refused by name.

>>> import rdflib
>>> shapes = rdflib.Graph().parse(data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://x/> .
...   ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
... ''', format="turtle")
>>> data = rdflib.Graph().parse(data="<http://x/a> <http://x/q> 1 .", format="turtle")
>>> report = validate_compiled(data, shapes, fallback=False)
>>> report.conforms, [r.component.rsplit("#")[-1] for r in report.results]
(False, ['MinCountConstraintComponent'])
>>> report.engines["http://x/S"]
'compiled'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.term import Node

from igfkg.core import sparql
from igfkg.quality.shacl.data import (
    Data,
    LiteralCollisionError,
    Loaded,
    rewritable,
    stored_forms,
    to_ox,
)
from igfkg.quality.shacl.report import Report, Result
from igfkg.quality.shacl.shapes import (
    RDF,
    RDFS,
    SH,
    SHAPE_REFERENCES,
    XSD,
    Shape,
    ShapesError,
    UnsupportedShapeError,
    name,
    read_shapes,
)
from igfkg.quality.shacl.sparql_constraints import SparqlConstraint, set_oriented, substitute

__all__ = ["ShapesError", "UnsupportedShapeError", "validate_compiled"]

# Datatypes whose lexical rules are checked exactly: by a regular expression of the XSD
# lexical space where Oxigraph's casts are narrower (its integers and decimals are 64/128-bit:
# a cast of a valid 10^30 fails), else by an Oxigraph cast (unbound for an ill-formed form);
# bounded integer types add their range. Other XSD datatypes are refused, non-XSD ones are
# compared by IRI only.
_INT = r"^[+-]?[0-9]+$"
LEXICAL: dict[Node, str] = {
    XSD.integer: _INT,
    XSD.decimal: r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$",
    XSD.double: r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD.float: r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    XSD.boolean: r"^(true|false|1|0)$",
    XSD.nonNegativeInteger: r"^(\+?[0-9]+|-0+)$",
    XSD.positiveInteger: r"^\+?0*[1-9][0-9]*$",
    XSD.nonPositiveInteger: r"^(-[0-9]+|\+?0+)$",
    XSD.negativeInteger: r"^-0*[1-9][0-9]*$",
}
RANGES: dict[Node, tuple[int, int]] = {
    XSD.long: (-(2**63), 2**63 - 1),
    XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-32768, 32767),
    XSD.byte: (-128, 127),
    XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 65535),
    XSD.unsignedByte: (0, 255),
}
CAST = frozenset(XSD[n] for n in (
    "date", "dateTime", "time", "gYear", "gYearMonth", "gMonth", "gMonthDay", "gDay",
    "duration", "dayTimeDuration", "yearMonthDuration"))  # fmt: skip
CHECKED = frozenset((XSD.string, *LEXICAL, *RANGES, *CAST))
_MAX_COUNT_VARS = 8  # counts are patterns of n distinct variables; larger counts are refused

Focus = Callable[[str], str]  # a pattern binding the given variable to each focus node


def t(node: Node) -> str:
    """A shapes-graph IRI or literal as query text; a literal Oxigraph would rewrite into
    another term (``4.0`` into ``4``) is refused: it would match the wrong terms."""
    term = to_ox(node)
    if isinstance(term, ox.Literal) and rewritable(term) and stored_forms([term])[0] != term:
        raise UnsupportedShapeError(
            f"the literal {name(node)} is stored by Oxigraph as another term"
            f" ({stored_forms([term])[0]}), so term equality cannot be checked"
        )
    return sparql.term(term)


class Compiler:
    """Shapes to SPARQL patterns; fresh variables from a counter."""

    def __init__(
        self,
        model: dict[Node, Shape | UnsupportedShapeError],
        g: rdflib.Graph,
        ill_typed: dict[str, list[ox.Literal]] | None = None,
        rewritten: set[ox.Literal] | None = None,
        retyped: set[str] | None = None,
    ):
        self.model, self.g = model, g
        self.rewritten = rewritten or set()
        self.retyped = retyped or set()
        self.ill_typed = ill_typed or {}
        # variables a result is per, besides focus, value and path (kept apart by DISTINCT)
        self.witness: dict[str, tuple[str, ...]] = {}
        # SPARQL-based constraints, run per focus node: (shape, constraint, focus, variable)
        self.sparql_jobs: list[tuple[Shape, SparqlConstraint, Focus, str]] = []
        self._n = itertools.count()
        self._stack: list[Node] = []

    def const(self, node: Node) -> str:
        """A shapes-graph constant compared by term equality (sh:in, sh:hasValue,
        sh:targetNode); refused when a data literal Oxigraph rewrote would be taken for it."""
        text = t(node)
        if isinstance(node, rdflib.Literal) and to_ox(node) in self.rewritten:
            raise UnsupportedShapeError(
                f"{name(node)}: the data holds another literal Oxigraph stores as this one"
            )
        return text

    def regex(self, pattern: str, flags: str | None) -> str:
        """The REGEX arguments; refused unless Oxigraph's regex engine compiles them."""
        args = t(rdflib.Literal(pattern)) + (f", {t(rdflib.Literal(flags))}" if flags else "")
        probe = ox.Store().query(f'SELECT (REGEX("", {args}) AS ?ok) {{}}')
        assert isinstance(probe, ox.QuerySolutions)
        if next(iter(probe))["ok"] is None:
            raise UnsupportedShapeError(
                f"sh:pattern {name(rdflib.Literal(pattern))}: a regular expression Oxigraph"
                " does not run"
            )
        return args

    def var(self) -> str:
        return f"?v{next(self._n)}"

    def shape(self, node: Node) -> Shape:
        found = self.model.get(node)
        if found is None:
            found = self.model[node] = Shape(node)  # a shape with no triples: conforms
        if isinstance(found, UnsupportedShapeError):
            raise found
        return found

    # -- paths ------------------------------------------------------------------------------
    def path(self, path: Node) -> tuple[str, bool]:
        """A SPARQL property path and whether it can match zero steps."""
        if isinstance(path, rdflib.URIRef):
            return t(path), False
        g = self.g
        if (path, RDF.first, None) in g:
            parts = [self.path(p) for p in Collection(g, path)]
            return "(" + "/".join(p for p, _ in parts) + ")", all(z for _, z in parts)
        (p, o), *_ = g.predicate_objects(path)
        if p == SH.alternativePath:
            parts = [self.path(x) for x in Collection(g, o)]
            return "(" + "|".join(p for p, _ in parts) + ")", any(z for _, z in parts)
        inner, zero = self.path(o)
        if p == SH.inversePath:
            return f"(^{inner})", zero
        suffixes = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}
        suffix = suffixes[p]  # type: ignore[index]
        return f"({inner}{suffix})", suffix != "+" or zero

    def reach(self, path: Node) -> str | None:
        """A path with a value exactly when ``path`` has one, cheaper to test (None: it
        always has one). Only the last step changes: ``s/x+`` has a value iff ``s/x`` has
        one, ``s/x*`` and ``s/x?`` iff ``s`` has one (zero steps reach the node itself)."""
        g = self.g
        if isinstance(path, rdflib.URIRef):
            return t(path)
        if (path, RDF.first, None) in g:
            *head, last = list(Collection(g, path))
            tail = self.reach(last)
            steps = [self.path(x)[0] for x in head] + ([tail] if tail else [])
            return "(" + "/".join(steps) + ")" if steps else None
        (p, o), *_ = g.predicate_objects(path)
        if p == SH.alternativePath:
            tails = [self.reach(x) for x in Collection(g, o)]
            return None if None in tails else "(" + "|".join(str(x) for x in tails) + ")"
        if p in (SH.zeroOrMorePath, SH.zeroOrOnePath):
            return None
        if p == SH.oneOrMorePath:
            return self.reach(o)
        return self.path(path)[0]

    def values(self, shape: Shape, f: str, v: str, focus: Focus | None) -> str:
        """A pattern binding ``v`` to each value node of ``f`` (``f`` bound by ``focus``, or
        already bound when ``focus`` is None: inside EXISTS)."""
        lead = focus(f) if focus else ""
        if shape.path is None:
            return f"{{ {lead} BIND({f} AS {v}) }}"
        text, zero = self.path(shape.path)
        if zero:  # Oxigraph's p* from a node absent from the graph gives nothing: add it
            return f"{{ {{ {lead} {f} {text} {v} }} UNION {{ {lead} BIND({f} AS {v}) }} }}"
        return f"{{ {lead} {f} {text} {v} }}"

    # -- conformance ------------------------------------------------------------------------
    def violates(self, node: Node, x: str) -> str:
        """A pattern with a solution iff the node bound to ``x`` does not conform to the shape
        (any result of any severity; targets ignored)."""
        if node in self._stack:
            raise UnsupportedShapeError(f"recursive shape {name(node)} is not compiled")
        self._stack.append(node)
        try:
            shape = self.shape(node)
            if shape.deactivated:
                return "FILTER(false)"
            parts = [c[0] for c in self.checks(shape, None, x)]
        finally:
            self._stack.pop()
        if not parts:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    def conforms(self, node: Node, x: str) -> str:
        return f"NOT EXISTS {{ {self.violates(node, x)} }}"

    # -- constraints ------------------------------------------------------------------------
    def checks(
        self, shape: Shape, focus: Focus | None, f: str
    ) -> Iterator[tuple[str, str, str | None, str | None, Node, Shape, tuple[str, ...]]]:
        """``(pattern, focus variable, value variable, path variable, component, shape)`` per
        constraint;
        the pattern binds ``f`` through ``focus`` (None: ``f`` is bound, inside EXISTS) and
        the variables. Nested property shapes report their own results (spec 4.8.2)."""
        for param, arg in shape.constraints:
            for pattern, value, pathvar, comp in self.constraint(shape, param, arg, focus, f):
                yield pattern, f, value, pathvar, SH[comp], shape, self.witness.pop(pattern, ())
        for child in [a for p, a in shape.constraints if p == SH.property]:
            sub = self.shape(child)
            if sub.deactivated:
                continue
            if child in self._stack:
                raise UnsupportedShapeError(f"recursive shape {name(child)} is not compiled")
            self._stack.append(child)
            try:
                if shape.path is None:
                    yield from self.checks(sub, focus, f)
                else:  # the value nodes of f are the focus nodes of the child

                    def inner(x: str, s: Shape = shape, fo: Focus | None = focus) -> str:
                        return self.values(s, f, x, fo)

                    # one result per parent focus node (the W3C suite's reading)
                    for *check, extra in self.checks(sub, inner, self.var()):
                        yield (*check, (*extra, f))  # type: ignore[misc]
            finally:
                self._stack.pop()

    def constraint(
        self, shape: Shape, p: Node, arg: Any, focus: Focus | None, f: str
    ) -> Iterator[tuple[str, str | None, str | None, str]]:
        v = self.var()
        vals = self.values(shape, f, v, focus)
        lead = focus(f) if focus else ""

        def per_value(condition: str) -> tuple[str, str, None]:
            return f"{vals} FILTER({condition})", v, None

        local = str(p).rsplit("#", 1)[1]
        comp = local[0].upper() + local[1:] + "ConstraintComponent"
        if p == SH["class"]:
            members = f"{v} {t(RDF.type)}/{t(RDFS.subClassOf)}* {t(arg)}"
            if focus is None:  # inside EXISTS: a MINUS there is evaluated once per outer row
                yield *per_value(f"NOT EXISTS {{ {members} }}"), comp
            else:
                # MINUS is NOT EXISTS here (v is bound by vals, the only variable they share),
                # and Oxigraph runs it as one anti-join with the class's instances: 2-3x faster
                yield f"{vals} MINUS {{ {members} }}", v, None, comp
        elif p == SH.datatype:
            yield *per_value(f"!COALESCE({self.datatype(v, arg)}, false)"), comp
        elif p == SH.nodeKind:
            kind = str(arg).rsplit("#", 1)[1]
            tests = [
                f"is{k}({v})"
                for k in ("IRI", "Blank", "Literal")
                if k in kind.replace("BlankNode", "Blank")
            ]
            yield *per_value(f"!({' || '.join(tests)})"), comp
        elif p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            op = {
                "minInclusive": ">=",
                "maxInclusive": "<=",
                "minExclusive": ">",
                "maxExclusive": "<",
            }[local]
            yield *per_value(f"!COALESCE({v} {op} {t(arg)}, false)"), comp
        elif p in (SH.minLength, SH.maxLength):
            op = ">=" if p == SH.minLength else "<="
            cond = f"!COALESCE(!isBlank({v}) && STRLEN(STR({v})) {op} {int(arg)}, false)"
            yield *per_value(cond), comp
        elif p == SH.pattern:
            flags = shape.params.get(SH.flags)
            args = self.regex(arg, flags)
            yield *per_value(f"!COALESCE(!isBlank({v}) && REGEX(STR({v}), {args}), false)"), comp
        elif p == SH.languageIn:
            tests = [f"langMatches(LANG({v}), {t(rdflib.Literal(str(x)))})" for x in arg]
            yield *per_value(f"!COALESCE({' || '.join(tests) or 'false'}, false)"), comp
        elif p == SH["in"]:
            tests = [f"sameTerm({v}, {self.const(x)})" for x in arg]
            yield *per_value(f"!({' || '.join(tests) or 'false'})"), comp
        elif p == SH.node:
            yield *per_value(f"EXISTS {{ {self.violates(arg, v)} }}"), comp
        elif p == SH["not"]:
            yield *per_value(self.conforms(arg, v)), comp
        elif p == SH["and"]:
            tests = [f"EXISTS {{ {self.violates(s, v)} }}" for s in arg]
            yield *per_value(" || ".join(tests) or "false"), comp
        elif p == SH["or"]:
            tests = [f"EXISTS {{ {self.violates(s, v)} }}" for s in arg]
            yield *per_value(" && ".join(tests) or "true"), comp
        elif p == SH.xone:
            tests = [f"IF({self.conforms(s, v)}, 1, 0)" for s in arg]
            yield *per_value(f"({' + '.join(tests) or '0'}) != 1"), comp
        elif p == SH.hasValue:
            w = self.var()
            yield (
                f"{lead} FILTER NOT EXISTS {{ {self.has(shape, f, self.const(arg))} }}",
                None,
                None,
                comp,
            )
        elif p in (SH.minCount, SH.maxCount):
            n = int(arg) if p == SH.minCount else int(arg) + 1
            if n == 0:
                return
            if n > _MAX_COUNT_VARS:
                raise UnsupportedShapeError(
                    f"{shape.node.n3()}: {local} {arg} (above {_MAX_COUNT_VARS - 1})"
                )
            neg = "NOT " if p == SH.minCount else ""
            yield (
                f"{lead} FILTER({neg}EXISTS {{ {self.distinct(shape, f, n, None)} }})",
                None,
                None,
                comp,
            )
        elif p == SH.uniqueLang:
            if not arg:
                return
            # one result per focus node and duplicated language (the W3C suite's reading)
            w, lang = self.var(), self.var()
            other = self.values(shape, f, w, None)
            pattern = (
                f'{vals} FILTER(LANG({v}) != "") BIND(LCASE(LANG({v})) AS {lang}) FILTER EXISTS'
                f" {{ {other} FILTER(!sameTerm({v}, {w}) && LCASE(LANG({w})) = {lang}) }}"
            )
            self.witness[pattern] = (lang,)
            yield pattern, None, None, comp
        elif p == SH.equals:
            w = self.var()
            yield per_value(f"NOT EXISTS {{ {f} {t(arg)} {v} }}")[0], v, None, comp
            yield (
                f"{lead} {f} {t(arg)} {w} FILTER NOT EXISTS {{ {self.has(shape, f, w)} }}",
                w,
                None,
                comp,
            )
        elif p == SH.disjoint:
            if focus is None:
                yield per_value(f"EXISTS {{ {f} {t(arg)} {v} }}")[0], v, None, comp
            else:  # a join: Oxigraph evaluates a top-level EXISTS once per row
                yield f"{vals} {f} {t(arg)} {v}", v, None, comp
        elif p in (SH.lessThan, SH.lessThanOrEquals):
            w = self.var()
            op = "<" if p == SH.lessThan else "<="
            pattern = f"{vals} {f} {t(arg)} {w} FILTER(!COALESCE({v} {op} {w}, false))"
            self.witness[pattern] = (w,)  # one result per pair (spec 4.5.3)
            yield pattern, v, None, comp
        elif p == SH.closed:
            if not arg:
                return
            allowed = [x for x in shape.params.get(SH.ignoredProperties, [])]
            for child in [a for q, a in shape.constraints if q == SH.property]:
                path = self.shape(child).path
                if isinstance(path, rdflib.URIRef):
                    allowed.append(path)
            pv, w = self.var(), self.var()
            test = f"FILTER({pv} NOT IN ({', '.join(t(a) for a in allowed)}))" if allowed else ""
            # a node shape's value node is its focus node: use the variable itself, so the
            # triple pattern is looked up from it (a BIND would scan every triple)
            node = f if shape.path is None and focus is not None else v
            pattern = (
                f"{lead} {node} {pv} {w} {test}" if node == f else f"{vals} {v} {pv} {w} {test}"
            )
            yield pattern, w, pv, comp
        elif p == SH.qualifiedValueShape:
            yield from self.qualified(shape, arg, lead, f)
        elif p == SH.property:
            return  # handled by checks()
        elif p == SH.sparql:
            if arg.deactivated:
                return
            if focus is None:
                raise UnsupportedShapeError(
                    f"{name(shape.node)}: sh:sparql in a shape used through another shape"
                )
            if "PATH" in arg.variables and not isinstance(shape.path, rdflib.URIRef):
                raise UnsupportedShapeError(f"{name(shape.node)}: $PATH with a path expression")
            if "currentShape" in arg.variables and not isinstance(shape.node, rdflib.URIRef):
                raise UnsupportedShapeError(f"{name(shape.node)}: $currentShape of a blank node")
            self.sparql_jobs.append((shape, arg, focus, f))
        else:  # pragma: no cover - the shape reader whitelists parameters
            raise UnsupportedShapeError(f"{shape.node.n3()}: {p} is not compiled")

    def has(self, shape: Shape, f: str, w: str) -> str:
        """A pattern (inside EXISTS, ``f`` and ``w`` bound) true iff ``w`` is a value of ``f``."""
        if shape.path is None:
            return f"FILTER(sameTerm({f}, {w}))"
        text, zero = self.path(shape.path)
        if zero:
            return f"{{ {f} {text} {w} }} UNION {{ FILTER(sameTerm({f}, {w})) }}"
        return f"{f} {text} {w}"

    def distinct(self, shape: Shape, f: str, n: int, test: Callable[[str], str] | None) -> str:
        """A pattern with a solution iff ``f`` has ``n`` distinct value nodes (passing
        ``test``)."""
        if n == 1 and test is None and shape.path is not None:
            # any value at all: the cheaper path (no transitive closure for p+)
            tail = self.reach(shape.path)
            return "FILTER(true)" if tail is None else f"{f} {tail} {self.var()}"
        vs = [self.var() for _ in range(n)]
        parts = [self.values(shape, f, x, None) for x in vs]
        if test:
            parts += [f"FILTER({test(x)})" for x in vs]
        parts += [f"FILTER(!sameTerm({a}, {b}))" for a, b in itertools.combinations(vs, 2)]
        return " ".join(parts)

    def qualified(
        self, shape: Shape, q: Node, lead: str, f: str
    ) -> Iterator[tuple[str, str | None, str | None, str]]:
        siblings: list[Node] = []
        if shape.params.get(SH.qualifiedValueShapesDisjoint):
            for parent in self.g.subjects(SH.property, shape.node):
                for sib in self.g.objects(parent, SH.property):
                    if sib != shape.node:
                        siblings.extend(self.g.objects(sib, SH.qualifiedValueShape))

        def test(x: str) -> str:
            return " && ".join(
                [
                    self.conforms(q, x),
                    *(f"!{self.conforms(s, x)}".replace("!NOT EXISTS", "EXISTS") for s in siblings),
                ]
            )

        low = shape.params.get(SH.qualifiedMinCount)
        high = shape.params.get(SH.qualifiedMaxCount)
        for n, comp, neg in (
            (low, "QualifiedMinCountConstraintComponent", "NOT "),
            (None if high is None else int(high) + 1, "QualifiedMaxCountConstraintComponent", ""),
        ):
            if n is None or n == 0:
                continue
            if int(n) > _MAX_COUNT_VARS:
                raise UnsupportedShapeError(
                    f"{shape.node.n3()}: qualified count {n} (above {_MAX_COUNT_VARS - 1})"
                )
            yield (
                f"{lead} FILTER({neg}EXISTS {{ {self.distinct(shape, f, int(n), test)} }})",
                None,
                None,
                comp,
            )

    def datatype(self, v: str, dt: Node) -> str:
        if dt == RDF.langString:
            return f'isLiteral({v}) && LANG({v}) != ""'
        if str(dt) in self.retyped:
            raise UnsupportedShapeError(
                f"sh:datatype {name(dt)}: the data holds literals Oxigraph stores with"
                " another datatype (xsd:byte as xsd:integer, ...)"
            )
        same = f"isLiteral({v}) && sameTerm(DATATYPE({v}), {t(dt)})"
        if str(dt).startswith(str(XSD)):
            if dt not in CHECKED:
                raise UnsupportedShapeError(f"sh:datatype {name(dt)}: lexical form not checked")
            if dt == XSD.string:
                return f'{same} && LANG({v}) = ""'
            if dt in LEXICAL:
                check = f"{same} && REGEX(STR({v}), {t(rdflib.Literal(LEXICAL[dt]))})"
            elif dt in RANGES:
                low, high = RANGES[dt]
                number = f"{t(XSD.integer)}(STR({v}))"
                check = (
                    f"{same} && REGEX(STR({v}), {t(rdflib.Literal(_INT))})"
                    f" && {number} >= {low} && {number} <= {high}"
                )
            else:
                check = f"{same} && sameTerm(DATATYPE({t(dt)}(STR({v}))), {t(dt)})"
            # rdflib rewrites some ill-typed lexical forms ("maybe"^^xsd:boolean becomes
            # "false") but flags them: those literals are named.
            bad = [f" && !sameTerm({v}, {sparql.term(x)})" for x in self.ill_typed.get(str(dt), [])]
            return check + "".join(bad)
        return same

    # -- targets ----------------------------------------------------------------------------
    def focus(self, shape: Shape) -> Focus | None:
        """The pattern of a shape's focus nodes, or None if it has no targets."""
        targets = list(shape.targets)
        if shape.implicit_class:
            if not isinstance(shape.node, rdflib.URIRef):
                raise UnsupportedShapeError("a blank-node implicit class target")
            targets.append((SH.targetClass, shape.node))
        if not targets:
            return None

        def pattern(x: str) -> str:
            parts = []
            nodes = [o for p, o in targets if p == SH.targetNode]
            if nodes:
                parts.append(f"VALUES {x} {{ {' '.join(self.const(n) for n in nodes)} }}")
            for p, o in targets:
                if p == SH.targetClass:
                    parts.append(f"{x} {t(RDF.type)}/{t(RDFS.subClassOf)}* {t(o)}")
                elif p == SH.targetSubjectsOf:
                    parts.append(f"{x} {t(o)} []")
                elif p == SH.targetObjectsOf:
                    parts.append(f"[] {t(o)} {x}")
            return "{ " + " UNION ".join(f"{{ {p} }}" for p in parts) + " }"

        return pattern


def _messages(g: rdflib.Graph, *nodes: Node | None) -> tuple[rdflib.Literal, ...]:
    """The sh:message values of the first of ``nodes`` that has any (a SPARQL constraint's
    own, else its shape's), as SHACL copies them into sh:resultMessage."""
    for node in nodes:
        if node is None:
            continue
        found = sorted(
            (m for m in g.objects(node, SH.message) if isinstance(m, rdflib.Literal)),
            key=lambda m: (str(m), m.language or ""),
        )
        if found:
            return tuple(found)
    return ()


def _templated(g: rdflib.Graph, nodes: set[Node]) -> bool:
    """True if a message of these shapes (or their SPARQL constraints) has a {$var}/{?var}
    template, which the compiled engine does not fill."""
    holders = set(nodes) | {c for n in nodes for c in g.objects(n, SH.sparql)}
    return any("{$" in str(m) or "{?" in str(m) for n in holders for m in g.objects(n, SH.message))


def _closure(g: rdflib.Graph, roots: set[Node]) -> set[Node]:
    """Shapes reachable from ``roots`` through shape-taking parameters."""
    seen, todo = set(roots), list(roots)
    while todo:
        node = todo.pop()
        for p in SHAPE_REFERENCES:
            for o in g.objects(node, p):
                found = list(Collection(g, o)) if p in (SH["and"], SH["or"], SH.xone) else [o]
                for x in found:
                    if x not in seen:
                        seen.add(x)
                        todo.append(x)
    return seen


def _subgraph(g: rdflib.Graph, compiled: set[Node]) -> rdflib.Graph:
    """The shapes graph for pySHACL: everything (referenced shapes, custom constraint
    components, prefixes) except the targets of the shapes validated by compiled checks,
    so pySHACL validates only the refused shapes' focus nodes."""
    out = rdflib.Graph()
    targets = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
    for s, p, o in g:
        if s in compiled and (p in targets or (p == RDF.type and o == RDFS.Class)):
            continue
        out.add((s, p, o))
    return out


def _run_sparql(
    loaded: Loaded,
    shape: Shape,
    constraint: SparqlConstraint,
    focus: Focus,
    var: str,
    shapes: rdflib.Graph,
) -> Iterator[Result]:
    """One SPARQL-based constraint with SHACL's pre-binding of $this (and $currentShape,
    $PATH): in one query for all focus nodes where that is provably the same
    (:func:`set_oriented`), else per focus node with the terms substituted."""
    store = loaded.store
    fixed: dict[str, ox.NamedNode | ox.Literal] = {}
    if "currentShape" in constraint.variables:
        fixed["currentShape"] = to_ox(shape.node)
    if "PATH" in constraint.variables:
        assert shape.path is not None
        fixed["PATH"] = to_ox(shape.path)
    text = substitute(constraint.text, fixed) if fixed else constraint.text
    once = set_oriented(text, focus("?this"))
    runs: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, str]] = []
    if once is not None:
        runs.append((None, once))
    else:
        nodes = store.query(f"SELECT DISTINCT {var} WHERE {{ {focus(var)} }}")
        assert isinstance(nodes, ox.QuerySolutions)
        for (node,) in list(nodes):
            if isinstance(node, ox.BlankNode):
                raise UnsupportedShapeError(
                    f"{name(shape.node)}: sh:sparql on a blank-node focus node (cannot be"
                    " written into the query)"
                )
            assert isinstance(node, ox.NamedNode | ox.Literal)
            runs.append((node, substitute(text, {"this": node})))
    seen: set[tuple[object, ...]] = set()  # one result per focus node, path and value
    for fixed_node, query in runs:
        rows = store.query(query)
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            node = row["this"] if fixed_node is None else fixed_node
            if row["failure"] == ox.Literal("true", datatype=ox.NamedNode(str(XSD.boolean))):
                raise ShapesError(f"sh:sparql {name(constraint.node)} reported a failure")
            value = row["value"]
            path = row["path"]
            if (node, path, value) in seen:
                continue
            seen.add((node, path, value))
            focus_node = loaded.term(node)
            yield Result(
                focus=focus_node,
                shape=shape.node,
                component=str(SH.SPARQLConstraintComponent),
                severity=str(shape.severity),
                path=shape.path if path is None else loaded.term(path),
                value=(focus_node if shape.path is None else None)
                if value is None
                else loaded.term(value),
                constraint=constraint.node,
                messages=_messages(shapes, constraint.node, shape.node),
            )


def validate_compiled(data: rdflib.Graph | Data, shapes: rdflib.Graph, *, fallback: bool) -> Report:
    """Validate with compiled checks; shapes that do not compile go to pySHACL if
    ``fallback``, else raise UnsupportedShapeError naming the construct."""
    from igfkg.quality.shacl.engine import validate_pyshacl

    if not isinstance(data, Data):
        data = Data(data)
    model = read_shapes(shapes)
    try:
        loaded = data.load()
    except LiteralCollisionError:
        if not fallback:
            raise
        report = validate_pyshacl(data.graph(), shapes)
        report.conforms = not report.results
        report.engines = {str(node): "pyshacl" for node in model}
        return report
    compiler = Compiler(model, shapes, loaded.ill, loaded.rewritten, loaded.retyped)
    store = loaded.store
    queries: list[tuple[str, Shape, str | None, str | None, Node, Shape]] = []
    engines: dict[str, str] = {}
    refused: set[Node] = set()
    jobs: list[tuple[Node, Shape, SparqlConstraint, Focus, str]] = []
    for node in model:
        try:
            if _templated(shapes, _closure(shapes, {node})):
                raise UnsupportedShapeError(f"{name(node)}: sh:message with {{$...}} templates")
            shape = compiler.shape(node)
            focus = compiler.focus(shape)
            if focus is None or shape.deactivated:
                continue
            compiled = []
            del compiler.sparql_jobs[:]
            for pattern, fv, value, pathvar, comp, source, extra in compiler.checks(
                shape, focus, "?this"
            ):
                select = " ".join(x for x in (f"({fv} AS ?focus)", value, pathvar, *extra) if x)
                compiled.append(
                    (
                        f"SELECT DISTINCT {select} WHERE {{ {pattern} }}",
                        source,
                        value,
                        pathvar,
                        comp,
                        shape,
                    )
                )
            queries.extend(compiled)
            jobs.extend((node, *job) for job in compiler.sparql_jobs)
        except UnsupportedShapeError:
            if not fallback:
                raise
            refused.add(node)
    results: list[Result] = []
    for top, shape, constraint, focus, var in jobs:
        if top in refused:
            continue
        try:
            results.extend(_run_sparql(loaded, shape, constraint, focus, var, shapes))
        except UnsupportedShapeError:
            if not fallback:
                raise
            refused.add(top)
            results = [r for r in results if r.shape not in _closure(shapes, {top})]
    queries = [q for q in queries if q[5].node not in refused]
    for text, source, value, pathvar, comp, _top in queries:
        solutions = store.query(text)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            path: Node | None = source.path
            if pathvar:
                path = loaded.term(row[pathvar[1:]])
            results.append(
                Result(
                    focus=loaded.term(row["focus"]),
                    shape=source.node,
                    component=str(comp),
                    severity=str(source.severity),
                    path=path,
                    value=None if value is None else loaded.term(row[value[1:]]),
                    messages=_messages(shapes, source.node),
                )
            )
    conforms = not results
    reach = _closure(shapes, refused)
    for node in model:
        own = node in refused or (node in reach and not any(q[5].node == node for q in queries))
        engines[str(node)] = "pyshacl" if own else "compiled"
    if refused:
        sub = validate_pyshacl(data.graph(), _subgraph(shapes, set(model) - refused))
        results.extend(sub.results)
        conforms = conforms and sub.conforms and not sub.results
    return Report(conforms, results, shapes, engines)
