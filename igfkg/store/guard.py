"""What a SPARQL text may do, decided from its parse, and the limits a query runs under.

Every query and update igfkg runs, and every one its server forwards, passes :func:`vet`:

1. **Size guard** (before any parser sees the text, whose recursion would otherwise crash the
   process): at most ``max_length`` characters and ``max_depth`` nested brackets. The depth is
   measured by a bounded character scan that skips strings and comments; it decides nothing
   about what the query does, it only refuses text too big to parse safely.
2. **One canonical text**: ``\\uXXXX``/``\\UXXXXXXXX`` escapes are expanded once (SPARQL
   processes them before parsing) and every line end becomes ``\\n``, so that the checker and
   the engine tokenize the same characters (a bare ``\\r`` ends a comment for Oxigraph but not for
   rdflib). This text, not the original, is what the engine runs.
3. **The parse decides**: rdflib's SPARQL parser gives the parse tree, walked for ``SERVICE``,
   ``LOAD``, ``FROM`` and the update operations. A text that does not parse is refused.
4. **Fail closed**: if the keyword ``SERVICE`` or ``LOAD`` appears as a token in the text but the
   parse holds none, the two readings disagree and the text is refused. This only ever refuses
   more than the parse alone.

>>> vet("SELECT * WHERE { ?s ?p ?o }", parse=True).form
'SELECT'
>>> vet("SELECT * { # x\\rSERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
igfkg.core.errors.ReadOnlyError: SPARQL SERVICE (federated queries) is refused: ...
>>> vet("SELECT * WHERE " + "{" * 500 + "}" * 500)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
igfkg.core.errors.QueryLimitError: the query nests 500 brackets deep, more than the limit of ...
"""

from __future__ import annotations

import gc
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from igfkg.core.errors import QueryError, QueryLimitError, ReadOnlyError

__all__ = [
    "Limits",
    "Vetted",
    "canonical",
    "current_limits",
    "depth",
    "limits",
    "tokens",
    "vet",
    "watchdog",
]

_SERVICE_REFUSED = (
    "SPARQL SERVICE (federated queries) is refused: igfkg answers from its own graph only"
    " (allow it explicitly with --allow-service)"
)
_LOAD_REFUSED = "SPARQL LOAD is refused: igfkg fetches no URL (allow it with --allow-service)"


# -- limits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What a query may use: time (seconds), rows, and whether it may reach other hosts
    (``SERVICE``, ``LOAD``). ``None``: no limit. ``deadline`` is set on entering :func:`limits`."""

    timeout: float | None = None
    max_rows: int | None = None
    allow_service: bool = False
    deadline: float | None = field(default=None, compare=False)

    def check_time(self) -> None:
        """Raise QueryLimitError once the deadline has passed."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryLimitError(f"query time limit of {self.timeout:g} s hit")

    def check_rows(self, count: int) -> None:
        """Raise QueryLimitError if ``count`` rows are more than allowed."""
        if self.max_rows is not None and count > self.max_rows:
            raise QueryLimitError(
                f"result-size limit of {self.max_rows} rows hit (raise it with --max-rows)"
            )


_NO_LIMITS = Limits()
_LIMITS: ContextVar[Limits | None] = ContextVar("igfkg_limits", default=None)


def current_limits() -> Limits:
    """The limits queries run under here (none unless inside :func:`limits`)."""
    return _LIMITS.get() or _NO_LIMITS


@contextmanager
def limits(
    timeout: float | None = None, max_rows: int | None = None, *, allow_service: bool = False
) -> Iterator[Limits]:
    """Run the queries of the block under these limits (a timeout of 0 or None: none).

    >>> import igfkg
    >>> kg = igfkg.open()
    >>> with limits(max_rows=2):
    ...     kg.sparql("SELECT * WHERE { ?s ?p ?o }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.QueryLimitError: result-size limit of 2 rows hit ...
    """
    timeout = timeout or None
    deadline = None if timeout is None else time.monotonic() + timeout
    value = Limits(timeout, max_rows, allow_service, deadline)
    token = _LIMITS.set(value)
    try:
        yield value
    finally:
        _LIMITS.reset(token)


