"""More of the oversight pages: every tile's number is its list's length, the 766 index and the
Circular 01 evaluation of the month, the public page, the periodic report, the rankings' rule."""

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from motcua.org.models import Agency
from motcua.reports.grouping import empty_counters, finish
from motcua.reports.tests.fixtures import build_month, march_query
from motcua.reports.views_rankings import ranking_table

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(world, frozen):
    return build_month(world, frozen)


@pytest.fixture
def supervisor(client, world):
    client.force_login(world.supervisor)
    return client


def test_every_count_on_the_dashboard_is_the_length_of_its_list(supervisor, month):
    response = supervisor.get(reverse("reports:dashboard") + "?" + march_query())
    counted = [t for t in response.context["tiles"] if t["href"] and t["value"].kind == "int"]
    assert len(counted) >= 3
    for tile in counted:
        assert supervisor.get(tile["href"]).context["count"] == tile["value"].value, tile["label"]
    held = next(t for t in response.context["tiles"] if t["label"] == "Giải quyết quá hạn")
    assert supervisor.get(held["sub_href"]).context["count"] == 1  # "đang giữ quá hạn: 1"
    for row in response.context["tables"][0].rows + response.context["tables"][1].rows:
        for c in row[1:]:
            if c.href and c.kind == "int":
                assert supervisor.get(c.href).context["count"] == c.value


def test_the_dashboard_downloads_its_tables(supervisor, month):
    response = supervisor.get(reverse("reports:dashboard") + "?" + march_query(xuat="xlsx"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Diễn biến theo tháng", "Theo đơn vị trực thuộc"]
    rows = [[c.value for c in r] for r in workbook["Diễn biến theo tháng"].iter_rows()]
    assert rows[5][:4] == ["03/2026", 6, 4, 1]


def test_the_766_index_scores_what_is_measured_and_says_what_is_not(supervisor, month):
    response = supervisor.get(reverse("reports:index766") + "?" + march_query())
    index = response.context["index"]
    results = {r.indicator.id: r for r in index.results}
    # 2.1 (national): 4 finished, 1 late, 2 open of which 1 late → (3 + 1) ÷ 6.
    assert (results["2.1"].numerator, results["2.1"].denominator) == (4, 6)
    assert results["2.1"].points == Decimal("13.33")
    assert results["1.4"].status == "not_measured"
    page = response.content.decode()
    assert "Điều kéo điểm xuống" in page and "chưa đo" in page
    late_link = next(d["href"] for d in response.context["down"] if d["result"].indicator.id == "2.1")
    assert supervisor.get(late_link).context["count"] == 1


def test_the_evaluation_scores_the_unit_and_its_officials(supervisor, world, month):
    response = supervisor.get(
        reverse("reports:evaluation") + "?" + march_query(**{"don-vi": world.tree.commune_a.code})
    )
    assert response.status_code == 200
    units, officials = response.context["tables"]
    commune = units.rows[0]
    assert commune[0].value == world.tree.commune_a.name
    # Indicator 1: three returned early (2 points each), one late (0): 6 ÷ 4 = 1.5.
    assert commune[1].value == Decimal("1.5")
    assert commune[5].value is None and commune[5].display == "chưa đo"  # indicator 5
    names = [row[0].value for row in officials.rows]
    assert world.specialist.get_full_name() in names


def test_the_public_page_needs_no_sign_in_and_shows_no_person(client, world, month):
    cache.clear()
    response = client.get(reverse("reports:public") + "?" + march_query())
    assert response.status_code == 200
    page = response.content.decode()
    assert world.tree.commune_a.name in page
    assert month.late.applicant_name not in page and month.late.code not in page
    row = next(r for r in response.context["table"].rows if r[0].value == world.tree.commune_a.name)
    assert row[1].value == 6
    assert row[5].display == "–"  # no ratings: nothing to show, not 0
    assert cache.get("reports:public:20260301:20260331") is not None
    assert client.get(reverse("reports:public") + "?ky=thang-2026-13").status_code == 400


def test_the_periodic_report_counts_by_field(supervisor, world, month):
    response = supervisor.get(reverse("reports:periodic") + "?" + march_query())
    totals = response.context["report"].totals
    assert totals["total"] == 6 and totals["received_online"] == 1 and totals["carried_over"] == 0
    assert (totals["resolved"], totals["resolved_late"]) == (4, 1)
    assert (totals["pending"], totals["pending_late"]) == (2, 1)
    pdf = supervisor.get(reverse("reports:periodic") + "?" + march_query(xuat="pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def _row(name, **counters):
    row = empty_counters()
    row.update(counters)
    row = finish(row, measured=True)
    row["unit"] = Agency(name=name, code=name, path=f"/{name}/")
    return row


def test_three_dossiers_do_not_outrank_three_hundred(settings, client):
    settings.REPORTS_RANKING_MIN_VOLUME = 3
    rows = [
        _row("Xa-Nho", received=3, received_online=3),  # 100% online of 3
        _row("Xa-Lon", received=300, received_online=270),  # 90% of 300
        _row("Xa-It", received=2, received_online=2),  # below the minimum volume
    ]

    class Scope:
        def for_unit(self, unit):
            return self

        def query(self, **extra):
            return "ky=thang-2026-3"

        def params(self, **extra):
            return {"ky": "thang-2026-3"}

    ranked, unranked = ranking_table(Scope(), rows, "truc-tuyen")
    assert [r[0].value for r in ranked.rows] == ["Xa-Lon", "Xa-Nho"]
    assert "khoảng tin cậy 95%" in ranked.rows[0][2].note
    assert [r[0].value for r in unranked.rows] == ["Xa-It"]
    # Late rate: the worst (by the band's upper edge) last.
    late = [_row("A", finished=300, finished_late=30), _row("B", finished=3, finished_late=1)]
    ranked, _ = ranking_table(Scope(), late, "tre-han")
    assert [r[0].value for r in ranked.rows] == ["A", "B"]
