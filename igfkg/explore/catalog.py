"""The catalog of canned queries: one SPARQL file per competency question.

Each ``queries/<id>.rq`` starts with ``#+`` header lines: ``question``, ``keywords`` and one
``param`` line per parameter, ``#+ param: NAME KIND [default=VALUE] [optional] [var=VARIABLE] |
DESCRIPTION`` where KIND is ``entity`` (resolved to an IRI from an IRI, CURIE or label),
``mesh`` (an entity resolved on to the MeSH descriptor it maps to) or ``literal``.
Parameters are bound as RDF terms, never pasted into the query text.

>>> q = catalog().get("adverse-effects")
>>> q.params[0].name, q.params[0].default
('drug', 'kb:mecasermin')
>>> "adverse-effects" in catalog().ids()
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import resources
from igfkg.core.errors import DataFileError, ParameterError, QueryError, UnknownQueryError
from igfkg.core.results import Result, Term

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["CannedQuery", "Catalog", "Parameter", "catalog"]

_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s+(?P<kind>entity|mesh|literal)(?P<opts>(\s+\S+)*?)\s*\|\s*(?P<doc>.+)$"
)
SIB_BASE = "https://w3id.org/igfkg/sparql-examples/"


@dataclass(frozen=True)
class Parameter:
    """A query parameter: its name, kind (entity or literal), default and the variable it binds."""

    name: str
    kind: str
    description: str
    default: str | None = None
    optional: bool = False
    variable: str = ""

    def __str__(self) -> str:
        extra = f" = {self.default}" if self.default else (" (optional)" if self.optional else "")
        return f"{self.name} ({self.kind}){extra}"


@dataclass(frozen=True)
class CannedQuery:
    """One canned query: id, the question it answers, keywords, parameters and SPARQL text."""

    id: str
    question: str
    keywords: tuple[str, ...]
    params: tuple[Parameter, ...]
    sparql: str
    path: Path
    inference: bool = False
    literature_index: bool = False
    pages: str = ""

    def bindings(self, kg: GraphPort, values: Mapping[str, str | None]) -> dict[str, Term]:
        """Resolve parameter values (or defaults) to RDF terms keyed by query variable."""
        known = {p.name for p in self.params}
        unknown = sorted(k for k, v in values.items() if k not in known and v is not None)
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise ParameterError(
                f"query {self.id!r} has no parameter {unknown[0]!r}; its parameters: {names}"
            )
        out: dict[str, Term] = {}
        for p in self.params:
            value = values.get(p.name)
            if value is None:
                value = p.default
            if value is None:
                if p.optional:
                    continue
                raise ParameterError(
                    f"query {self.id!r} needs parameter {p.name!r}: {p.description}"
                )
            if p.kind == "entity":
                out[p.variable] = kg.resolve(value)
            elif p.kind == "mesh":
                out[p.variable] = kg.mesh_descriptor(value)
            else:
                out[p.variable] = ox.Literal(value)
        return out

    def paged(self, limit: int | None = None, offset: int = 0) -> str:
        """The SPARQL text answering with at most ``limit`` rows after skipping ``offset``
        rows of the full, ordered answer: cut where the query marks ``#+ page: here`` (before
        lookups a page does not need) or else at its end, within any LIMIT it has.

        >>> q = catalog().get("co-indexed-descriptors")
        >>> q.paged(10, 45).rstrip().splitlines()[-1]
        'LIMIT 10 OFFSET 45'
        """
        _check_page(limit, offset)
        if limit is None and offset == 0:
            return self.sparql
        if limit is not None:
            limit = min(limit, _MAX_ROWS - offset)  # no store has more rows; rdflib needs it
        mark = _PAGE_MARK.search(self.sparql)
        if mark is not None:
            return self.sparql[: mark.start()] + _slice(limit, offset) + self.sparql[mark.end() :]
        text = self.sparql.rstrip()
        own = _TRAILING_LIMIT.search(text)
        if own is None:
            return f"{text}\n{_slice(limit, offset)}\n"
        # Rows [offset, offset + limit) of the query's own rows [own_offset, own_offset + cap).
        cap, own_offset = int(own["limit"]), int(own["offset"] or 0)
        left = max(cap - offset, 0)
        window = left if limit is None else min(limit, left)
        return f"{text[: own.start()]}{_slice(window, own_offset + offset)}\n"

    def run(
        self,
        kg: GraphPort,
        values: Mapping[str, str | None],
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> Result:
        """Run on ``kg`` with parameter values given as IRI, CURIE or label strings, the
        answer paged with ``limit`` and ``offset`` (:meth:`paged`). A query
        that declares ``#+ inference: owl-rl`` runs on asserted + inferred triples: the OWL 2 RL
        closure is materialised into the inferred graph first if it is not there yet (on the
        embedded stores; a remote store must hold it, as loaded from the release's
        ``igfkg-inferred.ttl``). One that declares ``#+ index: literature`` reads the literature
        index, brought up to date first on the embedded stores (a remote store is used as
        loaded). One that declares ``#+ pages: yearly-evidence`` is answered from the evidence
        graph's yearly counts where they can say which years hold the page
        (:mod:`igfkg.explore.sentence_pages`)."""
        _check_page(limit, offset)
        if self.inference and not kg.has_inferred():
            if not kg.backend.capabilities.local:
                from igfkg.core.namespaces import GRAPH_INFERRED

                # Materialising would download the whole remote store: say what to load.
                raise QueryError(
                    f"query {self.id!r} needs the OWL 2 RL closure, which the endpoint does not "
                    f"hold: load it into the graph <{GRAPH_INFERRED}>, e.g. igfkg load "
                    f"--endpoint GSP_URL --graph {GRAPH_INFERRED} igfkg-inferred.ttl (from "
                    "igfkg build)"
                )
            kg.materialize()
        if self.literature_index:
            kg.ensure_literature_index()
        bindings = self.bindings(kg, values)
        if self.pages:
            from igfkg.explore.sentence_pages import sentence_page

            answer = sentence_page(kg, bindings, limit, offset)
            if answer is not None:
                return answer
        return kg.select(self.paged(limit, offset), bindings)


def _check_page(limit: int | None, offset: int) -> None:
    if (limit is not None and not 0 <= limit <= _MAX_ROWS) or not 0 <= offset <= _MAX_ROWS:
        raise ParameterError(
            f"limit and offset must be 0 or more, at most {_MAX_ROWS}, got {limit} and {offset}"
        )


# Where a query's rows are paged (a whole line), and a LIMIT ending a query.
_PAGE_MARK = re.compile(r"^#\+ page: here$", re.MULTILINE)
_TRAILING_LIMIT = re.compile(r"\bLIMIT\s+(?P<limit>\d+)(?:\s+OFFSET\s+(?P<offset>\d+))?$", re.I)
# The most rows a page can start at or hold (a signed 64-bit count, as stores keep them).
_MAX_ROWS = 2**63 - 1
# Names taken by paging (``kg.query(id, limit=..., offset=...)``), so no parameter has them.
_RESERVED = ("limit", "offset")


def _slice(limit: int | None, offset: int) -> str:
    parts = [] if limit is None else [f"LIMIT {int(limit)}"]
    return " ".join(parts + ([f"OFFSET {int(offset)}"] if offset else []))


def parse_query_file(path: Path) -> CannedQuery:
    """Read one ``.rq`` file with its ``#+`` header."""
    text = path.read_text(encoding="utf-8")
    fields: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#+"):
            continue
        key, sep, value = line[2:].strip().partition(":")
        if not sep:
            raise DataFileError(str(path), f"header line needs 'key: value': {line!r}", number)
        fields.setdefault(key.strip(), []).append(value.strip())
    if "question" not in fields:
        raise DataFileError(str(path), "no '#+ question:' header")
    params = []
    for raw in fields.get("param", []):
        m = _PARAM.match(raw)
        if m is None:
            raise DataFileError(str(path), f"bad param header {raw!r}")
        opts: dict[str, str] = {}
        for option in m["opts"].split():
            key, _, value = option.partition("=")
            opts[key] = value or "true"
        params.append(
            Parameter(
                name=m["name"],
                kind=m["kind"],
                description=m["doc"],
                default=opts.get("default"),
                optional="optional" in opts,
                variable=opts.get("var", m["name"]),
            )
        )
    if any(p.name in _RESERVED for p in params):
        raise DataFileError(str(path), f"parameters cannot be named {' or '.join(_RESERVED)}")
    if fields.get("page", ["here"]) != ["here"]:
        raise DataFileError(str(path), f"at most one '#+ page: here' line, got {fields['page']}")
    inference = fields.get("inference", [""])[0]
    if inference not in ("", "owl-rl"):
        raise DataFileError(str(path), f"inference must be 'owl-rl', got {inference!r}")
    index = fields.get("index", [""])[0]
    if index not in ("", "literature"):
        raise DataFileError(str(path), f"index must be 'literature', got {index!r}")
    pages = fields.get("pages", [""])[0]
    if pages not in ("", "yearly-evidence"):
        raise DataFileError(str(path), f"pages must be 'yearly-evidence', got {pages!r}")
    keywords = tuple(
        k.strip() for k in ",".join(fields.get("keywords", [])).split(",") if k.strip()
    )
    return CannedQuery(
        path.stem,
        fields["question"][0],
        keywords,
        tuple(params),
        text,
        path,
        bool(inference),
        bool(index),
        pages,
    )