@contextmanager
def watchdog(seconds: float | None, message: str, code: int) -> Iterator[None]:
    """End the whole process with ``message`` on stderr and exit ``code`` if the block runs
    longer than ``seconds``: the backstop for engine operators that block without yielding a
    row (ORDER BY or COUNT over a huge product), since pyoxigraph cannot cancel a query.
    For command-line processes only.
    """
    if not seconds:
        yield
        return

    def fire() -> None:
        sys.stderr.flush()
        os.write(2, f"igfkg: error: {message}\n".encode())
        os._exit(code)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


# -- canonical text and tokens ----------------------------------------------------------------

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def canonical(text: str) -> str:
    r"""The query with ``\u``/``\U`` escapes expanded once and line ends made ``\n``.

    A text still holding an escape after expansion (``\u005Cu0053``) is refused: an engine
    expanding it again would read another query than the one checked.

    >>> canonical("\\u0053ERVICE\r\n")
    'SERVICE\n'
    >>> canonical("\\u005Cu0053")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.QueryError: ... escape ...
    """

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code == 0:
            raise QueryError(f"SPARQL text holds an invalid code point escape {match.group(0)}")
        return chr(code)

    out = _ESCAPE.sub(expand, text).replace("\r\n", "\n").replace("\r", "\n")
    if _ESCAPE.search(out) or "\x00" in out:
        raise QueryError("SPARQL text holds an escape that would expand twice (\\u005C...)")
    try:
        out.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(
            "SPARQL text holds characters that are not Unicode scalar values"
        ) from None
    return out


class Token(NamedTuple):
    """A lexical token: kind (word, pname, var, iri, string, number, lang, punct), text, start."""

    kind: str
    text: str
    start: int


# IRIREF as the SPARQL grammar defines it: anything but <>"{}|^`\ and characters up to space.
_IRI = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_NAME = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040.\-]*", re.UNICODE)
_LOCAL = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040.\-:%\\]*", re.UNICODE)
_VAR = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040]*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_PUNCT2 = ("^^", "&&", "||", "!=", "<=", ">=")


def _string_end(text: str, i: int) -> int:
    """The index after the string literal starting at ``i`` (short strings also end at a
    line end, so an unterminated one never hides the rest of the text)."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < len(text):
            if text[j] == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                return j + 3
            else:
                j += 1
        return len(text)
    j = i + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, len(text))


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a (canonical) SPARQL text, comments dropped; one linear pass.

    >>> [t.text for t in tokens('SELECT ?x { ?x a "#no" } # yes')]
    ['SELECT', '?x', '{', '?x', 'a', '"#no"', '}']
    """
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            end = _string_end(text, i)
            yield Token("string", text[i:end], i)
            i = end
        elif c == "<" and (m := _IRI.match(text, i)):
            yield Token("iri", m.group(), i)
            i = m.end()
        elif c in "?$":
            end = _VAR.match(text, i + 1).end()  # type: ignore[union-attr]
            yield Token("var", text[i:end], i)
            i = max(end, i + 1)
        elif c == "@":
            end = _NAME.match(text, i + 1).end()  # type: ignore[union-attr]
            yield Token("lang", text[i:end], i)
            i = max(end, i + 1)
        elif c in "0123456789":
            end = _NUMBER.match(text, i).end()  # type: ignore[union-attr]
            yield Token("number", text[i:end], i)
            i = end
        elif c.isalnum() or c in "_:":
            end = _NAME.match(text, i).end()  # type: ignore[union-attr]
            while end > i + 1 and text[end - 1] == ".":
                end -= 1  # a prefix, name or number does not end with a dot
            if end < n and text[end] == ":":
                end = _LOCAL.match(text, end + 1).end()  # type: ignore[union-attr]
                while text[end - 1] == "." and end > i + 1:
                    end -= 1
                yield Token("pname", text[i:end], i)
            else:
                end = max(end, i + 1)
                yield Token("word", text[i:end], i)
            i = end
        else:
            two = text[i : i + 2]
            size = 2 if two in _PUNCT2 else 1
            yield Token("punct", text[i : i + size], i)
            i += size


