"""The bundled ontology, knowledge base, shapes and queries.

They ship inside the wheel under ``igfkg/_data``; in a source checkout they are the top-level
``ontology/``, ``shapes/`` and ``queries/`` folders. So do the licences, the notice and the
citation file (:func:`legal_files`), which ``igfkg build`` copies into every release.

>>> [p.name for p in ontology_files()]
['igfkg-evidence.ttl', 'igfkg-reading.ttl', 'igfkg.ttl']
>>> "claims.ttl" in [p.name for p in kb_files()]
True
>>> list(legal_files())
['LICENSE', 'LICENSE-DATA', 'NOTICE', 'CITATION.cff']
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = [
    "LEGAL_FILES",
    "context_file",
    "data_root",
    "kb_files",
    "legal_files",
    "ontology_files",
    "qc_files",
    "query_files",
    "shape_files",
]


# The code's licence (MIT), the data's (CC BY 4.0), third-party attribution and how to cite.
LEGAL_FILES = ("LICENSE", "LICENSE-DATA", "NOTICE", "CITATION.cff")


def data_root() -> Path:
    """The folder that holds ``ontology/``, ``shapes/`` and ``queries/``."""
    packaged = Path(str(files("igfkg"))) / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


def ontology_files() -> list[Path]:
    """The ontology (TBox) Turtle files."""
    return sorted((data_root() / "ontology").glob("*.ttl"))


def context_file() -> Path:
    """The JSON-LD context of the project's prefixes (``ontology/context.jsonld``)."""
    return data_root() / "ontology" / "context.jsonld"


def kb_files() -> list[Path]:
    """The knowledge-base Turtle files."""
    return sorted((data_root() / "ontology" / "kb").glob("*.ttl"))


def shape_files() -> list[Path]:
    """The SHACL shapes files."""
    return sorted((data_root() / "shapes").glob("*.ttl"))


def query_files() -> list[Path]:
    """The canned SPARQL queries, one per file."""
    return sorted((data_root() / "queries").glob("*.rq"))


def qc_files() -> list[Path]:
    """The ontology QC checks, ``queries/qc/*-violation.rq``."""
    return sorted((data_root() / "queries" / "qc").glob("*-violation.rq"))


def legal_files() -> dict[str, Path]:
    """The licences, the notice and the citation file by name (:data:`LEGAL_FILES`)."""
    return {name: data_root() / name for name in LEGAL_FILES}
