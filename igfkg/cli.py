"""The ``igfkg`` command line: a thin layer over the Python API.

Exit codes: 0 success; 1 the graph does not conform (validate) or is inconsistent (reason);
2 bad input (unknown query, entity or parameter, bad SPARQL, unreadable file, usage error);
3 store or environment failure (for example Java missing for the reasoner, a remote endpoint
down or answering nonsense). Every error is one line, printed by :func:`_fail` only, with the
exit code the error's class carries.
"""

from __future__ import annotations

import functools
import logging
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from igfkg.core.config import settings
from igfkg.core.errors import (
    EXIT_FAILS,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_STORE,
    DataFileError,
    IgfkgError,
    ParameterError,
    StoreError,
    UsageError,
)
from igfkg.core.iri import redact, shown
from igfkg.core.results import FORMATS, Result
from igfkg.core.version import VERSION

__all__ = ["main"]

_log = logging.getLogger("igfkg")

F = TypeVar("F", bound=Callable[..., Any])


def _graph(ctx: click.Context) -> Any:
    import time

    from igfkg.graph import open

    root = ctx.find_root().obj
    if root.get("endpoint"):
        _log.info("querying the endpoint %s", redact(root["endpoint"]))
        return open(f"sparql:{root['endpoint']}", allow_insecure_auth=root["insecure_auth"])
    store = root["store"]
    started = time.perf_counter()
    kg = open(f"oxigraph:{store}" if store else "oxigraph:")
    where = f"the store {store}" if store else "the bundled graph in memory"
    _log.info("opened %s in %.2f s", where, time.perf_counter() - started)
    return kg


def _talk(ctx: click.Context, verbose: int) -> None:
    """-v: log what the command does, as ``igfkg: ...`` lines on standard error; progress of
    long work as whole lines (at most one a second, and the last), with -v or on a terminal."""
    import logging
    import time

    from igfkg.core.progress import reporting

    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("igfkg: %(message)s"))
        logger = logging.getLogger("igfkg")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    if not verbose and not sys.stderr.isatty():
        return
    last: dict[str, float] = {}

    def show(task: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        finished = total is not None and done >= total
        if not finished and now - last.get(task, 0.0) < 1.0:
            return
        last[task] = now
        share = f" ({100 * done // total}%)" if total else ""
        click.echo(f"igfkg: {task}: {done}{f'/{total}' if total else ''}{share}", err=True)

    ctx.with_resource(reporting(show))


def _line(error: IgfkgError) -> tuple[str, int]:
    """The one place an error becomes output: one line, and the exit code of its class."""
    code = error.exit_code
    kind = "store error" if code == EXIT_STORE else "error"
    lines = str(error).splitlines() or [type(error).__name__]
    return f"igfkg: {kind}: {' '.join(line.strip() for line in lines)}", code


def _fail(ctx: click.Context, message: str, code: int) -> None:
    click.echo(message, err=True)
    ctx.exit(code)


def _handled(func: F) -> F:
    """Turn igfkg errors (and the OS errors of the store) into one clear line and a
    documented exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = (ctx.find_root().obj or {}).get("debug")
        try:
            return func(*args, **kwargs)
        except IgfkgError as error:
            if debug:
                raise
            message, code = _line(error)
        except BrokenPipeError:
            raise  # the reader went away (| head): click ends quietly
        except OSError as error:  # the store's files, its lock, a server process
            if debug:
                raise
            message, code = _line(StoreError(str(error)))
        # Exit outside the except block: the failed call's frames (and the store they hold,
        # with its lock) are released before the command returns.
        _fail(ctx, message, code)

    return wrapper  # type: ignore[return-value]


def _not_utf8(args: list[str]) -> IgfkgError | None:
    """An error naming the first argument that is not valid UTF-8 (Python keeps such bytes
    as lone surrogates), or None."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError as error:
            raw = str(arg.encode("utf-8", "surrogateescape"))[2:-1]  # bytes shown as \xff
            raw = raw if len(raw) <= 80 else raw[:75] + "..."
            return ParameterError(
                f"argument {number} '{raw}' is not valid UTF-8 text (byte {error.start})"
            )
    return None


class _UsageLine(click.ClickException):
    """A usage error of click's parser (a missing argument, a bad choice), shown as one line
    like every other error, with the command's help to turn to."""

    exit_code = 2

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message())
        self.command = error.ctx.command_path if error.ctx is not None else "igfkg"

    def show(self, file: Any = None) -> None:
        message = " ".join(self.message.split())
        click.echo(f"igfkg: error: {message} (see {self.command} --help)", err=True)


def _one_line(error: click.UsageError) -> click.ClickException:
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        return error  # no arguments at all: the help, as click shows it
    return _UsageLine(error)


