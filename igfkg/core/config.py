"""Configuration read from the environment, in one place.

Every setting has a default; the command line's options override them. A value that cannot be
read is a :class:`~igfkg.core.errors.ConfigError` naming the variable and the value.

>>> settings({"IGFKG_LOCK_TIMEOUT": "5"}).lock_timeout
5.0
>>> settings({}).store is None
True
>>> settings({"IGFKG_LOCK_TIMEOUT": "soon"})
Traceback (most recent call last):
...
igfkg.core.errors.ConfigError: IGFKG_LOCK_TIMEOUT='soon': not a number of seconds
>>> settings({"IGFKG_ENDPOINT": "localhost:7878"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
igfkg.core.errors.ConfigError: IGFKG_ENDPOINT 'localhost:7878' is not an http(s) URL: ...
>>> conf = settings({"IGFKG_USER": "ann", "IGFKG_PASSWORD": "s3cret"})
>>> "s3cret" in repr(conf), "ann" in repr(conf)  # secrets never in a repr
(False, True)
>>> settings({"IGFKG_INGEST_MAX_TOKEN": "2M"}).ingest_max_token
2097152
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from igfkg.core.errors import ConfigError
from igfkg.core.iri import endpoint as check_endpoint

__all__ = ["Settings", "settings"]


@dataclass(frozen=True)
class Settings:
    """What the environment says; see the README's *Configuration* table."""

    store: str | None = None  # IGFKG_STORE: a persistent store folder
    # IGFKG_ENDPOINT: a remote SPARQL endpoint (an http(s) URL; may carry user:password@)
    endpoint: str | None = field(default=None, repr=False)
    lock_timeout: float = 120.0  # IGFKG_LOCK_TIMEOUT: seconds to wait for a busy store
    user: str | None = None  # IGFKG_USER: user name for igfkg load
    password: str | None = field(default=None, repr=False)  # IGFKG_PASSWORD: its password
    query_timeout: float = 300.0  # IGFKG_QUERY_TIMEOUT: seconds a query may run (0: none)
    max_rows: int = 200_000  # IGFKG_MAX_ROWS: rows (or triples) a query may return
    max_query_length: int = 1_000_000  # IGFKG_MAX_QUERY_LENGTH: characters of SPARQL text
    max_query_depth: int = 100  # IGFKG_MAX_QUERY_DEPTH: nested brackets of SPARQL text
    max_result_bytes: int = 256 * 2**20  # IGFKG_MAX_RESULT_BYTES: bytes a served answer holds
    # Bounds on one ingested file (PubMed XML, MEDLINE, MeSH), in bytes of decompressed input:
    ingest_max_bytes: int = 4 << 30  # IGFKG_INGEST_MAX_BYTES: a whole file
    ingest_max_record: int = 16 << 20  # IGFKG_INGEST_MAX_RECORD: one record (or line)
    ingest_max_token: int = 1 << 20  # IGFKG_INGEST_MAX_TOKEN: one text, comment or tag


_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_MIN_SIZE = 1 << 16


def _size(env: Mapping[str, str], name: str, default: int) -> int:
    """A size in bytes, with an optional K, M or G (binary) suffix; at least 64K."""
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip().upper().removesuffix("IB").removesuffix("B")
    unit = text[-1:] if text[-1:] in ("K", "M", "G") else ""
    number = text[: len(text) - len(unit)]
    if not number.isdigit():
        raise ConfigError(f"{name}={raw!r}: not a size in bytes (e.g. 65536, 512K, 16M, 2G)")
    value = int(number) * _UNITS[unit]
    if value < _MIN_SIZE:
        raise ConfigError(f"{name}={raw!r}: below the minimum of 64K")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: not a number of seconds") from None
    if not value >= 0:
        raise ConfigError(f"{name}={raw!r}: not a number of seconds")
    return value


def _text(env: Mapping[str, str], name: str) -> str | None:
    """The variable's value if set and not empty; its value must be UTF-8 text (a password is
    not quoted in the error)."""
    raw = env.get(name) or None
    if raw is not None:
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            shown = "its value" if name == "IGFKG_PASSWORD" else repr(raw)
            raise ConfigError(f"{name}: {shown} is not valid UTF-8 text") from None
    return raw


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: not a whole number") from None
    if value < 1:
        raise ConfigError(f"{name}={raw!r}: not a whole number of at least 1")
    return value


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings the environment (``os.environ`` unless given) holds."""
    env = os.environ if env is None else env
    endpoint = _text(env, "IGFKG_ENDPOINT")
    if endpoint is not None:
        check_endpoint(endpoint, "IGFKG_ENDPOINT")
    return Settings(
        store=env.get("IGFKG_STORE") or None,
        endpoint=endpoint,
        lock_timeout=_seconds(env, "IGFKG_LOCK_TIMEOUT", 120.0),
        user=_text(env, "IGFKG_USER"),
        password=_text(env, "IGFKG_PASSWORD"),
        query_timeout=_seconds(env, "IGFKG_QUERY_TIMEOUT", 300.0),
        max_rows=_count(env, "IGFKG_MAX_ROWS", 200_000),
        max_query_length=_count(env, "IGFKG_MAX_QUERY_LENGTH", 1_000_000),
        max_query_depth=_count(env, "IGFKG_MAX_QUERY_DEPTH", 100),
        max_result_bytes=_count(env, "IGFKG_MAX_RESULT_BYTES", 256 * 2**20),
        ingest_max_bytes=_size(env, "IGFKG_INGEST_MAX_BYTES", Settings.ingest_max_bytes),
        ingest_max_record=_size(env, "IGFKG_INGEST_MAX_RECORD", Settings.ingest_max_record),
        ingest_max_token=_size(env, "IGFKG_INGEST_MAX_TOKEN", Settings.ingest_max_token),
    )