_OPEN, _CLOSE = "{([", "})]"


def depth(text: str) -> int:
    """The deepest nesting of ``{``, ``(`` and ``[`` outside strings and comments.

    A size guard, not a judgement of what the query does: brackets inside IRIs are counted too
    (a ``<`` the engine reads as an operator must not hide any from this count).

    >>> depth("SELECT * { { ?s ?p ?o FILTER((1)) } } # {{{{{")
    4
    """
    deepest = level = 0
    for token in tokens(text):
        chars = token.text if token.kind in ("punct", "iri") else ""
        for c in chars:
            if c in _OPEN:
                level += 1
                deepest = max(deepest, level)
            elif c in _CLOSE:
                level = max(level - 1, 0)
    return deepest


def check_size(text: str, max_length: int | None = None, max_depth: int | None = None) -> None:
    """Refuse a text longer or deeper than the limits (defaults from the settings)."""
    from igfkg.core.config import settings

    conf = settings()
    max_length = conf.max_query_length if max_length is None else max_length
    max_depth = conf.max_query_depth if max_depth is None else max_depth
    if len(text) > max_length:
        raise QueryLimitError(
            f"the query is {len(text)} characters long, more than the limit of {max_length}"
            " (IGFKG_MAX_QUERY_LENGTH)"
        )
    deep = depth(text)
    if deep > max_depth:
        raise QueryLimitError(
            f"the query nests {deep} brackets deep, more than the limit of {max_depth}"
            " (IGFKG_MAX_QUERY_DEPTH)"
        )


# -- the parse -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vetted:
    """A checked SPARQL text: ``text`` is the canonical text to run; ``form`` is SELECT, ASK,
    CONSTRUCT or DESCRIBE for a query, UPDATE for an update."""

    text: str
    form: str
    service: bool = False
    load: bool = False
    dataset: bool = False
    operations: tuple[str, ...] = ()
    parsed: bool = True

    @property
    def is_update(self) -> bool:
        """True for a SPARQL Update."""
        return self.form == "UPDATE"


_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


