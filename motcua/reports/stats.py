"""Small arithmetic of rates: a share with its denominator, and a confidence band for rankings."""

from __future__ import annotations

import math


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """``numerator ÷ denominator`` as a fraction, ``None`` when there is nothing to divide by."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval (95% by default) of a rate: narrow for 300 dossiers, wide for 3,
    so a ranking can order by the lower bound (or show the band) instead of the bare rate.

    Worked example: 3 on time of 3 gives (0.44, 1.0); 285 of 300 gives (0.92, 0.97)."""
    if total <= 0:
        return None
    p = successes / total
    denom = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))
