"""IRIs and URLs checked before use: RDF terms made only from valid IRIs, endpoint URLs checked
and printed without their credentials.

An IRI is checked for the characters SPARQL's ``IRIREF`` forbids, split as RFC 3987 does
(scheme, authority with an IPv6 host in brackets and a numeric port), then parsed by
Oxigraph's RFC 3987 parser; each failure is an :class:`~igfkg.core.errors.IriError` naming the
value and what is wrong with it.

>>> iri_node("http://example.org/a").value
'http://example.org/a'
>>> iri_node("http://example.org/a>b")
Traceback (most recent call last):
...
igfkg.core.errors.IriError: 'http://example.org/a>b' is not a valid IRI: '>' at position 20
>>> redact("https://ann:s3cret@example.org/sparql")
'https://***@example.org/sparql'
"""

from __future__ import annotations

import ipaddress
import urllib.parse
from typing import NamedTuple

import pyoxigraph as ox

from igfkg.core.errors import ConfigError, IriError

__all__ = ["Endpoint", "check_iri", "endpoint", "iri_node", "redact", "shown"]

# SPARQL 1.1 IRIREF: ([^<>"{}|^`\]-[#x00-#x20])*
_FORBIDDEN = frozenset('<>"{}|^`\\')
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.")
_HEX = frozenset("0123456789abcdefABCDEF")


def shown(value: str, limit: int = 200) -> str:
    """``value`` quoted for a one-line message: escapes for control characters, shortened.

    >>> shown("a\\nb")
    "'a\\\\nb'"
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "...'"


def _problem(text: str) -> str | None:
    """What makes ``text`` no absolute IRI, or None."""
    if not text:
        return "empty"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"not valid UTF-8 text (position {error.start})"
    for position, char in enumerate(text):
        if char in _FORBIDDEN or ord(char) <= 0x20 or 0x7F <= ord(char) <= 0x9F:
            return f"{char!r} at position {position}"
        if char == "%" and not set(text[position + 1 : position + 3] or "x") <= _HEX:
            return f"'%' not followed by two hex digits at position {position}"
    scheme, colon, _ = text.partition(":")
    if not colon or not scheme or not scheme[0].isascii() or not scheme[0].isalpha():
        return "no scheme (an absolute IRI starts with one, e.g. https:)"
    if not set(scheme) <= _SCHEME_CHARS:
        return f"bad scheme {scheme!r}"
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or out of range
    except ValueError as error:
        return str(error)
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):
        literal = host[1 : host.find("]")]
        if not literal.lower().startswith("v"):  # IPvFuture is left to the parser below
            try:
                ipaddress.IPv6Address(literal)
            except ValueError:
                return f"bad IPv6 host {literal!r}"
    try:
        ox.NamedNode(text)
    except ValueError as error:  # Oxigraph's RFC 3987 parser: whatever the checks above missed
        return str(error).encode("unicode_escape").decode("ascii")
    return None


def check_iri(text: str, what: str = "") -> str:
    """``text`` if it is an absolute IRI, else :class:`IriError` naming it (``what``: which
    value it is, e.g. ``--graph``)."""
    problem = _problem(text)
    if problem is not None:
        prefix = f"{what} " if what else ""
        raise IriError(f"{prefix}{shown(text)} is not a valid IRI: {problem}")
    return text


def iri_node(text: str, what: str = "") -> ox.NamedNode:
    """The RDF IRI term of ``text``, checked by :func:`check_iri`."""
    return ox.NamedNode(check_iri(text, what))


def redact(url: str) -> str:
    """``url`` with any user name and password replaced by ``***``, for printing.

    >>> redact("http://127.0.0.1:7878/store")
    'http://127.0.0.1:7878/store'
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority = rest[:end]
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{rest[end:]}"


class Endpoint(NamedTuple):
    """An HTTP(S) endpoint: the URL without credentials, and the credentials it carried."""

    url: str
    auth: tuple[str, str] | None


def endpoint(url: str, what: str = "endpoint") -> Endpoint:
    """Check that ``url`` is an ``http(s)`` URL with a host; split off ``user:password@``.
    Errors name the URL redacted, never its password.

    >>> endpoint("http://ann:pw@127.0.0.1:7878/store")
    Endpoint(url='http://127.0.0.1:7878/store', auth=('ann', 'pw'))
    >>> endpoint("localhost:7878")
    Traceback (most recent call last):
    ...
    igfkg.core.errors.ConfigError: endpoint 'localhost:7878' is not an http(s) URL: ...
    """
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise ConfigError(f"{what} {shown(redact(url))} is not valid UTF-8 text") from None
    scheme = url.partition(":")[0].lower()
    if scheme not in ("http", "https") or not url[len(scheme) :].startswith("://"):
        hint = "give it as http://HOST:PORT/PATH" if "://" not in url else "use http or https"
        raise ConfigError(f"{what} {shown(redact(url))} is not an http(s) URL: {hint}")
    problem = _problem(redact(url))  # the password is neither checked nor quoted
    parts = urllib.parse.urlsplit(url) if problem is None else None
    if parts is not None and not parts.hostname:
        problem = "no host"
    if problem is not None or parts is None:
        raise ConfigError(f"{what} {shown(redact(url))} is not a valid URL: {problem}")
    auth = None
    if parts.username is not None or parts.password is not None:
        user = urllib.parse.unquote(parts.username or "")
        auth = (user, urllib.parse.unquote(parts.password or ""))
        host = parts.netloc.rpartition("@")[2]
        url = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return Endpoint(url, auth)
