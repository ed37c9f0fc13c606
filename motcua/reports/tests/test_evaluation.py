"""Circular 01/2018: per-dossier scores, art. 15 averages, bands (worked examples)."""

from decimal import Decimal

import pytest

from motcua.reports import evaluation


def test_a_dossier_scores_each_indicator_as_article_13_says():
    early = evaluation.score_dossier(
        timeliness="early",
        step_timeliness=["early", "early"],
        answers={"contacts": "none", "agencies": "none", "misconduct": "no"},
    )
    assert early == {1: 2, 2: 2, 3: 2, 4: 2, 7: 2}
    late = evaluation.score_dossier(
        timeliness="late",
        step_timeliness=["early", "late"],
        answers={"contacts": "more", "agencies": "one_stop"},
    )
    assert late == {1: 0, 2: 0, 3: 0, 4: 1, 7: 0}
    complained = evaluation.score_dossier(
        timeliness="early", step_timeliness=["on_time"], answers={"misconduct": "yes"}
    )
    assert complained == {1: 2, 2: 1, 3: None, 4: None, 7: 0}


def test_averages_round_to_one_decimal_and_skip_unanswered():
    dossiers = [
        {1: 2, 2: 2, 3: 2, 4: None, 7: 2},
        {1: 1, 2: 1, 3: None, 4: None, 7: 1},
        {1: 0, 2: 1, 3: 1, 4: None, 7: 0},
    ]
    official = evaluation.evaluate_official(dossiers)
    assert official.scores == {
        1: Decimal("1.0"),
        2: Decimal("1.3"),
        3: Decimal("1.5"),
        4: None,
        7: Decimal("1.0"),
    }
    assert official.counts[3] == 2 and official.counts[4] == 0
    assert official.total == Decimal("4.8")
    # Four indicators measured (max 8): 4.8 × 10 / 8 = 6.0 → fully completed.
    assert official.scaled_total == Decimal("6.0")
    assert official.band == "Hoàn thành 100% nhiệm vụ"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (Decimal(18), "Xuất sắc"),
        (Decimal(15), "Xuất sắc"),  # "≥ 15" (a deployed system left 15 in no band)
        (Decimal("14.9"), "Tốt"),
        (Decimal(12), "Tốt"),
        (Decimal("11.9"), "Khá"),
        (Decimal(9), "Khá"),
        (Decimal(6), "Trung bình"),
        (Decimal("5.9"), "Yếu"),
        (Decimal(0), "Yếu"),
    ],
)
def test_unit_bands(total, band):
    assert evaluation.unit_band(total) == band


def test_official_bands():
    assert evaluation.official_band(Decimal(5)) == "Hoàn thành 100% nhiệm vụ"
    assert evaluation.official_band(Decimal("4.9")) == "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"
    assert evaluation.official_band(Decimal("3.5")) == "Hoàn thành từ 70% đến dưới 100% nhiệm vụ"
    assert evaluation.official_band(Decimal("3.4")) == "Hoàn thành dưới 70% nhiệm vụ"


def test_a_unit_with_unmeasured_indicators_is_banded_on_the_full_scale():
    dossiers = [{1: 2, 2: 2, 3: 2, 4: 1, 7: 2}, {1: 1, 2: 1, 3: 2, 4: 1, 7: 1}]
    unit = evaluation.evaluate_unit(dossiers, {9: 1})
    # 1.5 + 1.5 + 2.0 + 1.0 + 1.5 + 1 (indicator 9) = 8.5 of 12 measured; × 18 / 12 = 12.75 → 12.8.
    assert unit.total == Decimal("8.5")
    assert unit.scores[5] is None and unit.scores[6] is None and unit.scores[8] is None
    assert unit.scaled_total == Decimal("12.8")
    assert unit.band == "Tốt"
    assert evaluation.evaluate_unit([], {}).band == "Chưa đủ dữ liệu"


def test_indicator_9_online_services():
    assert (
        evaluation.online_points(procedures_online=30, procedures=100, online=40, received=100, online_late=0)
        == 2
    )
    assert (
        evaluation.online_points(procedures_online=30, procedures=100, online=40, received=100, online_late=1)
        == 0
    )
    assert (
        evaluation.online_points(procedures_online=10, procedures=100, online=20, received=100, online_late=0)
        == 1
    )
    assert (
        evaluation.online_points(procedures_online=0, procedures=100, online=20, received=100, online_late=0)
        == 0
    )
    assert (
        evaluation.online_points(procedures_online=3, procedures=10, online=0, received=0, online_late=0)
        is None
    )