class Catalog:
    """The canned queries by id."""

    def __init__(self, queries: list[CannedQuery]) -> None:
        self._queries = {q.id: q for q in queries}

    def __iter__(self) -> Iterator[CannedQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def ids(self) -> list[str]:
        """The query ids, sorted."""
        return sorted(self._queries)

    def get(self, query_id: str) -> CannedQuery:
        """The query with this id, or UnknownQueryError listing the known ones."""
        try:
            return self._queries[query_id]
        except KeyError:
            raise UnknownQueryError(query_id, self.ids()) from None

    def to_markdown(self) -> str:
        """The catalog as a Markdown table: id, question, parameters."""
        lines = ["| id | question | parameters |", "|---|---|---|"]
        for q in sorted(self, key=lambda q: q.id):
            params = ", ".join(f"`{p}`" for p in q.params) or "—"
            lines.append(f"| `{q.id}` | {q.question} | {params} |")
        return "\n".join(lines) + "\n"

    def to_sib_turtle(self) -> str:
        """The catalog in the SIB sparql-examples form (``sh:SPARQLExecutable``), as Turtle."""
        lines = [
            "@prefix ex: <" + SIB_BASE + "> .",
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
            "@prefix schema: <https://schema.org/> .",
            "@prefix sh: <http://www.w3.org/ns/shacl#> .",
            "",
        ]
        for q in sorted(self, key=lambda q: q.id):
            body = "\n".join(ln for ln in q.sparql.splitlines() if not ln.startswith("#+"))
            keywords = " , ".join(_turtle_string(k) for k in q.keywords)
            lines += [
                f"ex:{q.id} a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;",
                f"    rdfs:comment {_turtle_string(q.question)}@en ;",
                f"    sh:select {_turtle_string(body.strip())} ;",
            ]
            if keywords:
                lines.append(f"    schema:keywords {keywords} ;")
            lines[-1] = lines[-1][:-2] + " ."
            lines.append("")
        return "\n".join(lines)


def _turtle_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    """The bundled catalog."""
    return Catalog([parse_query_file(p) for p in resources.query_files()])