class _Group(click.Group):
    """The igfkg command group: arguments are checked to be UTF-8 text before any parsing,
    and usage errors are one line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        error = _not_utf8(args)
        if error is not None:
            _fail(ctx, *_line(error))
        return super().parse_args(ctx, args)

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None


def _emit(result: Any, fmt: str) -> None:
    if isinstance(result, Result):
        click.echo(result.serialize(fmt), nl=False)
        return
    import pyoxigraph as ox

    from igfkg.core.namespaces import PREFIXES

    # CONSTRUCT / DESCRIBE: Turtle for people, JSON-LD for json, N-Triples for csv and tsv.
    graph_format = {"table": ox.RdfFormat.TURTLE, "json": ox.RdfFormat.JSON_LD}.get(
        fmt, ox.RdfFormat.N_TRIPLES
    )
    prefixes = PREFIXES if graph_format == ox.RdfFormat.TURTLE else None
    data = ox.serialize(result, format=graph_format, prefixes=prefixes) or b""
    click.echo(data.decode("utf-8"), nl=False)


_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; csv, tsv and json are the W3C SPARQL 1.1 results formats.",
)


_INSECURE = click.option(
    "--allow-insecure-auth",
    "insecure_auth",
    is_flag=True,
    help="Send credentials over plain http (they travel in the clear); refused otherwise.",
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    type=click.Path(path_type=Path),
    help="Persistent Oxigraph store folder (created and loaded if empty); or IGFKG_STORE. "
    "Default: in memory.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Query a remote SPARQL 1.1 endpoint (http or https; or IGFKG_ENDPOINT) instead of "
    "the embedded store. A user:password@ in it is sent over https only.",
)
@_INSECURE
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option(
    "--verbose",
    "-v",
    count=True,
    help="Say what the command does on standard error (-vv: more); long work reports its "
    "progress (also shown, without -v, when standard error is a terminal).",
)
@click.version_option(version=VERSION, package_name="igfkg", prog_name="igfkg")
@click.pass_context
@_handled
def main(
    ctx: click.Context,
    store: Path | None,
    endpoint: str | None,
    insecure_auth: bool,
    debug: bool,
    verbose: int,
) -> None:
    """igfkg: the GH–IGF-1 axis in diabetes mellitus, as a knowledge graph.

    \b
    Examples:
      igfkg query adverse-effects
      igfkg describe IGF-1
      igfkg --store ./db ingest pubmed pubmed24n0001.xml.gz
      igfkg -v build -o release/

    Shell completion (bash): eval "$(_IGFKG_COMPLETE=bash_source igfkg)"
    """
    from igfkg.store.remote import check_auth

    ctx.ensure_object(dict)
    ctx.obj.update(debug=debug)
    _talk(ctx, verbose)
    conf = settings()  # options win over the environment
    endpoint = endpoint if endpoint is not None else conf.endpoint
    if endpoint is not None:
        check_auth(endpoint, None, insecure_auth, "--endpoint")
    store = store if store is not None else (Path(conf.store) if conf.store else None)
    ctx.obj.update(store=store, endpoint=endpoint, insecure_auth=insecure_auth)


@main.command("queries")
@click.option("--markdown", is_flag=True, help="As the Markdown table of the README.")
@click.option("--sib", is_flag=True, help="As RDF (Turtle) in the SIB sparql-examples form.")
@_handled
def queries_cmd(markdown: bool, sib: bool) -> None:
    """List the canned queries: id, question, parameters.

    \b
    Examples:
      igfkg queries
      igfkg queries --markdown
    """
    from igfkg.explore.catalog import catalog

    if sib:
        click.echo(catalog().to_sib_turtle(), nl=False)
        return
    if markdown:
        click.echo(catalog().to_markdown(), nl=False)
        return
    for q in sorted(catalog(), key=lambda q: q.id):
        params = ", ".join(str(p) for p in q.params) or "none"
        click.echo(f"{q.id}\n    {q.question}\n    parameters: {params}")


def _text_or_file(text: str | None, file: Path | None, what: str) -> str:
    if (text is None) == (file is None):
        raise UsageError(f"give the {what} as TEXT or with --file, not both or neither")
    if file is None:
        return str(text)
    return _read_utf8(file)


def _read_utf8(path: Path) -> str:
    """The text of a UTF-8 file; DataFileError naming the file, line, column and byte offset
    of the first byte that is not UTF-8, or why the file cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataFileError(str(path), error.strerror or str(error)) from None
    try:
        return data.decode("utf-8-sig")  # a byte order mark is no part of the text
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        message = f"not UTF-8: byte 0x{byte} at offset {error.start} (save the file as UTF-8)"
        raise DataFileError(str(path), message, line, column) from None


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--param expects NAME=VALUE, got {shown(pair)}")
        out[name.strip()] = value
    return out


