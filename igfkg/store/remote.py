"""Remote stores over HTTP: the SPARQL 1.1 Protocol (queries) and Graph Store Protocol (loads).

Only the standard library is used. Parameters are bound as a VALUES block of RDF terms, as on
the embedded store.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from igfkg.core.errors import QueryError
from igfkg.core.results import Result, Term
from igfkg.store.backends import QUAD_FORMATS, Backend, _strip_prologue, rdf_format, with_values
from igfkg.store.port import Capabilities

__all__ = ["GraphStore", "SparqlBackend", "term_from_json"]

_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_MEDIA = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "xml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class RemoteError(OSError):
    """An HTTP request to a remote store failed; names the URL and the server's answer."""


def _request(
    url: str,
    *,
    data: bytes | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 300,
    auth: tuple[str, str] | None = None,
) -> tuple[str, bytes]:
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    handlers: list[urllib.request.BaseHandler] = []
    if auth is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *auth)
        handlers += [
            urllib.request.HTTPDigestAuthHandler(passwords),
            urllib.request.HTTPBasicAuthHandler(passwords),
        ]
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(req, timeout=timeout) as response:
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace").strip().splitlines()
        detail = body[0][:300] if body else ""
        raise RemoteError(f"{method} {url}: HTTP {error.code} {error.reason}: {detail}") from None
    except urllib.error.URLError as error:
        raise RemoteError(f"{method} {url}: {error.reason}") from None


def term_from_json(value: Mapping[str, str]) -> Term:
    """A SPARQL 1.1 Query Results JSON term as a pyoxigraph term."""
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        # Some servers use ids such as nodeID://b12 that are not valid blank node labels.
        return ox.BlankNode(hashlib.sha1(value["value"].encode()).hexdigest())
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype == _XSD_BOOLEAN and value["value"] in ("1", "0"):
        # Virtuoso writes booleans as 1/0, valid but not canonical lexical forms.
        return ox.Literal(
            "true" if value["value"] == "1" else "false", datatype=ox.NamedNode(_XSD_BOOLEAN)
        )
    if datatype and datatype != _XSD_STRING:
        return ox.Literal(value["value"], datatype=ox.NamedNode(datatype))
    return ox.Literal(value["value"])


class SparqlBackend(Backend):
    """A remote SPARQL 1.1 endpoint. Queries go to ``url``; updates to ``update_url``."""

    name = "sparql"

    def __init__(self, url: str, update_url: str | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a SPARQL endpoint is an http(s) URL, got {url!r}")
        self.url = url
        self.capabilities = Capabilities(local=False, private=False, engine="remote")
        self.update_url = update_url or (
            url[: -len("/query")] + "/update" if url.endswith("/query") else url
        )

    def raw_query(self, query: str, bindings: Mapping[str, Term]) -> Result | list[ox.Triple]:
        text = with_values(query, bindings)
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        graph_form = re.match(r"\s*(CONSTRUCT|DESCRIBE)\b", _strip_prologue(text), re.IGNORECASE)
        accept = "application/n-triples, text/turtle;q=0.9" if graph_form else _ACCEPT
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            ctype, data = _request(self.url, data=body, method="POST", headers=headers)
        except RemoteError as error:
            if "HTTP 400" in str(error):
                raise QueryError(str(error)) from None
            raise
        if "json" in ctype:
            doc: dict[str, Any] = json.loads(data)
            if "boolean" in doc:
                return Result([], boolean=bool(doc["boolean"]))
            names = doc["head"].get("vars", [])
            rows = [
                tuple(term_from_json(b[n]) if n in b else None for n in names)
                for b in doc["results"]["bindings"]
            ]
            return Result(names, rows)
        fmt = ox.RdfFormat.TURTLE if "turtle" in ctype else ox.RdfFormat.N_TRIPLES
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)]

    def update(self, text: str) -> None:
        _request(
            self.update_url,
            data=text.encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        raise NotImplementedError("load into a remote store with GraphStore (igfkg load)")

    def load_data(self, data: bytes, fmt: str, graph: str) -> None:
        raise NotImplementedError("load into a remote store with GraphStore (igfkg load)")

    def quads(self) -> Iterable[ox.Quad]:
        q = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
        out = self.raw_query(q, {})
        assert isinstance(out, Result)
        for g, s, p, o in out:
            yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    def __len__(self) -> int:
        out = self.raw_query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {})
        assert isinstance(out, Result)
        value = out.rows[0][0] if out.rows else None
        return int(value.value) if value is not None else 0


class GraphStore:
    """A SPARQL 1.1 Graph Store HTTP Protocol endpoint (e.g. Oxigraph's ``/store``)."""

    def __init__(self, url: str, auth: tuple[str, str] | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"a graph store endpoint is an http(s) URL, got {url!r}")
        self.url = url
        self.auth = auth

    def _graph_url(self, graph: str) -> str:
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def put(self, graph: str, data: bytes, fmt: str = "nt") -> None:
        """Replace the named graph with ``data`` (PUT: no duplicates on reload)."""
        fmt = rdf_format(fmt)
        if fmt in QUAD_FORMATS:
            raise ValueError("PUT a triple format into one named graph, not quads")
        _request(
            self._graph_url(graph),
            data=data,
            method="PUT",
            headers={"Content-Type": _MEDIA[fmt]},
            auth=self.auth,
        )

    def get(self, graph: str) -> bytes:
        """The named graph as N-Triples."""
        headers = {"Accept": "application/n-triples"}
        return _request(self._graph_url(graph), headers=headers, auth=self.auth)[1]
