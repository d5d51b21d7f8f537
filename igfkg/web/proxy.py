"""The SPARQL protocol routes of the served site (``/query``, ``/update``, ``/store``), passed on
unchanged to igfkg's guarded front (:mod:`igfkg.store.front`), which vets every query, refuses
writes unless ``--writable``, and enforces the time and size limits."""

from __future__ import annotations

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from igfkg.store.front import HOP_HEADERS

__all__ = ["Forwarder"]

# Hop-by-hop headers are not passed on; Host is (the front checks it).
_HOP = HOP_HEADERS - {"host"}


class Forwarder:
    """Forwards a request to the front at ``base`` (``http://127.0.0.1:PORT``) and streams its
    answer back. The ``Host``, ``Origin`` and ``Referer`` headers go along, so the front's
    rebinding and same-origin checks see what the browser sent."""

    def __init__(self, base: str, timeout: float | None) -> None:
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=httpx.Timeout((timeout or 3600) + 60, connect=10),
            trust_env=False,  # never through a proxy named in the environment
        )

    async def handle(self, request: Request) -> Response:
        from igfkg.core.config import settings

        if request.url.path in ("/query", "/update") and request.method == "POST":
            # The front refuses a query body longer than any query igfkg accepts; say so here,
            # before reading it, as the front would.
            try:
                length = int(request.headers.get("content-length", "0"))
            except ValueError:
                return PlainTextResponse("bad Content-Length\n", status_code=400)
            if length > settings().max_query_length * 4 + 65536:
                return PlainTextResponse(
                    "the request body is longer than any query igfkg accepts\n", status_code=413
                )
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _HOP]
        if "content-length" in request.headers:
            headers.append(("content-length", request.headers["content-length"]))
        outgoing = self.client.build_request(
            request.method,
            request.url.path,
            params=request.url.query.encode("latin-1") if request.url.query else None,
            headers=headers,
            content=request.stream() if request.method not in ("GET", "HEAD") else None,
        )
        try:
            answer = await self.client.send(outgoing, stream=True)
        except httpx.HTTPError as error:
            return PlainTextResponse(f"the SPARQL engine failed: {error}\n", status_code=502)
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP}
        return StreamingResponse(
            answer.aiter_raw(),
            status_code=answer.status_code,
            headers=kept,
            background=BackgroundTask(answer.aclose),
        )

    async def close(self) -> None:
        await self.client.aclose()