def _limit_options(func: F) -> F:
    """--timeout and --max-rows, defaulting to IGFKG_QUERY_TIMEOUT and IGFKG_MAX_ROWS."""
    func = click.option(
        "--max-rows",
        type=click.IntRange(min=1),
        metavar="N",
        help="Stop with exit 2 if the answer has more rows or triples "
        "(default: IGFKG_MAX_ROWS, 200000).",
    )(func)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        metavar="SECONDS",
        help="Stop with exit 2 if the query runs longer; 0: no limit "
        "(default: IGFKG_QUERY_TIMEOUT, 300).",
    )(func)


def _limited(
    timeout: float | None, max_rows: int | None, allow_service: bool, run: Callable[[], None]
) -> None:
    """Run a query command under its limits. Rows and time are checked between rows; a
    watchdog ends the process (exit 2) if the engine blocks past the time limit."""
    from igfkg.store.guard import limits, watchdog

    conf = settings()
    timeout = conf.query_timeout if timeout is None else timeout
    max_rows = conf.max_rows if max_rows is None else max_rows
    message = f"query time limit of {timeout:g} s hit (raise it with --timeout)"
    with (
        limits(timeout, max_rows, allow_service=allow_service),
        watchdog(timeout and timeout + 0.5, message, EXIT_INPUT),
    ):
        run()


class _QueryCommand(click.Command):
    """``igfkg query``: its help lists the canned queries and their parameters."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from igfkg.explore.catalog import catalog

        rows = []
        for q in sorted(catalog(), key=lambda q: q.id):
            params = ", ".join(str(p) for p in q.params) or "no parameters"
            rows.append((q.id, params))
        with formatter.section("Queries (QUERY_ID and its -p parameters)"):
            formatter.write_dl(rows)


def _complete_query_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of canned-query ids."""
    from igfkg.explore.catalog import catalog

    return [i for i in catalog().ids() if i.startswith(incomplete)]


@main.command("query", cls=_QueryCommand)
@click.argument("query_id", shell_complete=_complete_query_id)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter: IRI, CURIE (MESH:D007334) or label. Repeatable.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0, max=2**63 - 1),
    help="At most this many rows of the ordered answer (a page of a long list).",
)
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows first.")
@_limit_options
@_FORMAT
@click.pass_context
@_handled
def query_cmd(
    ctx: click.Context,
    query_id: str,
    params: tuple[str, ...],
    limit: int | None,
    offset: int,
    timeout: float | None,
    max_rows: int | None,
    fmt: str,
) -> None:
    """Run the canned query QUERY_ID.

    \b
    Examples:
      igfkg query adverse-effects
      igfkg query drug-profile -p drug=mecasermin --format csv
      igfkg query literature-for-entity -p entity=IGF-1 --limit 20 --offset 20
    """
    from igfkg.explore.catalog import catalog

    canned = catalog().get(query_id)
    values = _parse_params(params)

    def run() -> None:
        import time

        kg = _graph(ctx)
        started = time.perf_counter()
        answer = canned.run(kg, values, limit=limit, offset=offset)
        _log.info(
            "query %s with %s: %d rows in %.3f s",
            canned.id,
            values or "the defaults",
            len(answer),
            time.perf_counter() - started,
        )
        _emit(answer, fmt)

    _limited(timeout, max_rows, False, run)


@main.command("sparql")
@click.argument("text", required=False)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the query from a file.",
)
@_limit_options
@click.option(
    "--allow-service",
    is_flag=True,
    help="Allow SERVICE (federated queries: the engine fetches from other hosts).",
)
@_FORMAT
@click.pass_context
@_handled
def sparql_cmd(
    ctx: click.Context,
    text: str | None,
    file: Path | None,
    timeout: float | None,
    max_rows: int | None,
    allow_service: bool,
    fmt: str,
) -> None:
    """Run read-only SPARQL (SELECT, ASK, CONSTRUCT, DESCRIBE) given as TEXT or --file.
    SERVICE is refused unless --allow-service.

    \b
    Examples:
      igfkg sparql 'SELECT ?s WHERE { ?s a <https://w3id.org/igfkg/Drug> }'
      igfkg sparql --file my-query.rq --format json
    """
    query = _text_or_file(text, file, "query")

    def run() -> None:
        _emit(_graph(ctx).sparql(query), fmt)

    _limited(timeout, max_rows, allow_service, run)


