"""The served site (``igfkg serve``): a Starlette application rendering the same pages as the
static export (the ontology's documentation at ``/ontology``), plus search with autocomplete,
query forms, an ad-hoc SPARQL page and linked-data content negotiation on ``/kb/X``. GET and
HEAD only; every query a visitor writes or fills in runs through the guarded engine
(``query_kg``): read-only, no SERVICE, a time limit.

>>> import igfkg
>>> kg = igfkg.open()
>>> app = create_app(kg, kg, diagrams=False)  # an ASGI application, for uvicorn
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from igfkg.core import sparql
from igfkg.core.errors import IgfkgError, UnknownQueryError
from igfkg.explore.catalog import catalog
from igfkg.store.front import is_loopback
from igfkg.web.model import ArticlePage, entity_triples, rdf, value
from igfkg.web.negotiation import MEDIA, NotAcceptableError, choose
from igfkg.web.ontology_doc import ontology_doc
from igfkg.web.render import SHOWN_ROWS, Renderer, cell, cells

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from igfkg.explore.names import NamedGraphPort
    from igfkg.store.port import GraphPort

__all__ = ["create_app"]

_ARTICLE = sparql.load("igfkg.web", "site-article")
_LITERATURE_PAGE = 20
#: Security headers on every answer: nothing is loaded from another host, no framing.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class _Cache:
    """Rendered answers by request, for a graph that does not change while served."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Response] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Response | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: str, response: Response) -> None:
        if self.size <= 0 or response.status_code >= 500:
            return
        with self.lock:
            self.items[key] = response
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class _Guard:
    """ASGI middleware: on a loopback server only loopback ``Host`` names (no DNS rebinding);
    security headers on every answer."""

    def __init__(self, app: ASGIApp, *, loopback: bool) -> None:
        self.app = app
        self.loopback = loopback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.loopback:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if not is_loopback(name):
                refused = PlainTextResponse(
                    f"Host {host!r} is not this loopback server\n", status_code=403
                )
                await refused(scope, receive, send)
                return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for key, val in _HEADERS.items():
                    if key.lower().encode() not in present:
                        headers.append((key.lower().encode(), val.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    kg: NamedGraphPort,
    query_kg: GraphPort,
    *,
    diagrams: bool = True,
    cache_size: int = 4096,
    loopback: bool = True,
    forward: Callable[[Request], Awaitable[Response]] | None = None,
    on_shutdown: Callable[[], Awaitable[None]] | None = None,
) -> ASGIApp:
    """The site of ``kg`` (pages read in-process), running visitors' queries on ``query_kg``
    (the guarded engine when served). ``cache_size`` > 0 caches rendered answers: only for a
    graph that does not change while served. ``forward`` answers the SPARQL protocol routes
    (``/query``, ``/update``, ``/store``)."""
    shared = Renderer(kg, static=False)
    cache = _Cache(cache_size)
    if cache_size > 0:  # read once now, not on the first visitor's request
        shared.warm()
        kg.name_index()

    def current() -> Renderer:
        """The renderer: shared while the graph cannot change; else a new one per request,
        after telling the graph it may have changed (its name index is rebuilt)."""
        if cache_size > 0:
            return shared
        kg.changed()
        return Renderer(kg, static=False)

    def cached(
        handler: Callable[[Request], Response],
    ) -> Callable[[Request], Response]:
        def wrapper(request: Request) -> Response:
            key = f"{request.url.path}?{request.url.query}|{request.headers.get('accept', '')}"
            found = cache.get(key)
            if found is not None:
                return found
            response = handler(request)
            cache.put(key, response)
            return response

        return wrapper

    def html(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status)

    def not_found(request: Request, what: str, guess: str = "") -> HTMLResponse:
        site = current()
        hits = kg.name_index().search(guess, limit=8) if guess else []
        return html(
            site.page(
                "missing.html",
                title="not found",
                what=what,
                hits=[(h, site.known.get(h.iri)) for h in hits],
            ),
            404,
        )

    def home(request: Request) -> Response:
        site = current()
        return html(site.home(diagrams=diagrams))

    def entity(request: Request) -> Response:
        site = current()
        name = request.path_params["name"]
        page = site.by_name.get(name)
        try:
            fmt = choose(request.headers.get("accept", ""), request.query_params.get("format"))
        except NotAcceptableError as error:
            return PlainTextResponse(f"{error}\n", status_code=406)
        if page is None:
            return not_found(request, f"No entity kb:{name} in this graph.", name)
        if fmt != "html":
            data = rdf(entity_triples(kg, page.iri), fmt)
            return Response(
                data,
                media_type=MEDIA[fmt],
                headers={"Vary": "Accept", "Link": f'<{page.iri}>; rel="describes"'},
            )
        rows, more = site.literature(page.iri, 0, 10)
        body = site.entity(page, diagrams=diagrams, literature=rows, more_literature=more)
        return HTMLResponse(body, headers={"Vary": "Accept"})

    def literature(request: Request) -> Response:
        site = current()
        name = request.path_params["name"]
        page = site.by_name.get(name)
        if page is None:
            return not_found(request, f"No entity kb:{name} in this graph.", name)
        number = _page_number(request)
        if number is None:
            return PlainTextResponse("page must be a whole number from 1\n", status_code=400)
        rows, more = site.literature(page.iri, (number - 1) * _LITERATURE_PAGE, _LITERATURE_PAGE)
        return html(
            site.page(
                "literature.html",
                title=f"literature on {page.label}",
                page=page,
                rows=rows,
                number=number,
                more=more,
            )
        )

    def claim(request: Request) -> Response:
        site = current()
        claim_id = request.path_params["id"]
        if claim_id not in site.by_id:
            return not_found(request, f"No claim {claim_id} in this graph.")
        return html(site.claim(claim_id))

    def article(request: Request) -> Response:
        site = current()
        slug = request.path_params["slug"]
        found = site.by_slug.get(slug)
        if found is None and slug.startswith("pmid-") and slug[5:].isdigit():
            rows = kg.select(_ARTICLE, {"pmid": ox.Literal(slug[5:])}).rows
            if rows:
                row = rows[0]
                found = ArticlePage(
                    value(row, "article"), value(row, "title") or slug, slug[5:],
                    value(row, "doi"), value(row, "year"), value(row, "journal"),
                    value(row, "firstAuthor"),
                )  # fmt: skip
        if found is None:
            return not_found(request, f"No article {slug} in this graph.")
        return html(site.article(found))

    def term(request: Request) -> Response:
        site = current()
        found = site.term_by_name.get(request.path_params["name"])
        if found is None:
            return not_found(
                request, "No such class or property in the ontology.", request.path_params["name"]
            )
        return html(site.term(found))

    def ontology(request: Request) -> Response:
        return HTMLResponse(ontology_doc(kg, home="/"))

    def queries(request: Request) -> Response:
        site = current()
        return html(
            site.page(
                "queries.html",
                title="canned queries",
                queries=list(catalog()),
            )
        )

    def query(request: Request) -> Response:
        site = current()
        try:
            q = catalog().get(request.path_params["id"])
        except UnknownQueryError:
            return not_found(request, f"No canned query {request.path_params['id']}.")
        fmt = request.path_params.get("fmt")
        if fmt is not None and fmt not in ("csv", "tsv", "json"):
            return not_found(request, f"No download format {fmt}: csv, tsv or json.")
        values = {
            p.name: request.query_params[p.name]
            for p in q.params
            if request.query_params.get(p.name, "").strip()
        }
        number = _page_number(request)
        if number is None:
            return PlainTextResponse("page must be a whole number from 1\n", status_code=400)
        runnable = all(p.optional or p.default for p in q.params)  # nothing to fill in
        run = fmt is not None or "run" in request.query_params or runnable
        answer, error, more = None, "", False
        if run:
            try:
                bindings = q.bindings(kg, values)
                if fmt is not None:
                    answer = query_kg.select(q.sparql, bindings)
                else:
                    offset = (number - 1) * SHOWN_ROWS
                    answer = query_kg.select(q.paged(SHOWN_ROWS + 1, offset), bindings)
                    more = len(answer) > SHOWN_ROWS
            except IgfkgError as problem:
                error = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        if fmt is not None:
            if answer is None:
                return PlainTextResponse(f"{error}\n", status_code=400)
            media = {
                "csv": "text/csv",
                "tsv": "text/tab-separated-values",
                "json": "application/sparql-results+json",
            }[fmt]
            return Response(answer.serialize(fmt), media_type=media)
        params = urllib.parse.urlencode({**values, "run": "1"})
        downloads = {
            name.upper(): f"/queries/{q.id}/answer.{name}?{params}"
            for name in ("csv", "tsv", "json")
        }

        def pages_href(n: int) -> str:
            return f"/queries/{q.id}?" + urllib.parse.urlencode({**values, "run": "1", "page": n})

        body = site.page(
            "query.html",
            title=q.id,
            q=q,
            error=error,
            variables=list(answer.variables) if answer is not None else [],
            shown=cells(answer, SHOWN_ROWS),
            total=min(len(answer), SHOWN_ROWS) if answer is not None else 0,
            values=values,
            downloads=downloads if answer is not None else {},
            page=number,
            more=more,
            ran=answer is not None,
            pages_href=pages_href,
        )
        return html(body, 400 if error else 200)

    def adhoc(request: Request) -> Response:
        site = current()
        text = request.query_params.get("query", "")
        example = request.query_params.get("example", "")
        if example and not text:
            try:
                text = catalog().get(example).sparql
            except UnknownQueryError:
                text = ""
        answer: Any = None
        error = ""
        if text.strip() and not example:
            try:
                answer = query_kg.backend.raw_query(_vetted(text), {})
            except IgfkgError as problem:
                error = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        variables: list[str] = []
        shown: list[list[tuple[str, str]]] = []
        if isinstance(answer, list):  # CONSTRUCT / DESCRIBE: triples
            variables = ["subject", "predicate", "object"]
            shown = [
                [cell(t.subject), cell(t.predicate), cell(t.object)] for t in answer[:SHOWN_ROWS]
            ]
        elif answer is not None:
            variables = list(answer.variables)
            shown = cells(answer, SHOWN_ROWS)
        body = site.page(
            "sparql.html",
            title="SPARQL",
            text=text,
            error=error,
            ran=answer is not None,
            variables=variables,
            shown=shown,
            total=len(answer) if answer is not None else 0,
            examples=list(catalog()),
        )
        return html(body, 400 if error else 200)

    def search(request: Request) -> Response:
        site = current()
        text = request.query_params.get("q", "")
        hits = kg.name_index().search(text, limit=50) if text.strip() else []
        return html(
            site.page(
                "search.html",
                title=f"search: {text}" if text else "search",
                search_text=text,
                hits=[(h, site.known.get(h.iri)) for h in hits],
            )
        )

    def search_api(request: Request) -> Response:
        site = current()
        text = request.query_params.get("q", "")
        try:
            limit = min(max(int(request.query_params.get("limit", "10")), 1), 50)
        except ValueError:
            return JSONResponse({"error": "limit must be a whole number"}, status_code=400)
        out = []
        for hit in kg.name_index().search(text, limit=limit) if text.strip() else []:
            page = site.known.get(hit.iri)
            item = hit.as_dict()
            item["url"] = "/" + page.path if page is not None else None
            out.append(item)
        return Response(
            json.dumps({"query": text, "hits": out}, ensure_ascii=False),
            media_type="application/json",
        )

    def missing(request: Request) -> Response:
        return not_found(request, f"Nothing at {request.url.path}.")

    def protocol(request: Request) -> Response:
        return PlainTextResponse(
            "this site has no SPARQL endpoint here; use /sparql\n", status_code=404
        )

    routes: list[Any] = [
        Route("/", cached(home)),
        Route("/index.html", cached(home)),
        Route("/kb/{name}", cached(entity)),
        Route("/kb/{name}/literature", cached(literature)),
        Route("/claims/{id}", cached(claim)),
        Route("/articles/{slug}", cached(article)),
        Route("/ontology", cached(ontology)),
        Route("/ontology/{name}", cached(term)),
        Route("/queries", queries),
        Route("/queries/{id}", cached(query)),
        Route("/queries/{id}/answer.{fmt:str}", cached(query)),
        Route("/sparql", adhoc),
        Route("/search", cached(search)),
        Route("/api/search", cached(search_api)),
        Mount("/static", StaticFiles(packages=[("igfkg.web", "static")]), name="static"),
    ]
    routes += [
        Route(path, forward or protocol, methods=["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"])
        for path in ("/query", "/update", "/store")
    ]
    routes.append(Route("/{rest:path}", missing))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if on_shutdown is not None:
            await on_shutdown()

    app = Starlette(routes=routes, lifespan=lifespan)
    return _Guard(app, loopback=loopback)


def _vetted(text: str) -> str:
    """The query, parsed and checked: updates, SERVICE and LOAD are refused (ReadOnlyError)."""
    from igfkg.store.guard import vet

    return vet(text, allow_service=False, parse=True).text


def _page_number(request: Request) -> int | None:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1 or len(raw) > 9:
        return None
    return int(raw)
