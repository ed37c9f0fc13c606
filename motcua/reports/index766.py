"""Decision 766/QĐ-TTg: the service-quality index, scored from counts.

The indicators (formula, points, target, source note) are versioned configuration, one JSON
file per version in ``data/index766/`` (the national portal's operational formulas have changed
over time and have known ambiguities: each choice is written down beside the indicator). The
version applied to a period is the newest whose ``effective_from`` is on or before the period's
last day.

Scoring (legal-facts §7.2): with a target, a rate at or above it earns the full points, below
it ``rate × max ÷ target``; without one, ``rate × max``. A rate is a share in [0, 1], rounded
to 4 decimals (2 as a percentage). ``display`` indicators show a rate and earn nothing.

The counts come from ``motcua.reports.selectors.indicator_counts``: ``{key: {"numerator",
"denominator", …}}``; an indicator names its key (``counts``). An indicator without a key, or
whose key is absent or has a denominator ``None``, or that counts the events of an app not
installed (``requires``: e-results, payments, ratings) — its source is not built: PAKN, the
national sync… — is "chưa đo" — never zero, and left out of the score and of its maximum.
"""

import functools
import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.apps import apps

DATA_DIR = Path(__file__).parent / "data" / "index766"
NOT_MEASURED = "not_measured"  # the system does not count what the formula needs
NO_DATA = "no_data"  # counted, but nothing to count in the period (denominator 0)
MEASURED = "measured"


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    name: str
    max: Decimal
    target: Decimal | None
    scored: bool  # False: a rate shown for information, no points
    counts: str  # the key of ``indicator_counts`` it is computed from ("": not measured)
    formula_text: str
    source: str
    against: str = ""  # the drill-down metric of the dossiers that count against it
    against_label: str = ""
    requires: str = ""  # the app whose events it counts: not installed, not measured (not 0)


@dataclass(frozen=True)
class Config:
    version: str
    title: str
    effective_from: date
    source: str
    scoring_note: str
    groups: tuple[dict[str, Any], ...]
    indicators: tuple[Indicator, ...]

    def group_name(self, group_id: str) -> str:
        return next(g["name"] for g in self.groups if g["id"] == group_id)


def _indicator(raw: dict[str, Any]) -> Indicator:
    return Indicator(
        id=raw["id"],
        group=raw["group"],
        name=raw["name"],
        max=Decimal(str(raw["max"])),
        target=None if raw.get("target") is None else Decimal(str(raw["target"])),
        scored=bool(raw["scored"]),
        counts=raw.get("counts", ""),
        formula_text=raw["formula_text"],
        source=raw["source"],
        against=raw.get("against", ""),
        against_label=raw.get("against_label", ""),
        requires=raw.get("requires", ""),
    )


def load(path: Path) -> Config:
    raw = json.loads(path.read_text(encoding="utf-8"))
    config = Config(
        version=raw["version"],
        title=raw["title"],
        effective_from=date.fromisoformat(raw["effective_from"]),
        source=raw["source"],
        scoring_note=raw["scoring_note"],
        groups=tuple(raw["groups"]),
        indicators=tuple(_indicator(item) for item in raw["indicators"]),
    )
    for group in config.groups:
        points = sum(i.max for i in config.indicators if i.group == group["id"])
        if points != group["max"]:
            raise ValueError(
                f"766 {config.version}: group {group['id']} sums to {points}, not {group['max']}"
            )
    return config


@functools.cache
def versions() -> tuple[Config, ...]:
    """Every configured version, oldest first."""
    return tuple(sorted((load(p) for p in DATA_DIR.glob("*.json")), key=lambda c: c.effective_from))


def config_for(day: date) -> Config:
    """The version in force on ``day`` (a period's last day); the oldest if none yet was."""
    applicable = [c for c in versions() if c.effective_from <= day]
    return applicable[-1] if applicable else versions()[0]


def _q(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class Result:
    indicator: Indicator
    status: str
    numerator: int | None = None
    denominator: int | None = None
    rate: Decimal | None = None  # share in [0, 1], 4 decimals
    points: Decimal | None = None  # 2 decimals; None when not scored

    @property
    def percent(self) -> Decimal | None:
        return None if self.rate is None else _q(self.rate * 100, "0.01")

    @property
    def lost(self) -> Decimal:
        """Points below the maximum: what "pulls the index down"."""
        if self.points is None or not self.indicator.scored:
            return Decimal(0)
        return self.indicator.max - self.points

    @property
    def below_target(self) -> bool:
        goal = self.indicator.target if self.indicator.target is not None else Decimal(1)
        return self.rate is not None and self.rate < goal


def app_installed(name: str) -> bool:
    return apps.is_installed(name)


def score_indicator(indicator: Indicator, counts: dict[str, dict[str, Any]]) -> Result:
    if indicator.requires and not app_installed(indicator.requires):
        return Result(indicator, NOT_MEASURED)
    found = counts.get(indicator.counts) if indicator.counts else None
    if found is None or found.get("numerator") is None or found.get("denominator") is None:
        return Result(indicator, NOT_MEASURED)
    numerator, denominator = int(found["numerator"]), int(found["denominator"])
    if denominator <= 0:
        return Result(indicator, NO_DATA, numerator=numerator, denominator=0)
    share = Decimal(numerator) / Decimal(denominator)
    rate = _q(min(max(share, Decimal(0)), Decimal(1)), "0.0001")
    points = None
    if indicator.scored:
        if indicator.target is not None:
            earned = indicator.max if rate >= indicator.target else rate * indicator.max / indicator.target
        else:
            earned = rate * indicator.max
        points = _q(earned, "0.01")
    return Result(indicator, MEASURED, numerator=numerator, denominator=denominator, rate=rate, points=points)


@dataclass
class Index:
    config: Config
    results: list[Result]

    @property
    def scored(self) -> list[Result]:
        return [r for r in self.results if r.indicator.scored and r.status == MEASURED]

    @property
    def score(self) -> Decimal:
        return _q(sum((r.points or Decimal(0) for r in self.scored), Decimal(0)), "0.01")

    @property
    def measured_max(self) -> Decimal:
        """The points the measured indicators could earn: the score is out of this, not 100."""
        return sum((r.indicator.max for r in self.scored), Decimal(0))

    @property
    def total_max(self) -> Decimal:
        return sum((i.max for i in self.config.indicators), Decimal(0))

    @property
    def not_measured(self) -> list[Result]:
        return [r for r in self.results if r.status == NOT_MEASURED and r.indicator.scored]

    def groups(self) -> list[dict[str, Any]]:
        out = []
        for group in self.config.groups:
            results = [r for r in self.results if r.indicator.group == group["id"]]
            scored = [r for r in results if r.indicator.scored and r.status == MEASURED]
            out.append(
                {
                    "id": group["id"],
                    "name": group["name"],
                    "max": group["max"],
                    "results": results,
                    "score": _q(sum((r.points or Decimal(0) for r in scored), Decimal(0)), "0.01")
                    if scored
                    else None,
                    "measured_max": sum((r.indicator.max for r in scored), Decimal(0)),
                }
            )
        return out

    def pulling_down(self, limit: int = 3) -> list[Result]:
        """The measured indicators furthest below their target, most points lost first."""
        losing = [r for r in self.scored if r.lost > 0]
        return sorted(losing, key=lambda r: (-r.lost, r.indicator.id))[:limit]


def compute(counts: dict[str, dict[str, Any]], *, day: date) -> Index:
    """The index for counts of a period ending on ``day`` (its version chosen by that day)."""
    config = config_for(day)
    return Index(config, [score_indicator(i, counts) for i in config.indicators])