@main.command("update")
@click.argument("text", required=False)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the update from a file.",
)
@click.pass_context
@_handled
def update_cmd(ctx: click.Context, text: str | None, file: Path | None) -> None:
    """Apply a SPARQL 1.1 Update to the persistent store given by --store (or IGFKG_STORE).

    \b
    Example:
      igfkg --store ./db update --file fix.ru
    """
    update = _text_or_file(text, file, "update")
    if ctx.obj["endpoint"]:
        raise UsageError("igfkg update writes to a local store (--store), not to --endpoint")
    if not ctx.obj["store"]:
        raise UsageError("updates need a persistent store: pass --store PATH")
    _graph(ctx).update(update)
    click.echo("update applied", err=True)


@main.command("describe")
@click.argument("entity")
@click.pass_context
@_handled
def describe_cmd(ctx: click.Context, entity: str) -> None:
    """Everything about ENTITY (label, synonym, CURIE or IRI), grouped, with evidence.

    \b
    Examples:
      igfkg describe IGF-1
      igfkg describe MESH:D007334
    """
    click.echo(_graph(ctx).describe(entity).text(), nl=False)


@main.command("search")
@click.argument("text")
@click.option("--type", "type_", metavar="TYPE", help="Only entities of this class (Drug, "
              "igfkg:Disease, disease), subclasses included.")  # fmt: skip
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.pass_context
@_handled
def search_cmd(ctx: click.Context, text: str, type_: str | None, limit: int, fmt: str) -> None:
    """Entities whose label, synonym or identifier matches TEXT, best first (exit 1: none).

    \b
    Examples:
      igfkg search somatomedin
      igfkg search "insulin res" --type disease --format json
    """
    import json

    hits = _graph(ctx).search(text, type=type_, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([h.as_dict() for h in hits], ensure_ascii=False, indent=2))
    else:
        for h in hits:
            types = ", ".join(h.types)
            click.echo(f"{h.score:.3f}\t{h.curie}\t{h.label}\t{types}\t{h.match}: {h.matched}")
    if not hits:
        click.echo(f"no entity matches {text!r}", err=True)
        ctx.exit(EXIT_FAILS)


@main.command("neighbors")
@click.argument("entity")
@click.option("--predicate", help="Only edges of this predicate (CURIE or IRI).")
@click.option("--depth", "-d", type=click.IntRange(1, 5), default=1, show_default=True)
@click.option(
    "--include-hedged",
    is_flag=True,
    help="Also follow claims the source hedges (not plain edges), showing their certainty.",
)
@click.pass_context
@_handled
def neighbors_cmd(
    ctx: click.Context, entity: str, predicate: str | None, depth: int, include_hedged: bool
) -> None:
    """The edges around ENTITY, with the evidence on each.

    \b
    Examples:
      igfkg neighbors mecasermin
      igfkg neighbors IGF-1 --predicate igfkg:hasReceptor
    """
    kg = _graph(ctx)
    for edge in kg.neighbors(
        entity, predicate=predicate, depth=depth, include_hedged=include_hedged
    ):
        click.echo(str(edge))


@main.command("diagram")
@click.argument("entity", required=False)
@click.option(
    "--axis",
    is_flag=True,
    help="The GH-IGF-1 axis in diabetes: members, disturbances, the drug and its effects.",
)
@click.option("--depth", "-d", type=click.IntRange(1, 3), default=1, show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "png", "dot", "mermaid"]),
    default="svg",
    show_default=True,
    help="svg and png are laid out by Graphviz's dot; dot and mermaid are text.",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(2, 200),
    default=30,
    show_default=True,
    help="Keep the nodes closest to ENTITY (the picture says how many were left out).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to this file (whole) instead of standard output; needed for png on a terminal.",
)
@click.option("--force", is_flag=True, help="Replace a read-only --output file.")
@click.pass_context
@_handled
def diagram_cmd(
    ctx: click.Context,
    entity: str | None,
    axis: bool,
    depth: int,
    fmt: str,
    max_nodes: int,
    output: Path | None,
    force: bool,
) -> None:
    """A neighbourhood diagram of ENTITY: its statements, and its hedged claims dashed with
    their certainty; or, with --axis, the GH-IGF-1 axis in diabetes.

    \b
    Examples:
      igfkg diagram IGF-1 --format svg -o igf-1.svg
      igfkg diagram --axis --format mermaid
    """
    from igfkg.core.errors import UsageError
    from igfkg.core.output import check_output, write_output

    if output is not None:
        check_output(output, force=force)
    elif fmt == "png" and sys.stdout.isatty():
        raise UsageError("a PNG is not written to a terminal: give --output FILE")
    if axis == (entity is not None):
        raise UsageError("give ENTITY or --axis (one of them)")
    kg = _graph(ctx)
    if entity is None:
        data = kg.axis_diagram(format=fmt)
    else:
        data = kg.diagram(entity, depth=depth, format=fmt, max_nodes=max_nodes)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    write_output(output, data, force=force)


