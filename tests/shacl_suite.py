"""The W3C SHACL test suite (``tests/data/w3c-shacl``): its manifests read into cases, each
engine's answer compared with the expected report the way the suite specifies, and outcomes.

The suite's rules (https://w3c.github.io/data-shapes/data-shapes-test-suite/, "Validate RDF
data"): ``sh:conforms`` equal and the report graphs isomorphic, where the actual report keeps
only ``rdf:type``, ``sh:result``, ``sh:conforms``, ``sh:focusNode``, ``sh:resultPath`` (with
its blank-node structure, cloned per result), ``sh:resultSeverity``, ``sh:sourceConstraint``,
``sh:sourceConstraintComponent``, ``sh:sourceShape``, ``sh:value``, and those
``sh:resultMessage`` triples whose message the expected report also has. A case whose result is
``sht:Failure`` (ill-formed shapes) is right when validation reports a failure.

Outcomes: ``right``; ``refused`` (the engine raised ``UnsupportedShapeError``: not compiled);
``wrong`` (a report that differs, or a report for ill-formed shapes); ``crash`` (any other
exception).

    PYTHONPATH=. python tests/shacl_suite.py --summary          # counts per engine
    PYTHONPATH=. python tests/shacl_suite.py --write-expected   # regenerate the pySHACL baseline
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import rdflib
from rdflib.collection import Collection
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.term import BNode, Literal, Node, URIRef

SUITE = Path(__file__).parent / "data" / "w3c-shacl"
EXPECTED = Path(__file__).parent / "data" / "w3c-shacl-expected.tsv"
# Where the suite's files live on the web; relative IRIs resolve against it, so node IRIs
# (and case ids) do not depend on where the repository is checked out.
BASE = "https://w3c.github.io/data-shapes/data-shapes-test-suite/tests/"

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
RDF = rdflib.RDF

OUTCOMES = ("right", "refused", "wrong", "crash")
ENGINES = ("pyshacl", "fast", "auto")

# The predicates the suite compares (everything else is dropped from the actual report).
_RESULT_KEYS = {
    RDF.type,
    SH.focusNode,
    SH.resultPath,
    SH.resultSeverity,
    SH.sourceConstraint,
    SH.sourceConstraintComponent,
    SH.sourceShape,
    SH.value,
}


@dataclass(frozen=True)
class Case:
    """One ``sht:Validate`` entry. ``expected`` is the expected report graph, or None when the
    expected result is ``sht:Failure`` (the shapes are ill-formed)."""

    id: str  # the entry IRI relative to the suite, e.g. "core/node/class-001"
    label: str
    status: str  # "approved" or "proposed"
    data_file: Path
    shapes_file: Path
    expected: rdflib.Graph | None

    @property
    def failure(self) -> bool:
        return self.expected is None

    def data(self) -> rdflib.Graph:
        return _parse(self.data_file)

    def shapes(self) -> rdflib.Graph:
        return _parse(self.shapes_file)


def _iri(path: Path) -> str:
    return BASE + path.relative_to(SUITE).as_posix()


def _path(iri: Node) -> Path:
    text = str(iri)
    if not isinstance(iri, URIRef) or not text.startswith(BASE):
        raise ValueError(f"{text!r} is not a file of the suite")
    path = SUITE / text[len(BASE) :]
    if not path.is_file():
        raise ValueError(f"{text!r}: no such file in the suite")
    return path


def _parse(path: Path) -> rdflib.Graph:
    """A fresh graph of ``path`` (Turtle), relative IRIs resolved against its suite IRI."""
    return rdflib.Graph().parse(path, format="turtle", publicID=_iri(path))


@cache
def _manifest(path: Path) -> rdflib.Graph:
    return _parse(path)


def manifests(root: Path = SUITE / "manifest.ttl") -> list[Path]:
    """The manifest files reachable from ``root`` through ``mf:include``, depth first."""
    seen: list[Path] = []
    todo = [root]
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.append(path)
        graph = _manifest(path)
        me = URIRef(_iri(path))
        for manifest in graph.subjects(RDF.type, MF.Manifest):
            if manifest != me:
                raise ValueError(f"{path}: a manifest other than <> ({manifest})")
        todo[:0] = sorted(_path(i) for i in graph.objects(me, MF.include))
    return seen


def cases(root: Path = SUITE / "manifest.ttl") -> Iterator[Case]:
    """Every ``sht:Validate`` entry of the manifests reachable from ``root``."""
    for path in manifests(root):
        graph = _manifest(path)
        for entries in graph.objects(URIRef(_iri(path)), MF.entries):
            for entry in Collection(graph, entries):
                yield _case(graph, entry)


def _case(graph: rdflib.Graph, entry: Node) -> Case:
    name = str(entry)[len(BASE) :]
    if (entry, RDF.type, SHT.Validate) not in graph:
        raise ValueError(f"{name}: not an sht:Validate entry")
    action = graph.value(entry, MF.action)
    result = graph.value(entry, MF.result)
    if action is None or result is None:
        raise ValueError(f"{name}: no mf:action or no mf:result")
    data = graph.value(action, SHT.dataGraph)
    shapes = graph.value(action, SHT.shapesGraph)
    if data is None or shapes is None:
        raise ValueError(f"{name}: no sht:dataGraph or no sht:shapesGraph")
    status = graph.value(entry, MF.status)
    expected = None if str(result) == str(SHT.Failure) else _expected(graph, result)
    return Case(
        id=name,
        label=str(graph.value(entry, rdflib.RDFS.label) or graph.value(entry, MF.name) or ""),
        status=str(status).rsplit("#", 1)[-1] if status is not None else "",
        data_file=_path(data),
        shapes_file=_path(shapes),
        expected=expected,
    )


def _expected(graph: rdflib.Graph, report: Node) -> rdflib.Graph:
    """The expected report: the triples of the mf:result node, of its sh:result nodes, and
    their result paths' blank-node structures."""
    if (report, RDF.type, SH.ValidationReport) not in graph:
        raise ValueError(f"{report}: the expected result is not an sh:ValidationReport")
    out = rdflib.Graph()
    for p, o in graph.predicate_objects(report):
        out.add((report, p, o))
    for result in graph.objects(report, SH.result):
        for p, o in graph.predicate_objects(result):
            out.add((result, p, o))
            if p == SH.resultPath:
                _copy_bnodes(graph, o, out)
    return normalise(out, messages=None)


