"""The support summary of study-based claims: how many primary studies (randomised ones,
participants) and findings (supporting, qualifying, contradicting) stand behind each claim,
computed by the canned query ``claim-support`` from the findings the claims point at, never
stored by hand.

>>> import igfkg
>>> s = claim_support(igfkg.open().backend)["mecasermin-adverse-bells-palsy"]
>>> s.studies, s.search != ""
(0, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from igfkg.explore.catalog import catalog

if TYPE_CHECKING:
    from igfkg.store.port import GraphPort

__all__ = ["Support", "claim_support"]


@dataclass(frozen=True)
class Support:
    """One claim's support by primary studies."""

    studies: int
    randomised: int
    participants: int
    supporting: int
    qualifying: int
    contradicting: int
    search: str = ""

    def __str__(self) -> str:
        if not self.studies:
            return "no primary study found" + (f": {self.search}" if self.search else "")
        return (
            f"{self.studies} primary {'study' if self.studies == 1 else 'studies'} "
            f"({self.randomised} randomised, {self.participants} participants); findings: "
            f"{self.supporting} supporting, {self.qualifying} qualifying, "
            f"{self.contradicting} contradicting"
        )


def claim_support(kg: GraphPort) -> dict[str, Support]:
    """Each study-based claim's support, by claim identifier."""
    out = {}
    for row in catalog().get("claim-support").run(kg, {}):
        values = {k: (v.value if v is not None else "") for k, v in row.asdict().items()}
        n = {k: int(values[k] or 0) for k in _COUNTS}
        out[values["claim"]] = Support(**n, search=values["search"])
    return out


_COUNTS = ("studies", "randomised", "participants", "supporting", "qualifying", "contradicting")
