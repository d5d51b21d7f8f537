"""Parameters bound into query text as RDF terms: a VALUES block opening the right WHERE
group, found from the query's tokens (never by pasting user text)."""

from __future__ import annotations

from collections.abc import Mapping

from igfkg.core.errors import QueryError
from igfkg.core.results import Term
from igfkg.store.guard import tokens

__all__ = ["query_form", "with_values"]


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword among the query's
    tokens (comments, strings and IRIs are no code), "" if there is none.

    >>> query_form("PREFIX s: <http://x/SELECT#> # ASK\\nconstruct WHERE { ?s ?p 'SELECT' }")
    'CONSTRUCT'
    """
    for token in tokens(query):
        if token.kind == "word" and token.text.upper() in _FORMS:
            return token.text.upper()
    return ""


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def _where_groups(query: str) -> list[tuple[int, str]]:
    """For each ``WHERE {`` of the query (by its tokens: strings, IRIs and comments are no
    code), the index just after its ``{`` and the projection of the SELECT it belongs to (the
    variables it projects, except those only named after AS)."""
    toks = list(tokens(query))
    groups: list[tuple[int, str]] = []
    last_select = -1
    for i, tok in enumerate(toks):
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "SELECT":
            last_select = i
        elif word == "WHERE" and i + 1 < len(toks) and toks[i + 1].text == "{":
            projected = set()
            if last_select >= 0:
                clause = toks[last_select + 1 : i]
                for j, t in enumerate(clause):
                    after_as = j > 0 and clause[j - 1].text.upper() == "AS"
                    if t.kind == "var" and not after_as:
                        projected.add(t.text[1:])
            groups.append((toks[i + 1].start + 1, " ".join(sorted(projected))))
    return groups


def with_values(query: str, bindings: Mapping[str, Term]) -> str:
    """``query`` with its bindings as a VALUES block opening a WHERE group: the innermost
    subquery that projects every bound variable, else the outermost group. (A subquery is
    evaluated on its own before it is joined, so a value bound only outside it would not
    narrow it.)

    The values are RDF terms (IRIs checked by pyoxigraph, literals escaped by its N-Triples
    writer), never raw user text; the groups are found from the query's tokens. Oxigraph plans
    a VALUES block like constants; its ``substitutions`` are joined after planning and can be
    1000x slower on path queries.

    >>> from pyoxigraph import Literal, NamedNode
    >>> q = with_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": NamedNode("http://x/a")})
    >>> q.splitlines()
    ['SELECT ?x WHERE { VALUES (?x) { (<http://x/a>) }', ' ?x ?p ?o }']
    >>> print(with_values("SELECT ?n WHERE { }", {"n": Literal('"} DROP ALL #')}).splitlines()[0])
    SELECT ?n WHERE { VALUES (?n) { ("\\"} DROP ALL #") }
    >>> q = "SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x } }"
    >>> with_values(q, {"x": NamedNode("http://x/a")}).splitlines()[0]
    'SELECT ?x ?n WHERE { { SELECT ?x (COUNT(*) AS ?n) WHERE { VALUES (?x) { (<http://x/a>) }'
    """
    if not bindings:
        return query
    groups = _where_groups(query)
    if not groups:
        raise QueryError("a query with parameters needs an explicit 'WHERE {' clause")
    cut = groups[0][0]
    for end, projected in reversed(groups[1:]):
        if set(bindings) <= set(projected.split()):
            cut = end
            break
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(str(term) for term in bindings.values())
    if "\\u" in terms or "\\U" in terms:
        # SPARQL expands \u escapes before parsing, also inside strings: such a value could
        # change the query around it.
        raise QueryError(f"a parameter value holds a \\u or \\U escape: {terms[:100]}")
    return f"{query[:cut]} VALUES ({names}) {{ ({terms}) }}\n{query[cut:]}"