def _copy_bnodes(source: rdflib.Graph, node: Node, out: rdflib.Graph) -> None:
    if isinstance(node, BNode):
        for p, o in source.predicate_objects(node):
            out.add((node, p, o))
            _copy_bnodes(source, o, out)


def normalise(report: rdflib.Graph, *, messages: set[Node] | None) -> rdflib.Graph:
    """The comparable part of a report graph: the compared predicates only, ``sh:conforms`` as
    a canonical boolean, each result path cloned into its own blank nodes, and only the
    ``sh:resultMessage`` values in ``messages`` (all of them if None)."""
    out = rdflib.Graph()
    for node in report.subjects(RDF.type, SH.ValidationReport):
        out.add((node, RDF.type, SH.ValidationReport))
        for value in report.objects(node, SH.conforms):
            truth = isinstance(value, Literal) and value.toPython() in (True, "true", "1")
            out.add((node, SH.conforms, Literal(truth)))
        for result in report.objects(node, SH.result):
            out.add((node, SH.result, result))
            for p, o in report.predicate_objects(result):
                if p == RDF.type and o != SH.ValidationResult:
                    continue
                if p == SH.resultMessage and (messages is None or o in messages):
                    out.add((result, p, o))
                elif p == SH.resultPath:
                    out.add((result, p, _clone(report, o, out)))
                elif p in _RESULT_KEYS:
                    out.add((result, p, o))
    return out


_PATH_KEYS = (
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
)


def _clone(source: rdflib.Graph, path: Node, out: rdflib.Graph) -> Node:
    """Copy the path expression ``path`` into fresh blank nodes of ``out``: only the triples
    that represent the path (a list is a sequence path, else its one path predicate), so
    structures shared between results, or extra triples on a path node, do not matter."""
    if not isinstance(path, BNode):
        return path
    if source.value(path, RDF.first) is not None:
        items = [_clone(source, item, out) for item in Collection(source, path)]
        return Collection(out, BNode(), items).uri
    copy = BNode()
    for key in _PATH_KEYS:
        for value in source.objects(path, key):
            out.add((copy, key, _clone(source, value, out)))
            return copy
    for p, o in source.predicate_objects(path):  # not a path expression: copy it as it is
        out.add((copy, p, _clone(source, o, out)))
    return copy


def compare(expected: rdflib.Graph, actual: rdflib.Graph) -> str | None:
    """None if the actual report graph passes against the expected one, else why not."""
    messages = set(expected.objects(None, SH.resultMessage))
    got = normalise(actual, messages=messages)
    want_conforms = set(expected.objects(None, SH.conforms))
    got_conforms = set(got.objects(None, SH.conforms))
    if want_conforms != got_conforms:
        return f"sh:conforms {_show(got_conforms)}, expected {_show(want_conforms)}"
    if isomorphic(expected, got):
        return None
    _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(got))
    return (
        f"result sets differ: {len(got)} triples against {len(expected)} expected;"
        f" missing {_triples(missing)}; unexpected {_triples(extra)}"
    )


