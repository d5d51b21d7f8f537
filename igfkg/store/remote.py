"""Remote stores over HTTP: the SPARQL 1.1 Protocol (queries) and Graph Store Protocol (loads).

Only the standard library is used. Parameters are bound as a VALUES block of RDF terms, as on
the embedded store.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from igfkg.core import sparql
from igfkg.core.errors import ConfigError, ParameterError, QueryError, RemoteError
from igfkg.core.iri import endpoint, redact, shown
from igfkg.core.results import Result, Term
from igfkg.store.base import Backend
from igfkg.store.formats import QUAD_FORMATS, rdf_format
from igfkg.store.port import Capabilities
from igfkg.store.values import query_form, with_values

__all__ = ["GraphStore", "RemoteError", "SparqlBackend", "check_auth", "term_from_json"]

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


class _NoInsecureRedirect(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but never one that would take credentials to plain http."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urllib.parse.urlsplit(newurl).scheme != "https":
            raise RemoteError(
                f"{req.get_method()} {redact(req.full_url)}: redirected to {shown(redact(newurl))};"
                " credentials are not sent there"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _detail(text: str, secret: str | None) -> str:
    """The first line of a server's message, shortened, on one line, without ``secret``."""
    lines = text.strip().splitlines()
    line = lines[0][:300] if lines else ""
    if secret:
        line = line.replace(secret, "***")
    return "".join(c if c.isprintable() else " " for c in line)


def _request(
    url: str,
    *,
    data: bytes | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 300,
    auth: tuple[str, str] | None = None,
) -> tuple[str, bytes]:
    """Send one request; any failure is a RemoteError naming the method and the URL."""
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    handlers: list[urllib.request.BaseHandler] = []
    if auth is not None:
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, *auth)
        handlers += [
            urllib.request.HTTPDigestAuthHandler(passwords),
            urllib.request.HTTPBasicAuthHandler(passwords),
            _NoInsecureRedirect(),
        ]
    opener = urllib.request.build_opener(*handlers)
    where = f"{method} {redact(url)}"
    secret = auth[1] if auth else None
    try:
        if auth is not None and data:
            _authorize_first(req, auth, timeout)
        with opener.open(req, timeout=timeout) as response:
            return response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        try:
            body = error.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            body = ""
        detail = _detail(body, secret)
        raise RemoteError(f"{where}: HTTP {error.code} {error.reason}: {detail}") from None
    except urllib.error.URLError as error:
        raise RemoteError(f"{where}: {_detail(str(error.reason), secret)}") from None
    except (OSError, http.client.HTTPException) as error:
        # A dropped connection, a timeout, or an answer that is no HTTP at all.
        reason = _detail(str(error), secret) or type(error).__name__
        raise RemoteError(f"{where}: {reason}") from None


def _authorize_first(req: urllib.request.Request, auth: tuple[str, str], timeout: float) -> None:
    """Authorize a request with a body before sending it: ask for the server's challenge with
    a bodyless HEAD, then send the body once, with credentials. (Sent without, the body of a
    large PUT meets a server that answers 401 at once and closes: a broken pipe.) Nothing is
    added when the server asks for no credentials or the HEAD fails; the request then goes as
    usual, and its own answer is reported."""
    head = urllib.request.Request(req.full_url, method="HEAD")
    try:
        with urllib.request.build_opener(_NoInsecureRedirect()).open(head, timeout=timeout):
            return
    except urllib.error.HTTPError as error:
        header = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "digest":
        return  # Basic: the handler answers the 401 (over https only, see SparqlBackend)
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, req.full_url, *auth)
    challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
    answer = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(req, challenge)
    if answer:
        req.add_unredirected_header("Authorization", f"Digest {answer}")


def term_from_json(value: Mapping[str, str]) -> Term:
    """A SPARQL 1.1 Query Results JSON term as a pyoxigraph term."""
    kind = value["type"]
    if kind == "uri":
        try:  # Oxigraph's RFC 3987 parser, fast enough for every IRI of a large answer
            return ox.NamedNode(value["value"])
        except ValueError as error:
            raise ValueError(f"bad IRI {shown(value['value'])}: {error}") from None
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


def check_auth(
    url: str,
    auth: tuple[str, str] | None,
    allow_insecure_auth: bool = False,
    what: str = "endpoint",
) -> tuple[str, tuple[str, str] | None]:
    """Check an endpoint URL and the credentials for it: the URL without ``user:password@``
    and the credentials (given, else those of the URL). Credentials go over https only, or
    over plain http when ``allow_insecure_auth`` says so (loopback included: the password
    would travel in the clear). Errors name the URL redacted.

    >>> check_auth("https://ann:pw@example.org/sparql", None)
    ('https://example.org/sparql', ('ann', 'pw'))
    >>> check_auth("http://example.org/store", ("ann", "pw"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    igfkg.core.errors.ConfigError: refusing to send credentials over plain http to ...
    """
    clean, from_url = endpoint(url, what)
    auth = auth or from_url
    if auth is not None and clean.lower().startswith("http:") and not allow_insecure_auth:
        raise ConfigError(
            f"refusing to send credentials over plain http to {clean}: use https, or pass "
            "--allow-insecure-auth to send them in the clear"
        )
    return clean, auth


class _NonsenseError(ValueError):
    """An answer that is not what the SPARQL protocol promises."""


