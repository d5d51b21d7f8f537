"""Content negotiation for linked-data pages: HTML for people, Turtle, N-Triples or JSON-LD for
programs, chosen by ``?format=`` or else by the ``Accept`` header's quality values.

>>> choose("text/turtle;q=0.9, application/ld+json", None)
'jsonld'
>>> choose("text/html,application/xhtml+xml,*/*;q=0.8", None)
'html'
>>> choose("", "nt")
'nt'
"""

from __future__ import annotations

__all__ = ["MEDIA", "NotAcceptableError", "choose"]

#: Each format the pages offer and its media type (the first is the default).
MEDIA = {
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}
_ALIASES = {
    "application/xhtml+xml": "html",
    "application/x-turtle": "ttl",
    "text/plain": "nt",  # N-Triples' old media type
    "application/json": "jsonld",
}


class NotAcceptableError(ValueError):
    """No offered format fits the request (HTTP 406)."""


def _accepted(header: str) -> list[tuple[float, int, str]]:
    ranked = []
    for position, item in enumerate(header.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranked.append((quality, position, media.lower()))
    return ranked


def choose(accept: str, fmt: str | None) -> str:
    """The format to answer in: ``fmt`` (from ``?format=``) if given, else the best match of
    ``accept``; HTML when nothing is asked for."""
    if fmt is not None:
        if fmt not in MEDIA:
            raise NotAcceptableError(f"unknown format {fmt!r}; known: {', '.join(MEDIA)}")
        return fmt
    if not accept.strip():
        return "html"
    by_media = {media: name for name, media in MEDIA.items()} | _ALIASES
    best: tuple[float, int, str] | None = None
    for quality, position, media in _accepted(accept):
        if quality <= 0:
            continue
        if media in by_media:
            name = by_media[media]
        elif media in ("*/*", "text/*"):
            name = "html"
        elif media == "application/*":
            name = "jsonld"
        else:
            continue
        rank = (quality, -position, name)
        if best is None or rank[:2] > best[:2]:
            best = rank
    if best is None:
        raise NotAcceptableError(
            f"none of the asked media types is offered; offered: {', '.join(MEDIA.values())}"
        )
    return best[2]
