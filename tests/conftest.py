"""Shared fixtures: the bundled graph on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

import igfkg
from igfkg.graph import KnowledgeGraph

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", params=igfkg.BACKENDS)
def kg(request: pytest.FixtureRequest) -> KnowledgeGraph:
    """The bundled ontology + KB, once per backend (read-only: do not modify)."""
    return igfkg.open(f"{request.param}:")


@pytest.fixture(scope="session")
def oxkg() -> KnowledgeGraph:
    """The bundled graph on the default embedded Oxigraph store (read-only)."""
    return igfkg.open()