_JSON_TYPES = ("application/sparql-results+json", "application/json")
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples' former media type (Virtuoso)
    "text/turtle": ox.RdfFormat.TURTLE,
}


def _answer(ctype: str, data: bytes, *, graph: bool) -> Result | list[ox.Triple]:
    """The Result (SELECT, ASK) or triples (CONSTRUCT, DESCRIBE) of an HTTP answer; _NonsenseError
    for anything else (an HTML page, bad JSON, a bad term)."""
    media = ctype.split(";")[0].strip().lower()
    if not graph and media in _JSON_TYPES:
        try:
            doc = json.loads(data)
        except ValueError as error:
            raise _NonsenseError(f"the answer is not valid JSON: {error}") from None
        try:
            if "boolean" in doc:
                if not isinstance(doc["boolean"], bool):
                    value = shown(str(doc["boolean"]))
                    raise _NonsenseError(f"the ASK answer is not a boolean: {value}")
                return Result([], boolean=doc["boolean"])
            names = doc["head"].get("vars", [])
            rows = [
                tuple(term_from_json(b[n]) if n in b else None for n in names)
                for b in doc["results"]["bindings"]
            ]
        except (KeyError, TypeError, AttributeError) as error:
            raise _NonsenseError(f"the answer is not SPARQL results JSON (at {error})") from None
        except ValueError as error:  # a bad IRI, language tag or term in a result
            raise _NonsenseError(f"a bad term in the results: {error}") from None
        return Result(names, rows)
    if graph and media in _GRAPH_TYPES:
        try:
            parsed = ox.parse(data, format=_GRAPH_TYPES[media])
            return [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]
        except (SyntaxError, ValueError) as error:
            raise _NonsenseError(f"the answer is not valid {media}: {error}") from None
    wanted = "RDF (N-Triples or Turtle)" if graph else "SPARQL results JSON"
    raise _NonsenseError(f"expected {wanted}, got content type {shown(ctype or 'none')}")


class SparqlBackend(Backend):
    """A remote SPARQL 1.1 endpoint. Queries go to ``url``; updates to ``update_url``. A
    ``user:password@`` in the URL is sent as HTTP authentication (https only, unless
    ``allow_insecure_auth``)."""

    name = "sparql"

    def __init__(
        self,
        url: str,
        update_url: str | None = None,
        *,
        auth: tuple[str, str] | None = None,
        allow_insecure_auth: bool = False,
    ) -> None:
        self.url, self.auth = check_auth(url, auth, allow_insecure_auth)
        if update_url is not None:
            update_url = check_auth(update_url, self.auth, allow_insecure_auth)[0]
        self.capabilities = Capabilities(local=False, private=False, engine="remote")
        self.update_url = update_url or (
            self.url[: -len("/query")] + "/update" if self.url.endswith("/query") else self.url
        )

    def __repr__(self) -> str:
        return f"SparqlBackend({redact(self.url)!r})"

    def raw_query(self, query: str, bindings: Mapping[str, Term]) -> Result | list[ox.Triple]:
        text = with_values(query, bindings)
        body = urllib.parse.urlencode({"query": text}).encode("utf-8")
        graph_form = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        accept = "application/n-triples, text/turtle;q=0.9" if graph_form else _ACCEPT
        headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            ctype, data = _request(
                self.url, data=body, method="POST", headers=headers, auth=self.auth
            )
        except RemoteError as error:
            if "HTTP 400" in str(error):
                raise QueryError(str(error)) from None
            raise
        try:
            return _answer(ctype, data, graph=graph_form)
        except _NonsenseError as error:
            raise RemoteError(f"POST {self.url}: {error}") from None

    def update(self, text: str) -> None:
        _request(
            self.update_url,
            data=text.encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
            auth=self.auth,
        )

    def load_file(self, path: Path, graph: str, fmt: str | None = None) -> None:
        raise NotImplementedError("load into a remote store with GraphStore (igfkg load)")

    def load_data(self, data: bytes, fmt: str, graph: str) -> None:
        raise NotImplementedError("load into a remote store with GraphStore (igfkg load)")

    def quads(self) -> Iterable[ox.Quad]:
        out = self.raw_query(sparql.load("igfkg.store", "remote-quads"), {})
        assert isinstance(out, Result)
        for g, s, p, o in out:
            yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    def __len__(self) -> int:
        out = self.raw_query(sparql.load("igfkg.store", "remote-count"), {})
        assert isinstance(out, Result)
        value = out.rows[0][0] if out.rows else None
        return int(value.value) if value is not None else 0


class GraphStore:
    """A SPARQL 1.1 Graph Store HTTP Protocol endpoint (e.g. Oxigraph's ``/store``);
    credentials as for :func:`check_auth`."""

    def __init__(
        self,
        url: str,
        auth: tuple[str, str] | None = None,
        *,
        allow_insecure_auth: bool = False,
    ) -> None:
        self.url, self.auth = check_auth(url, auth, allow_insecure_auth, "graph store endpoint")

    def __repr__(self) -> str:
        return f"GraphStore({redact(self.url)!r})"

    def _graph_url(self, graph: str) -> str:
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}{urllib.parse.urlencode({'graph': graph})}"

    def put(self, graph: str, data: bytes, fmt: str = "nt") -> None:
        """Replace the named graph with ``data`` (PUT: no duplicates on reload)."""
        fmt = rdf_format(fmt)
        if fmt in QUAD_FORMATS:
            raise ParameterError("PUT a triple format into one named graph, not quads")
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
