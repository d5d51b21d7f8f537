"""Errors raised by igfkg: one shallow hierarchy under built-in exceptions.

Each class carries the command line's exit code (``exit_code``): 2 for bad input, 3 for a
store or environment failure. The CLI maps errors to codes through this attribute only.

>>> issubclass(UnknownNameError, LookupError), issubclass(ParameterError, ValueError)
(True, True)
>>> ParameterError.exit_code, StoreError.exit_code
(2, 3)
"""

from __future__ import annotations

__all__ = [
    "EXIT_FAILS",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_STORE",
    "AmbiguousNameError",
    "ConfigError",
    "DataFileError",
    "IgfkgError",
    "IriError",
    "OutputError",
    "ParameterError",
    "QueryError",
    "QueryLimitError",
    "ReadOnlyError",
    "RemoteError",
    "StoreError",
    "UnknownNameError",
    "UnknownPredicateError",
    "UnknownQueryError",
    "UsageError",
]


EXIT_OK, EXIT_FAILS, EXIT_INPUT, EXIT_STORE = 0, 1, 2, 3


class IgfkgError(Exception):
    """Base class of every error igfkg raises on purpose; bad input unless a subclass says."""

    exit_code: int = EXIT_INPUT


class ConfigError(IgfkgError, ValueError):
    """A setting (environment variable or option) whose value cannot be used."""


class StoreError(IgfkgError, OSError):
    """The store or the environment failed: a store that cannot be opened, a remote endpoint
    that is unreachable or answers nonsense, a server that cannot start."""

    exit_code = EXIT_STORE


class RemoteError(StoreError):
    """A remote store failed: unreachable, an HTTP error, or an answer that is not what the
    protocol promises (not JSON, an HTML page, a bad IRI). Names the endpoint, never a password."""


class UsageError(IgfkgError):
    """A command used wrongly: an option missing, or options that do not go together."""


class UnknownNameError(IgfkgError, LookupError):
    """A name, CURIE or IRI that matches no entity; ``suggestions`` holds the closest labels."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; closest matches: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"unknown entity {name!r}{hint}")


class AmbiguousNameError(UnknownNameError):
    """A name that fits several entities equally (``exact``), or that only related synonyms
    fit (``exact=False``): ``suggestions`` holds the candidates as "label (type)", ``iris`` their
    IRIs.

    >>> str(AmbiguousNameError("x", ["a (drug)", "b (disease)"]))
    "'x' is ambiguous: a (drug), b (disease)"
    """

    def __init__(
        self, name: str, candidates: list[str], *, exact: bool = True, iris: list[str] | None = None
    ) -> None:
        self.name = name
        self.suggestions = candidates
        self.exact = exact
        self.iris = iris or []
        how = "is ambiguous" if exact else "names no entity exactly; related"
        Exception.__init__(self, f"{name!r} {how}: {', '.join(candidates)}")


class UnknownPredicateError(UnknownNameError):
    """A predicate (CURIE or IRI) that no statement of the graph uses.

    >>> str(UnknownPredicateError("igfkg:testIn", ["igfkg:testedIn"]))
    "unknown predicate 'igfkg:testIn'; closest: igfkg:testedIn"
    """

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; closest: {', '.join(suggestions)}" if suggestions else ""
        Exception.__init__(self, f"unknown predicate {name!r}{hint}")


class UnknownQueryError(IgfkgError, LookupError):
    """A canned query id that is not in the catalog."""

    def __init__(self, query_id: str, known: list[str]) -> None:
        self.query_id = query_id
        super().__init__(f"unknown query {query_id!r}; known queries: {', '.join(known)}")


class ParameterError(IgfkgError, ValueError):
    """A missing, unknown or ill-formed query parameter."""


class IriError(ParameterError):
    """A value given as an IRI that is none (a forbidden character, a bad host or port)."""


class QueryError(IgfkgError, ValueError):
    """A SPARQL query that does not parse or cannot run."""


class QueryLimitError(QueryError):
    """A query over a limit: too long or too deep to parse, too slow, or too many rows."""


class ReadOnlyError(IgfkgError, PermissionError):
    """An update sent to a read-only operation."""


class DataFileError(IgfkgError, ValueError):
    """An RDF data file that cannot be read; names the file, line and column."""

    def __init__(
        self, path: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.column = column
        where = path if line is None else f"{path}:{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[type[DataFileError], tuple[str, str, int | None, int | None]]:
        # Picklable, so errors raised in worker processes reach the caller intact.
        return (DataFileError, (self.path, self.message, self.line, self.column))


class OutputError(IgfkgError, ValueError):
    """An output path igfkg will not write: not a regular file (a device, FIFO, directory), or
    a read-only file without ``--force``."""
