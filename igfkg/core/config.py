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
>>> settings({"IGFKG_INGEST_MAX_TOKEN": "2M"}).ingest_max_token
2097152
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from igfkg.core.errors import ConfigError

__all__ = ["Settings", "settings"]


@dataclass(frozen=True)
class Settings:
    """What the environment says; see the README's *Configuration* table."""

    store: str | None = None  # IGFKG_STORE: a persistent store folder
    endpoint: str | None = None  # IGFKG_ENDPOINT: a remote SPARQL endpoint
    lock_timeout: float = 120.0  # IGFKG_LOCK_TIMEOUT: seconds to wait for a busy store
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


def settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings the environment (``os.environ`` unless given) holds."""
    env = os.environ if env is None else env
    return Settings(
        store=env.get("IGFKG_STORE") or None,
        endpoint=env.get("IGFKG_ENDPOINT") or None,
        lock_timeout=_seconds(env, "IGFKG_LOCK_TIMEOUT", 120.0),
        ingest_max_bytes=_size(env, "IGFKG_INGEST_MAX_BYTES", Settings.ingest_max_bytes),
        ingest_max_record=_size(env, "IGFKG_INGEST_MAX_RECORD", Settings.ingest_max_record),
        ingest_max_token=_size(env, "IGFKG_INGEST_MAX_TOKEN", Settings.ingest_max_token),
    )