@main.command("site")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="The folder to write (new or empty; with --force, replaced whole).",
)
@click.option("--no-diagrams", is_flag=True, help="Leave out the diagrams (no Graphviz needed).")
@click.option("--force", is_flag=True, help="Replace a folder that is not empty.")
@click.pass_context
@_handled
def site_cmd(ctx: click.Context, output: Path, no_diagrams: bool, force: bool) -> None:
    """Write the graph as a static web site: a home page and one page per entity and study,
    each with its Turtle beside it (relative links: host it anywhere).

    \b
    Examples:
      igfkg site -o site/
      igfkg --store ./db site -o site/ --force
    """
    from igfkg.web.site import build_site

    written = build_site(_graph(ctx), output, diagrams=not no_diagrams, force=force)
    click.echo(f"{len(written)} entity pages and the home page written to {output}", err=True)


@main.command("path")
@click.argument("start")
@click.argument("end")
@click.option("--max-length", "-n", type=click.IntRange(1, 6), default=3, show_default=True)
@click.option(
    "--include-hedged",
    is_flag=True,
    help="Also follow claims the source hedges (not plain edges), showing their certainty.",
)
@click.pass_context
@_handled
def path_cmd(
    ctx: click.Context, start: str, end: str, max_length: int, include_hedged: bool
) -> None:
    """The shortest paths between START and END, with the evidence on each edge.

    \b
    Example:
      igfkg path mecasermin "diabetic neuropathy"
    """
    found = _graph(ctx).paths(start, end, max_length, include_hedged=include_hedged)
    if not found:
        click.echo(f"no path of at most {max_length} edges", err=True)
        ctx.exit(EXIT_FAILS)
    for number, path in enumerate(found, 1):
        click.echo(f"path {number}:")
        for edge in path:
            click.echo("  " + str(edge).replace("\n", "\n  "))


@main.group("ingest")
def ingest_group() -> None:
    """Grow the graph from PubMed/MEDLINE records and MeSH (needs --store or IGFKG_STORE).

    \b
    Examples:
      igfkg --store ./db ingest mesh mesh2015_tree-numbers.tsv
      igfkg --store ./db ingest pubmed pubmed24n0001.xml.gz
    """


def _persistent(ctx: click.Context) -> Any:
    root = ctx.find_root()
    if root.obj.get("endpoint"):
        raise UsageError("this command writes to a local store (--store), not to --endpoint")
    if not root.obj.get("store"):
        raise UsageError("this command writes to a persistent store: pass --store PATH")
    return _graph(root)


@ingest_group.command("pubmed")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Processes parsing files in parallel.",
)
@click.option(
    "--nquads",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one N-Quads file per source file into this folder instead of a store "
    "(for a store's bulk loader; PubMed XML only).",
)
@click.option(
    "--read",
    "read",
    is_flag=True,
    help="Also read the abstracts into the evidence graph (as igfkg read does); a store that "
    "has been read is always read on ingest.",
)
@click.pass_context
@_handled
def ingest_pubmed_cmd(
    ctx: click.Context, files: tuple[Path, ...], workers: int, nquads: Path | None, read: bool
) -> None:
    """Ingest PubMed XML (.xml, .xml.gz; baseline, update, efetch, MedlineCitationSet) and
    MEDLINE text (.nbib, .txt) files, each atomically into its own named graph.

    \b
    Examples:
      igfkg --store ./db ingest pubmed pubmed24n0001.xml.gz pubmed24n0002.xml.gz
      igfkg --store ./db ingest pubmed --read pubmed24n0003.xml.gz
      igfkg ingest pubmed --nquads shards/ pubmed24n*.xml.gz
    """
    from igfkg.literature.ingest import export_nquads

    def report(stats: Any) -> None:
        read_part = (
            f"\t{stats.evidence_sentences} evidence sentences" if stats.evidence is not None else ""
        )
        click.echo(
            f"{stats.path}\t{stats.articles} articles\t{stats.headings} headings\t"
            f"{len(stats.deleted)} deletions{read_part}"
        )

    if nquads is not None:
        if read:
            raise UsageError("--read writes to a store; it cannot be used with --nquads")
        for stats in export_nquads(list(files), nquads, workers=workers):
            report(stats)
        return
    root = ctx.find_root()
    if root.obj.get("endpoint"):
        raise UsageError("ingest writes to a local store (--store), not to --endpoint")
    store = root.obj.get("store")
    if not store:
        raise UsageError("ingest writes to a persistent store: pass --store PATH")
    from igfkg.literature.ingest import ingest_pubmed_store

    vocabulary = None
    kg = _graph(root)  # seeds a new store with the bundled KB, as ingest would
    try:
        if kg.is_read():
            vocabulary = kg.reading_vocabulary()
        elif read:
            # A read store has every abstract read: first those already in it (the KB's).
            _log.info("reading the abstracts already in the store first")
            kg.read(workers=workers)
            vocabulary = kg.reading_vocabulary()
    finally:
        kg.backend.close()
    del kg
    _log.info(
        "ingesting %d file(s) into the store %s with %d worker(s)%s",
        len(files),
        store,
        workers,
        ", reading abstracts" if vocabulary is not None else "",
    )
    ingest_pubmed_store(
        Path(store), list(files), workers=workers, on_file=report, vocabulary=vocabulary
    )