def _show(values: set[Node]) -> str:
    return ", ".join(sorted(v.n3() for v in values)) or "none"


def _triples(graph: rdflib.Graph, limit: int = 6) -> str:
    lines = sorted(" ".join(t.n3() for t in triple) for triple in graph)
    more = f" (+{len(lines) - limit} more)" if len(lines) > limit else ""
    return "[" + "; ".join(lines[:limit]) + "]" + more


@dataclass(frozen=True)
class Outcome:
    outcome: str  # one of OUTCOMES
    detail: str
    seconds: float


def run(case: Case, engine: str) -> Outcome:
    """Validate ``case`` with ``engine`` and classify the answer."""
    from igfkg.core.errors import IgfkgError
    from igfkg.quality.fastshacl import UnsupportedShapeError
    from igfkg.quality.shacl import validate

    data, shapes = case.data(), case.shapes()
    start = time.perf_counter()
    try:
        report = validate(data, shapes, engine=engine)
    except UnsupportedShapeError as error:
        return Outcome("refused", str(error), time.perf_counter() - start)
    except IgfkgError as error:
        # A deliberate error about the input: right exactly when the shapes are ill-formed.
        outcome = "right" if case.failure else "crash"
        return Outcome(outcome, f"{type(error).__name__}: {error}", time.perf_counter() - start)
    except Exception as error:
        return Outcome("crash", f"{type(error).__name__}: {error}", time.perf_counter() - start)
    seconds = time.perf_counter() - start
    if case.expected is None:
        return Outcome("wrong", "a report for ill-formed shapes (sht:Failure expected)", seconds)
    try:
        why = compare(case.expected, report.graph())
    except Exception as error:
        return Outcome("crash", f"report graph: {type(error).__name__}: {error}", seconds)
    return Outcome("right", "", seconds) if why is None else Outcome("wrong", why, seconds)


def read_expected(path: Path = EXPECTED) -> dict[str, str]:
    """The checked-in pySHACL baseline: case id -> outcome."""
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            case_id, outcome = line.split("\t")
            table[case_id] = outcome
    return table


def write_expected(outcomes: dict[str, Outcome], path: Path = EXPECTED) -> None:
    import pyshacl

    lines = [
        "# pySHACL's outcome on each W3C SHACL suite case (tests/data/w3c-shacl), through",
        "# igfkg.quality.shacl.validate(engine='pyshacl'); tests/test_shacl_suite.py asserts",
        f"# pySHACL still gives these. pySHACL {pyshacl.__version__}, rdflib {rdflib.__version__}.",
        "# Regenerate: PYTHONPATH=. python tests/shacl_suite.py --write-expected",
        "# case\tpyshacl",
    ]
    lines += [f"{case_id}\t{o.outcome}" for case_id, o in outcomes.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(table: dict[str, dict[str, Outcome]]) -> str:
    """A Markdown table of outcome counts per engine."""
    lines = ["| engine | " + " | ".join(OUTCOMES) + " | seconds |", "|---" * 6 + "|"]
    for engine, outcomes in table.items():
        counts = Counter(o.outcome for o in outcomes.values())
        seconds = sum(o.seconds for o in outcomes.values())
        cells = " | ".join(str(counts[name]) for name in OUTCOMES)
        lines.append(f"| `{engine}` | {cells} | {seconds:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--summary", action="store_true", help="print counts per engine")
    parser.add_argument("--write-expected", action="store_true", help="rewrite the baseline")
    parser.add_argument("--verbose", action="store_true", help="print every non-right outcome")
    parser.add_argument("--engine", action="append", choices=ENGINES, help="engines to run")
    args = parser.parse_args(argv)
    engines = args.engine or (["pyshacl"] if args.write_expected else list(ENGINES))
    all_cases = list(cases())
    table = {engine: {c.id: run(c, engine) for c in all_cases} for engine in engines}
    if args.write_expected:
        write_expected(table["pyshacl"])
        print(f"wrote {EXPECTED.name}: {len(all_cases)} cases")
    if args.verbose:
        for engine, outcomes in table.items():
            for case_id, o in outcomes.items():
                if o.outcome != "right":
                    print(f"{engine}\t{case_id}\t{o.outcome}\t{o.seconds:.2f}s\t{o.detail[:300]}")
    if args.summary or not args.write_expected:
        print(f"{len(all_cases)} cases")
        print(summary(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
