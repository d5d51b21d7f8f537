"""Ontology QC, the ODK way: SPARQL checks named ``*-violation.rq`` whose rows
(``?entity ?property ?value``) are violations. A check's header gives its description and level.

>>> import igfkg
>>> report = run_checks(igfkg.open())
>>> report.failed, len(report.checks) >= 9
(False, True)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from igfkg.core import resources
from igfkg.core import tsv as _tsv
from igfkg.core.errors import DataFileError
from igfkg.core.namespaces import compact
from igfkg.core.results import term_to_text

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["Check", "QcReport", "QcViolation", "load_checks", "run_checks"]


@dataclass(frozen=True)
class Check:
    """One QC check: id (file stem without ``-violation``), description, level, SPARQL."""

    id: str
    description: str
    level: str
    sparql: str


@dataclass(frozen=True)
class QcViolation:
    """One row of a check."""

    check: str
    level: str
    entity: str
    property: str
    value: str


@dataclass
class QcReport:
    """All checks run and their violations."""

    checks: list[Check]
    violations: list[QcViolation] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """True if any ERROR-level check has a violation."""
        return any(v.level == "ERROR" for v in self.violations)

    def tsv(self) -> str:
        """The violations as TSV: check, level, entity, property, value (a cell with a tab, a
        line break or a double quote in double quotes, CSV style: :mod:`igfkg.core.tsv`)."""
        lines = ["check\tlevel\tentity\tproperty\tvalue"]
        lines += [
            _tsv.row([v.check, v.level, v.entity, v.property, v.value]) for v in self.violations
        ]
        return "\n".join(lines) + "\n"

    def json(self) -> str:
        """The report as JSON: ``failed`` (any ERROR violation), ``checks`` (``id``,
        ``description``, ``level``, ``violations``: how many) and ``violations`` (``check``,
        ``level``, ``entity``, ``property``: full IRIs, ``value``: as in the TSV)."""
        counts = {c.id: 0 for c in self.checks}
        for v in self.violations:
            counts[v.check] += 1
        doc = {
            "failed": self.failed,
            "checks": [
                {
                    "id": c.id,
                    "description": c.description,
                    "level": c.level,
                    "violations": counts[c.id],
                }
                for c in self.checks
            ],
            "violations": [asdict(v) for v in self.violations],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    def text(self) -> str:
        """A readable summary: one line per check, then the violations."""
        counts = {c.id: 0 for c in self.checks}
        for v in self.violations:
            counts[v.check] += 1
        lines = [
            f"{'FAIL' if counts[c.id] else 'ok  '}  {c.level:<5}  {c.id:<40} {counts[c.id]}"
            for c in self.checks
        ]
        for v in self.violations:
            lines.append(
                f"{v.level} {v.check}: {compact(v.entity)} {compact(v.property)} {v.value!r}"
            )
        return "\n".join(lines) + "\n"


def _parse(path: Path) -> Check:
    text = path.read_text(encoding="utf-8")
    header = {}
    for line in text.splitlines():
        if line.startswith("#+"):
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip()
    level = header.get("level", "ERROR").upper()
    if level not in ("ERROR", "WARN", "INFO"):
        raise DataFileError(str(path), f"level must be ERROR, WARN or INFO, got {level!r}")
    return Check(path.stem.removesuffix("-violation"), header.get("description", ""), level, text)


def load_checks(paths: list[Path] | None = None) -> list[Check]:
    """The bundled checks (or the given files)."""
    return [_parse(p) for p in (paths if paths is not None else resources.qc_files())]


def run_checks(kg: GraphPort, checks: list[Check] | None = None) -> QcReport:
    """Run every check on ``kg``."""
    report = QcReport(checks if checks is not None else load_checks())
    for check in report.checks:
        for row in kg.select(check.sparql):
            entity, prop, value = row["entity"], row["property"], row["value"]
            report.violations.append(
                QcViolation(
                    check.id,
                    check.level,
                    entity.value if entity is not None else "",
                    prop.value if prop is not None else "",
                    term_to_text(value),
                )
            )
    report.violations.sort(key=lambda v: (v.check, v.entity, v.property, v.value))
    return report