@ingest_group.command("mesh")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.pass_context
@_handled
def ingest_mesh_cmd(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Ingest MeSH descriptor, qualifier or supplementary XML, or a tree-number table.

    \b
    Example:
      igfkg --store ./db ingest mesh mesh2015_tree-numbers.tsv desc2024.xml
    """
    from igfkg.literature.mesh import ingest_mesh

    for stats in ingest_mesh(_persistent(ctx), list(files)):
        click.echo(
            f"{stats.path}\t{stats.descriptors} descriptors\t{stats.qualifiers} "
            f"qualifiers\t{stats.supplementary} supplementary\t"
            f"{stats.tree_numbers} tree numbers"
        )


@main.command("read")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Processes reading abstracts in parallel.",
)
@click.pass_context
@_handled
def read_cmd(ctx: click.Context, workers: int) -> None:
    """Read the abstracts of the store's articles: sentences naming the graph's entities or
    MeSH descriptors, with hedge, negation and direction cues, into the evidence graph
    (graph/literature-evidence), linked to curated claims or as candidate statements.
    Machine-read evidence never becomes a claim or an edge. Only what changed is written; once
    a store is read, ingest reads every file it ingests.

    \b
    Examples:
      igfkg --store ./db read
      igfkg --store ./db query evidence-sentences -p entity=mecasermin
    """
    kg = _persistent(ctx)
    stats = kg.read(workers=workers)
    click.echo(
        f"{stats.articles} articles read\t{stats.sentences} evidence sentences\t"
        f"{stats.changed} quads changed\t{stats.seconds:.1f} s"
    )


@main.command("index")
@click.pass_context
@_handled
def index_cmd(ctx: click.Context) -> None:
    """Bring the store's literature index up to date now (ingest keeps it current file by file;
    after a bulk load of N-Quads shards the first claim-literature-support query would
    otherwise count every graph).

    \b
    Example:
      igfkg --store ./db index
    """
    import time

    from igfkg.literature.index import INDEX_GRAPH

    kg = _persistent(ctx)
    start = time.perf_counter()
    graphs = kg.ensure_literature_index()
    click.echo(f"{graphs} graphs counted into {INDEX_GRAPH} in {time.perf_counter() - start:.1f} s")


@main.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A SHACL shapes file (repeat for several): validate against these instead of the "
    "bundled shapes, without the bundled ontology unless --with-ontology.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "fast", "pyshacl"]),
    default="auto",
    show_default=True,
    help="fast: shapes compiled to SPARQL in Oxigraph (refuses shapes it does not compile); "
    "pyshacl: the reference; auto: compiled where exact, pySHACL for the rest.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "ttl", "jsonld", "json"]),
    default="text",
    show_default=True,
    help="text for people; ttl/jsonld: the W3C sh:ValidationReport graph; json: one object "
    "per result.",
)
@click.option(
    "--with-ontology",
    is_flag=True,
    help="With --shapes: add the bundled ontology to the data (class hierarchy).",
)
@click.pass_context
@_handled
def validate_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    shapes: tuple[Path, ...],
    engine: str,
    fmt: str,
    with_ontology: bool,
) -> None:
    """SHACL-validate the graph, or the given data FILES: against the bundled shapes (with the
    bundled ontology), or against --shapes. Exit 0 conforms, 1 does not, 2 bad input.

    \b
    Examples:
      igfkg validate
      igfkg validate my-data.ttl --shapes my-shapes.ttl
    """
    from igfkg.core import resources
    from igfkg.graph import validate_files
    from igfkg.quality.validation import render_report, shapes_graph

    if not shapes and fmt == "text":  # the bundled shapes, as always
        report = (
            validate_files(list(files), engine) if files else _graph(ctx).validate(engine=engine)
        )
        click.echo(report.text(), nl=False)
        ctx.exit(EXIT_OK if report.conforms else EXIT_FAILS)
    # User shapes, or the W3C report of the bundled ones (through the general engine).
    given: list[Any] = list(shapes) if shapes else [shapes_graph()]
    ontology = with_ontology or not shapes
    with warnings.catch_warnings(record=True) as caught:  # pySHACL's (recursive shapes, ...)
        warnings.simplefilter("default")
        if files:
            result = validate_files(list(files), engine, shapes=given, with_ontology=ontology)
        else:
            extra = resources.ontology_files() if with_ontology else None
            result = _graph(ctx).validate(shapes=given, engine=engine, extra=extra)
    for warning in caught:
        if issubclass(warning.category, DeprecationWarning | PendingDeprecationWarning):
            continue  # the libraries' business, not the user's
        text = str(warning.message).strip().splitlines() or [warning.category.__name__]
        click.echo(f"igfkg: warning: {text[0]}", err=True)
    click.echo(render_report(result, fmt), nl=False)
    ctx.exit(EXIT_OK if result.conforms else EXIT_FAILS)


@main.command("qc")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "table", "tsv", "json"]),
    default="text",
    show_default=True,
    help="text (or table) for people; tsv: one row per violation; json: the checks and the "
    "violations.",
)
@click.pass_context
@_handled
def qc_cmd(ctx: click.Context, fmt: str) -> None:
    """ODK-style ontology QC (queries/qc/*-violation.rq); exit 1 on any ERROR violation.

    \b
    Example:
      igfkg qc
    """
    from igfkg.quality.qc import run_checks

    report = run_checks(_graph(ctx))
    out = {"tsv": report.tsv, "json": report.json}.get(fmt, report.text)()
    click.echo(out, nl=False)
    ctx.exit(EXIT_FAILS if report.failed else EXIT_OK)


@main.command("reason")
@click.option(
    "--materialize",
    is_flag=True,
    help="Also write the OWL 2 RL closure into the graph "
    "https://w3id.org/igfkg/graph/inferred (kept with --store).",
)
@click.pass_context
@_handled
def reason_cmd(ctx: click.Context, materialize: bool) -> None:
    """Check consistency and coherence with HermiT (needs Java); optionally materialise.

    \b
    Examples:
      igfkg reason
      igfkg reason --materialize
    """
    from igfkg.quality.reasoning import check_consistency

    kg = _graph(ctx)
    report = check_consistency(kg.export("nt"))
    click.echo(report.text(), nl=False)
    if report.ok and materialize:
        click.echo(
            f"OWL 2 RL closure: {kg.materialize()} inferred triples written to "
            "https://w3id.org/igfkg/graph/inferred"
        )
    ctx.exit(EXIT_OK if report.ok else EXIT_FAILS)


@main.command("build")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("release"),
    show_default=True,
    help="Folder for the artefacts (created if new); each file is written whole.",
)
@click.option("--force", is_flag=True, help="Replace read-only artefacts too.")
@click.pass_context
@_handled
def build_cmd(ctx: click.Context, output: Path, force: bool) -> None:
    """Write the release: named graphs in Turtle, N-Quads, N-Triples, JSON-LD (with its
    context.jsonld), RDF/XML, the SSSOM mappings, tables/ (claims and entities as TSV with CSVW
    metadata), reports/ (SHACL report, QC results), kgx/ and neo4j/ (property graphs), the
    ontology's documentation on one HTML page (ontology.html), the licences, NOTICE and
    CITATION.cff, and a VoID/DCAT description with checksums.

    \b
    Examples:
      igfkg build -o release/
      igfkg -v build -o release/ --force
    """
    from igfkg.release.build import build
    from igfkg.web.ontology_doc import ontology_doc

    kg = _graph(ctx)
    extra = {"ontology.html": ontology_doc(kg)}
    for artefact in build(kg, output, force=force, extra=extra):
        click.echo(f"{artefact.sha256}  {output / artefact.name}")


@main.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--endpoint",
    "gsp",
    required=True,
    metavar="URL",
    help="Graph Store HTTP Protocol endpoint, e.g. http://127.0.0.1:7878/store",
)
@click.option(
    "--graph",
    metavar="IRI",
    help="Named graph for triple FILES (replaced, not added to); required with them.",
)
@click.option("--user", help="User for HTTP digest/basic authentication (or IGFKG_USER).")
@click.option("--password", help="Its password (better: IGFKG_PASSWORD, not in the process list).")
@_INSECURE
@click.pass_context
@_handled
def load_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    gsp: str,
    graph: str | None,
    user: str | None,
    password: str | None,
    insecure_auth: bool,
) -> None:
    """Load into a remote store, one named graph per PUT (reloading replaces, never duplicates).

    Without FILES, loads the release graphs (ontology, kb, mappings, queries). Each file is
    parsed locally first, so a malformed file is reported and nothing is sent. Credentials
    (--user/--password, IGFKG_USER/IGFKG_PASSWORD, or user:password@ in the URL) are sent
    over https only, unless --allow-insecure-auth.

    \b
    Example:
      igfkg load --endpoint http://127.0.0.1:7878/store
    """
    from igfkg.release.load import load_files, load_release
    from igfkg.store.remote import check_auth

    conf = settings()
    user = user if user is not None else conf.user
    password = password if password is not None else conf.password
    if password is not None and user is None:
        raise UsageError("a password needs a user: pass --user (or set IGFKG_USER)")
    if graph is not None and not files:
        raise UsageError("--graph names the graph of FILES: give the files to load")
    insecure = insecure_auth or ctx.find_root().obj["insecure_auth"]
    auth = (user, password or "") if user is not None else None
    gsp, auth = check_auth(gsp, auth, insecure, "--endpoint")  # before any file is read
    loaded = (
        load_files(gsp, list(files), graph, auth, allow_insecure_auth=insecure)
        if files
        else load_release(gsp, _graph(ctx), auth, allow_insecure_auth=insecure)
    )
    for name, count in loaded:
        click.echo(f"{name}\t{count} triples")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True)
@click.option(
    "--writable",
    is_flag=True,
    help="Accept writes (SPARQL Update, Graph Store PUT/POST/DELETE) from this origin or "
    "non-browser clients. Default: read-only.",
)
@click.option(
    "--allow-service", is_flag=True, help="Allow SERVICE and LOAD (the server fetches URLs)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Cancel queries running longer; 0: none (default: IGFKG_QUERY_TIMEOUT, 300).",
)
@click.option(
    "--max-result-bytes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Refuse answers larger than this (default: IGFKG_MAX_RESULT_BYTES, 256 MiB).",
)
@click.option("--no-diagrams", is_flag=True, help="Pages without diagrams (no Graphviz needed).")
@click.pass_context
@_handled
def serve_cmd(
    ctx: click.Context,
    host: str,
    port: int,
    writable: bool,
    allow_service: bool,
    timeout: float | None,
    max_result_bytes: int | None,
    no_diagrams: bool,
) -> None:
    """Serve the graph's web site and SPARQL endpoint (/query, /store) on one address:
    read-only, loopback, no SERVICE, time and size limits, unless told otherwise; open
    http://127.0.0.1:PORT/ in a browser.

    \b
    Examples:
      igfkg serve --port 8080
      igfkg --store ./db serve --host 0.0.0.0
    """
    from igfkg.graph import open as open_graph
    from igfkg.web.serve import serve

    serve(
        ctx.obj["store"],
        host,
        port,
        announce=click.echo,
        writable=writable,
        allow_service=allow_service,
        timeout=timeout,
        max_result_bytes=max_result_bytes,
        diagrams=not no_diagrams,
        open_graph=open_graph,
    )


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(
        ["ttl", "nt", "nq", "trig", "jsonld", "xml", "tables", "kgx", "kgx-jsonl", "neo4j"]
    ),
    default="ttl",
    show_default=True,
    help="An RDF format (ttl and trig with the project's prefixes; jsonld: the named graphs, "
    "compacted with ontology/context.jsonld); or a folder given by -o: tables (claims.tsv, "
    "entities.tsv and their CSVW metadata), kgx (KGX TSV), kgx-jsonl (KGX JSON Lines), neo4j "
    "(neo4j-admin import CSV).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="Write to this file (whole: a temporary file renamed over it) instead of standard "
    "output; only a regular file or a new path. For tables, kgx, kgx-jsonl and neo4j: the "
    "folder (required; new or empty, written whole).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace a read-only --output file, or a non-empty --output folder.",
)
@click.pass_context
@_handled
def export_cmd(ctx: click.Context, fmt: str, output: Path | None, force: bool) -> None:
    """Export the whole graph as loaded: in an RDF format, as tables or as a property graph.

    \b
    Examples:
      igfkg export --format ttl -o igfkg.ttl
      igfkg export --format nq > igfkg.nq
      igfkg export --format kgx -o kgx/
    """
    from igfkg.core.output import check_output, write_output

    if fmt == "tables":
        from igfkg.release.tables import write_tables

        if output is None:
            raise UsageError("--format tables writes a folder: give it with -o DIR")
        names = write_tables(_graph(ctx), output, force=force)
        click.echo(f"{', '.join(names)} written to {output}", err=True)
        return
    if fmt in ("kgx", "kgx-jsonl", "neo4j"):
        from igfkg.release.pgwriters import write_folder

        if output is None:
            raise UsageError(f"--format {fmt} writes a folder: give it with -o DIR")
        counts = write_folder(_graph(ctx), fmt, output, force=force)
        click.echo(f"{output}: {counts['nodes']} nodes, {counts['edges']} edges", err=True)
        return
    if output is not None:
        check_output(output, force=force)  # before the export's work
    data = _graph(ctx).export(fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        return
    write_output(output, data, force=force)
