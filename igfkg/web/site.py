"""The graph as a static web site: a home page and one page per knowledge-base entity and study,
claim, curated article, ontology term and canned query, each entity with its Turtle beside it,
and the ontology's documentation on one page (``ontology.html``).
Deterministic, relative links, every value escaped; written whole.

>>> import igfkg, tempfile
>>> from pathlib import Path
>>> out = Path(tempfile.mkdtemp()) / "site"
>>> pages = build_site(igfkg.open(), out, diagrams=False)
>>> (out / "kb" / "igf-1" / "index.html").is_file(), (out / "kb" / "igf-1" / "index.ttl").is_file()
(True, True)
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from igfkg.core.errors import IgfkgError, OutputError
from igfkg.explore.catalog import catalog
from igfkg.web.model import Page, entity_triples, rdf
from igfkg.web.ontology_doc import ontology_doc
from igfkg.web.render import Renderer

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["build_site"]


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def build_site(
    kg: GraphPort, output: Path, *, diagrams: bool = True, force: bool = False
) -> list[Page]:
    """Write the site under ``output`` (a new or empty folder, or any folder with ``force``):
    built in a temporary folder beside it, then moved into place."""
    output = Path(output)
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not force)):
        raise OutputError(
            f"{output}: exists and is not an empty folder; pass --force to replace it"
        )
    site = Renderer(kg, static=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".igfkg-site-", dir=output.parent))
    try:
        for page in site.every:
            triples = entity_triples(kg, page.iri)
            for fmt in ("ttl", "nt", "jsonld"):
                _write(work / page.path / f"index.{fmt}", rdf(triples, fmt))
            rows, more = site.literature(page.iri, 0, 10)
            html = site.entity(page, diagrams=diagrams, literature=rows, more_literature=more)
            _write(work / page.path / "index.html", html)
        for claim in site.claims:
            _write(work / claim.path / "index.html", site.claim(claim.id))
        for article in site.articles:
            _write(work / article.path / "index.html", site.article(article))
        for term in site.terms:
            _write(work / term.path / "index.html", site.term(term))
        _write(work / "index.html", site.home(diagrams=diagrams))
        _write(work / "ontology.html", ontology_doc(kg, home="index.html"))
        # last: a query may materialise the OWL RL closure or the literature index
        _query_pages(site, work)
        if output.exists():
            shutil.rmtree(output)
        work.rename(output)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return site.every


class _NotRunError(Exception):
    """A query the site build does not run (it would write into the store)."""


def _query_pages(site: Renderer, work: Path) -> None:
    """One page per canned query: its question, parameters, SPARQL and its answer with the
    default parameters (the first rows; the whole answer as CSV, TSV and JSON beside it)."""
    kg = site.kg
    for query in catalog():
        folder = work / "queries" / query.id
        folder.mkdir(parents=True)
        error, answer = "", None
        try:
            if query.inference and not kg.has_inferred():
                # the build would materialise the closure into the store and change it
                raise _NotRunError(f"it needs the OWL 2 RL closure: run igfkg query {query.id}")
            if query.literature_index:
                raise _NotRunError(f"it reads the literature index: run igfkg query {query.id}")
            answer = query.run(kg, {})
        except _NotRunError as reason:
            error = f"Not run while writing the site: {reason}"
        except IgfkgError as problem:
            error = f"Needs a value: {problem}"
        downloads = {}
        if answer is not None:
            for fmt in ("csv", "tsv", "json"):
                _write(folder / f"answer.{fmt}", answer.serialize(fmt))
                downloads[fmt.upper()] = f"answer.{fmt}"
        _write(
            folder / "index.html",
            site.query(query, answer=answer, error=error, downloads=downloads),
        )
