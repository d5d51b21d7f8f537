"""Pages of the canned ``evidence-sentences`` query, read from the yearly evidence index.

The canned query sorts every sentence naming the entity (or the pair) before it cuts a page: at
a million abstracts, insulin's 147,000 sentences, 25 s. The evidence graph counts the sentences
of each entity and of each pair of entities per publication year (``igfkg:YearlyEvidence``,
``igfkg:YearlyPairEvidence``), so a few numbers say which years hold the page, and only those
years' sentences are read and sorted: newest year first, each in the canned query's order and
with its columns. A year's sentences are sorted by the PMID and offset their IRIs are made of
(``igfkg:evidence/PMID/BEGIN-END``, :mod:`igfkg.literature.reading.rdf`), and only the page's
rows get their year, PMID and offset looked up. The rows are the canned query's rows (the tests
compare the two on every backend), but for an article with two publication years in the store,
which the canned query lists twice and its yearly counts once. A store whose evidence graph
keeps no such counts (``igfkg:evidenceFormat`` other than the current one), or a claim with
more than one subject or object, gets the canned query.

>>> import igfkg
>>> kg = igfkg.open()
>>> stats = kg.read()
>>> fast = kg.query("evidence-sentences", entity="mecasermin", limit=2, offset=1)
>>> from igfkg.explore.catalog import catalog
>>> canned = catalog().get("evidence-sentences")
>>> slow = kg.select(canned.paged(2, 1), {"entity": kg.resolve("mecasermin")})
>>> [r["sentence"] for r in fast] == [r["sentence"] for r in slow] and len(fast) == 2
True
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.namespaces import EVIDENCE_FORMAT
from igfkg.core.results import Result, Term

if TYPE_CHECKING:
    from igfkg.explore.catalog import CannedQuery
    from igfkg.store.port import GraphPort

__all__ = ["sentence_page"]

_FORMAT = sparql.load("igfkg.explore", "evidence-format")
_CLAIM = sparql.load("igfkg.explore", "evidence-claim-pair")
_ENTITY_YEARS = sparql.load("igfkg.explore", "evidence-year-counts")
_PAIR_YEARS = sparql.load("igfkg.explore", "evidence-year-pair-counts")
_YEAR = sparql.load("igfkg.explore", "evidence-sentences-year")


@cache
def _year_query() -> CannedQuery:
    """The sentences of one yearly node, paged like a canned query."""
    from igfkg.explore.catalog import CannedQuery

    name = "evidence-sentences-year"
    return CannedQuery(name, "", (), (), _YEAR, Path(name))


def sentence_page(
    kg: GraphPort, bindings: Mapping[str, Term], limit: int | None, offset: int
) -> Result | None:
    """Rows ``offset`` to ``offset + limit`` of ``evidence-sentences`` with these ``bindings``
    (``entity``, ``other``, ``claimId``), read year by year; None where the canned query is
    the better way (no limit, no entity nor claim, a store without the counts): the caller
    runs it."""
    if limit is None:  # a whole answer: the canned query (year by year was no faster at 1M)
        return None
    pair = _pair(kg, bindings)
    if pair is None or not kg.select(_FORMAT, {"format": ox.Literal(EVIDENCE_FORMAT)}):
        return None
    first, second = pair
    if first is None:  # an unknown claim, or a value: no sentence names it
        counts = Result([])
    elif second is None:
        counts = kg.select(_ENTITY_YEARS, {"entity": first})
    else:
        counts = kg.select(_PAIR_YEARS, {"entity": first, "other": second})
    years = sorted(
        (
            (_year(r["year"]), _int(r["sentences"]), yearly)
            for r in counts
            if isinstance(yearly := r["yearly"], ox.NamedNode)
        ),
        key=lambda y: (y[0] is None, -(y[0] or 0)),  # newest first, no year last
    )
    query = _year_query()
    rows: list[tuple[Term | None, ...]] = []
    variables: list[str] | None = None
    skip, left = offset, limit
    for _, count, yearly in years:
        if left <= 0:
            break
        if skip >= count:
            skip -= count
            continue
        take = min(count - skip, left)
        answer = kg.select(query.paged(take, skip), {"yearly": yearly})
        variables = answer.variables
        rows += [tuple(row) for row in answer]
        skip = 0
        left -= take
    if variables is None:  # no year holds the page: the columns, from no rows
        variables = kg.select(query.paged(0), {"yearly": ox.NamedNode(_NONE)}).variables
    return Result(variables, rows)


_NONE = "https://w3id.org/igfkg/evidence-year/none"


def _pair(kg: GraphPort, bindings: Mapping[str, Term]) -> tuple[Term | None, Term | None] | None:
    """The entity (and other entity) whose sentences are asked for, as the canned query takes
    them: a claim stands for its subject and object (an unknown claim for none); a second
    entity alone, for itself. (None, None): no sentence can name them."""
    claim = bindings.get("claimId")
    if claim is not None:
        found = {(r["subject"], r["object"]) for r in kg.select(_CLAIM, {"claimId": claim})}
        if not found:
            return None, None
        if len(found) > 1:
            return None
        first, second = found.pop()
    else:
        first, second = bindings.get("entity"), bindings.get("other")
        if first is None:
            first, second = second, None
    if first is None:
        return None  # every sentence: the canned query
    if not isinstance(first, ox.NamedNode) or not isinstance(second, ox.NamedNode | None):
        return None, None  # a sentence names IRIs only (a claim's object may be a value)
    return first, None if second == first else second


def _year(term: Term | None) -> int | None:
    return int(term.value) if isinstance(term, ox.Literal) else None


def _int(term: Term | None) -> int:
    return int(term.value) if isinstance(term, ox.Literal) else 0
