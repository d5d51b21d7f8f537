"""The reader's precision and recall on the hand-labelled evaluation set must not fall below
what it reached when the figures in the README were measured (``python -m
tests.reading_quality`` prints them)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .reading_quality import Quality, Score, evaluate, table

# (precision, recall) reached, rounded down to two places.
REACHED = {
    "mentions": (0.94, 0.79),
    "mentions_overlap": (0.97, 0.82),
    "hedge": (1.00, 0.81),
    "negation": (1.00, 0.50),
    "hedge_end_to_end": (1.00, 0.62),
    "negation_end_to_end": (1.00, 0.16),
    "hedge_cues": (0.96, 0.81),
    "negation_cues": (0.91, 0.87),
}


@pytest.fixture(scope="module")
def quality() -> Quality:
    return evaluate()


@pytest.mark.parametrize("task", sorted(REACHED))
def test_quality_does_not_fall(quality: Quality, task: str) -> None:
    score: Score = getattr(quality, task)
    precision, recall = REACHED[task]
    assert score.gold > 0
    assert score.precision >= precision, f"{task}: precision {score.precision:.3f}"
    assert score.recall >= recall, f"{task}: recall {score.recall:.3f}"


def test_the_evaluation_covers_what_the_issue_asks(quality: Quality) -> None:
    assert quality.sentences >= 200
    assert quality.mentions.gold >= 100
    assert quality.hedge_cues.gold >= 25
    assert quality.negation_cues.gold >= 20


def test_the_readme_shows_the_measured_table(quality: Quality) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- reading-quality -->\n(.*?)\n<!-- /reading-quality -->", readme, re.S)
    assert block is not None
    assert block.group(1).strip() == table(quality)