def _names(tree: Any) -> Iterator[str]:
    """The names of every parse-tree node (rdflib CompValues), depth first, iteratively."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(dict.values(node))
        elif isinstance(node, ParseResults | list | tuple):
            stack.extend(node)


@contextmanager
def _recursion(limit: int) -> Iterator[None]:
    # rdflib's recursive-descent parser needs ~300 frames per nested group; the size guard
    # has bounded the nesting, so this bounded raise is safe.
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _parse_error(error: Exception) -> QueryError:
    line = getattr(error, "lineno", None)
    col = getattr(error, "col", None)
    where = f" at line {line}, column {col}" if line else ""
    msg = str(getattr(error, "msg", "") or error).splitlines()[0][:200]
    return QueryError(f"SPARQL syntax error{where}: {msg}")


_PARSE_LOCK = threading.Lock()  # pyparsing's packrat cache and the recursion limit are global


def _parse(text: str) -> tuple[str, Any]:
    """("query" or "update", rdflib's parse tree) of ``text``, parsed on a thread of its own:
    a deep stack for the recursive-descent parser, and no reference from pyparsing's caches
    to the caller's frames (which would keep a store, and its lock, alive)."""
    from pyparsing import ParseException, ParserElement
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    found: list[tuple[str, Any]] = []
    failed: list[Exception] = []

    def work() -> None:
        try:
            try:
                found.append(("query", parseQuery(text)))
            except ParseException as query_error:
                try:
                    found.append(("update", parseUpdate(text)))
                except ParseException:
                    failed.append(_parse_error(query_error))
        except (RecursionError, ValueError) as error:
            failed.append(QueryError(f"SPARQL text cannot be parsed: {str(error)[:200]}"))
        finally:
            ParserElement.reset_cache()

    # No garbage collection meanwhile: the parse thread must not be the one that drops the
    # caller's pyoxigraph objects (they may only be freed on the thread that made them).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _PARSE_LOCK, _recursion(100_000):
            size = threading.stack_size(256 * 2**20)
            try:
                worker = threading.Thread(target=work, name="igfkg-sparql-parse")
                worker.start()
            finally:
                threading.stack_size(size)
            worker.join()
    finally:
        if collecting:
            gc.enable()
    if failed:
        raise failed[0]
    return found[0]


def _may_reach_out(text: str) -> bool:
    """False only if ``text`` cannot hold the keywords SERVICE or LOAD in any tokenization:
    their letters do not occur in it at all, under either case folding an engine may use.
    (This never allows anything the parse would refuse; it spares the parse for the common
    query, which keeps igfkg's own canned queries fast.)"""
    folded, upper = text.casefold(), text.upper()
    return any(w in folded for w in ("service", "load")) or any(
        w in upper for w in ("SERVICE", "LOAD")
    )


@lru_cache(maxsize=512)
def _inspect(text: str) -> Vetted:
    kind, tree = _parse(text)
    names = list(_names(tree))
    if kind == "query":
        form = next((_FORMS[n] for n in names if n in _FORMS), "SELECT")
        operations: tuple[str, ...] = ()
    else:
        form = "UPDATE"
        request = tree.get("request") or []
        operations = tuple(getattr(op, "name", "?") for op in request)
    vetted = Vetted(
        text,
        form,
        service="ServiceGraphPattern" in names,
        load="Load" in names,
        dataset="DatasetClause" in names,
        operations=operations,
    )
    # Fail closed: a keyword the tokens show but the parse does not hold means the two
    # readings of the text disagree.
    words = set()
    for token in tokens(text):
        if token.kind == "word":
            words.add(token.text.upper())
        elif token.kind == "iri" and "#" in token.text:
            words.update(w.upper() for w in re.findall(r"[A-Za-z]+", token.text))
    if ("SERVICE" in words and not vetted.service) or ("LOAD" in words and not vetted.load):
        raise ReadOnlyError(
            "igfkg cannot verify what this SPARQL text does (its tokens and its parse disagree"
            " about SERVICE or LOAD); it is refused"
        )
    return vetted


def vet(
    text: str,
    *,
    allow_update: bool = False,
    allow_service: bool | None = None,
    max_length: int | None = None,
    max_depth: int | None = None,
    parse: bool = False,
) -> Vetted:
    """Check a SPARQL query (or, with ``allow_update``, an update) and return it vetted.

    Refused (ReadOnlyError): an update where a query is expected; ``SERVICE`` or ``LOAD``
    unless ``allow_service`` (default: the current :func:`limits`). Over-long or over-deep
    text raises QueryLimitError; text that does not parse, QueryError. A text that cannot
    hold SERVICE or LOAD is parsed only with ``parse=True`` (its ``form`` is then known).

    >>> vet("INSERT DATA { <http://x/a> <http://x/b> 1 }", parse=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.ReadOnlyError: SPARQL updates are refused here: ...
    >>> vet("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", allow_service=True).text
    'SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }'
    """
    check_size(text, max_length, max_depth)
    text = canonical(text)
    if not parse and not _may_reach_out(text):
        # No SERVICE or LOAD is possible; the engine refuses an update where it expects a
        # query (Store.query never writes), and callers parse on error for a clearer message.
        return Vetted(text, "", parsed=False)
    vetted = _inspect(text)
    if allow_service is None:
        allow_service = current_limits().allow_service
    if vetted.is_update and not allow_update:
        raise ReadOnlyError("SPARQL updates are refused here: this operation is read-only")
    if vetted.service and not allow_service:
        raise ReadOnlyError(_SERVICE_REFUSED)
    if vetted.load and not allow_service:
        raise ReadOnlyError(_LOAD_REFUSED)
    return vetted
