"""Decision 766: the configuration adds up, and worked examples of the scoring rule."""

from datetime import date
from decimal import Decimal

import pytest

from motcua.reports import index766


@pytest.fixture(autouse=True)
def every_app_built(monkeypatch):
    """The worked examples as if payments, e-results and ratings were all installed."""
    monkeypatch.setattr(index766, "app_installed", lambda name: True)


def _n(numerator, denominator):
    return {"numerator": numerator, "denominator": denominator}


# Shaped as motcua.reports.selectors.indicator_counts answers.
COUNTS = {
    # 2.1: 180 finished on time + 12 in progress not yet due, of 200 → 96%, 19.2 points.
    "766-2.1": _n(192, 200),
    # 4.2 (target 80%): 150 of 240 digitised → 62.5%, 4 × 0.625 / 0.8 = 3.125 → 3.13.
    "766-4.2": _n(150, 240),
    # 5.4 (target 90%): (200 − 8 late − 4 unsatisfied) / 200 = 94% ≥ 90% → full 6 points.
    "766-5.4": _n(188, 200),
    # 4.1: 30 of 120 finished with an e-result → 25% × 6 = 1.5.
    "766-4.1": _n(30, 120),
    # Ratings not built: a None denominator is "not measured".
    "satisfaction": _n(None, None),
}


def test_every_version_adds_up_to_the_decisions_groups():
    for config in index766.versions():
        totals = {g["id"]: g["max"] for g in config.groups}
        assert totals == {"1": 18, "2": 20, "3": 22, "4": 22, "5": 18}
        assert sum(i.max for i in config.indicators) == 100
        for indicator in config.indicators:
            assert indicator.source and indicator.formula_text, indicator.id


def test_every_indicator_of_legal_facts_7_2_is_configured():
    ids = {i.id for i in index766.config_for(date(2026, 11, 30)).indicators}
    assert {"1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.3", "3.5", "3.5b", "3.6"} <= ids
    # Each measured one reads a key the reports selectors give.
    keys = {i.counts for i in index766.config_for(date(2026, 11, 30)).indicators if i.counts}
    assert keys == {"766-2.1", "766-3.3", "766-3.6", "766-4.1", "766-4.2", "766-4.5b", "766-5.4"}
    assert {"4.1", "4.2", "4.2b", "4.3", "4.4", "4.5a", "4.5b", "5.1", "5.2", "5.3", "5.4"} <= ids


def test_worked_examples():
    index = index766.compute(COUNTS, day=date(2026, 11, 30))
    results = {r.indicator.id: r for r in index.results}
    assert (results["2.1"].percent, results["2.1"].points) == (Decimal("96.00"), Decimal("19.20"))
    assert (results["4.2"].percent, results["4.2"].points) == (Decimal("62.50"), Decimal("3.13"))
    assert (results["5.4"].percent, results["5.4"].points) == (Decimal("94.00"), Decimal("6.00"))
    assert (results["4.1"].percent, results["4.1"].points) == (Decimal("25.00"), Decimal("1.50"))
    assert index.score == Decimal("29.83")
    assert index.measured_max == Decimal(36)
    assert index.total_max == Decimal(100)


def test_what_is_not_built_is_not_measured_never_zero():
    index = index766.compute(COUNTS, day=date(2026, 11, 30))
    results = {r.indicator.id: r for r in index.results}
    for unbuilt in ("1.4", "5.2", "5.3", "4.3", "3.6"):
        assert results[unbuilt].status == index766.NOT_MEASURED
        assert results[unbuilt].points is None and results[unbuilt].rate is None
    assert {r.indicator.id for r in index.not_measured} >= {"1.4", "5.2", "5.3"}


def test_an_empty_denominator_is_no_data_not_zero():
    result = index766.score_indicator(
        next(i for i in index766.config_for(date(2026, 11, 30)).indicators if i.id == "3.6"),
        {"766-3.6": _n(0, 0)},
    )
    assert result.status == index766.NO_DATA and result.points is None


def test_a_none_denominator_is_not_measured():
    indicator = next(i for i in index766.config_for(date(2026, 11, 30)).indicators if i.id == "5.4")
    assert index766.score_indicator(indicator, {"766-5.4": _n(None, None)}).status == index766.NOT_MEASURED


def test_an_indicator_of_an_app_not_installed_is_not_measured(monkeypatch, every_app_built):
    monkeypatch.setattr(index766, "app_installed", lambda name: name != "motcua.signing")
    index = index766.compute(COUNTS, day=date(2026, 11, 30))
    results = {r.indicator.id: r for r in index.results}
    # Counted as 30 of 120 above, but e-results are not built here: not measured, not 25%.
    assert results["4.1"].status == index766.NOT_MEASURED and results["4.1"].rate is None
    assert results["5.4"].status == index766.MEASURED


def test_what_pulls_it_down_is_the_most_points_lost_first():
    index = index766.compute(COUNTS, day=date(2026, 11, 30))
    assert [r.indicator.id for r in index.pulling_down()] == ["4.1", "4.2", "2.1"]
    assert index.pulling_down()[0].lost == Decimal("4.50")
