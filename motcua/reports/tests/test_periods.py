"""Reporting periods: calendar and statistical (15th to 14th) ones, and bad input."""

from datetime import date

import pytest
from django.http import QueryDict

from motcua.lib.errors import InvalidInput
from motcua.reports import periods


def test_a_calendar_month_and_quarter_cover_their_days():
    november = periods.month(2026, 11)
    assert (november.start, november.end, november.label) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
        "Tháng 11/2026",
    )
    q1 = periods.quarter(2024, 1)
    assert (q1.start, q1.end, q1.label) == (date(2024, 1, 1), date(2024, 3, 31), "Quý I/2024")
    assert periods.month(2024, 2).end == date(2024, 2, 29)  # a leap year


def test_a_statistical_period_runs_from_the_15th_to_the_14th():
    november = periods.month(2026, 11, statistical=True)
    assert (november.start, november.end) == (date(2026, 10, 15), date(2026, 11, 14))
    january = periods.month(2027, 1, statistical=True)
    assert (january.start, january.end) == (date(2026, 12, 15), date(2027, 1, 14))
    q4 = periods.quarter(2026, 4, statistical=True)
    assert (q4.start, q4.end) == (date(2026, 9, 15), date(2026, 12, 14))
    year = periods.year_period(2026, statistical=True)
    assert (year.start, year.end) == (date(2025, 12, 15), date(2026, 12, 14))
    assert "15/10/2026" in november.label and "14/11/2026" in november.label


def test_the_statistical_start_day_is_configuration(settings):
    settings.REPORTS_STATISTICAL_START_DAY = 1
    november = periods.month(2026, 11, statistical=True)
    assert (november.start, november.end) == (date(2026, 11, 1), date(2026, 11, 30))
    settings.REPORTS_STATISTICAL_START_DAY = 20
    assert periods.month(2026, 11, statistical=True).start == date(2026, 10, 20)


def test_a_period_is_named_again_by_its_key():
    for period in (
        periods.month(2026, 11),
        periods.quarter(2026, 4, statistical=True),
        periods.year_period(2025),
    ):
        assert periods.from_query(QueryDict(period.query())) == period
    chosen = periods.from_query(QueryDict("tu=03/11/2026&den=20/11/2026"))
    assert (chosen.start, chosen.end, chosen.days) == (date(2026, 11, 3), date(2026, 11, 20), 18)
    assert periods.from_query(QueryDict(chosen.query())) == chosen


def test_a_period_that_ends_before_it_starts_is_refused_in_vietnamese():
    with pytest.raises(InvalidInput) as caught:
        periods.from_query(QueryDict("tu=20/11/2026&den=03/11/2026"))
    assert caught.value.message == (
        "Kỳ báo cáo không hợp lệ: ngày kết thúc (03/11/2026) trước ngày bắt đầu (20/11/2026)."
    )


@pytest.mark.parametrize(
    "query",
    ["ky=thang-2026-13", "ky=quy-2026-5", "ky=tuan-2026-1", "ky=nam-2026-1", "tu=31/02/2026", "tu=hôm+nay"],
)
def test_malformed_periods_are_refused(query):
    with pytest.raises(InvalidInput):
        periods.from_query(QueryDict(query))


def test_months_split_a_period_for_trends():
    chosen = periods.custom(date(2026, 9, 20), date(2026, 11, 5))
    months = chosen.months()
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 9, 20), date(2026, 9, 30)),
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 5)),
    ]
    assert [m.label for m in months] == ["09/2026", "10/2026", "11/2026"]


def test_a_running_month_is_judged_on_the_days_it_has_had():
    assert periods.month(2026, 12).truncated(date(2026, 12, 6)).end == date(2026, 12, 6)
    assert periods.month(2026, 11).truncated(date(2026, 12, 6)).end == date(2026, 11, 30)


def test_the_menu_offers_months_quarters_years_and_statistical_periods():
    offered = periods.choices(date(2026, 12, 6))
    keys = [p.key for p in offered]
    assert keys[:2] == ["thang-2026-12", "thang-2026-11"]
    assert "quy-2026-4" in keys and "nam-2025" in keys
    # 6 December falls in the statistical month of December (15/11–14/12).
    assert "tk-thang-2026-12" in keys
    assert periods.choices(date(2026, 12, 20))[-4].key == "tk-thang-2027-1"
