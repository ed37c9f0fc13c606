"""The oversight pages on a month of real dossiers: numbers, links to the dossiers behind them,
scope and bad input."""

import pytest
from django.urls import reverse

from motcua.audit.models import AuditEvent
from motcua.reports.tests.fixtures import build_month, march_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(world, frozen):
    return build_month(world, frozen)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_dashboard_shows_the_months_numbers_each_linked_to_its_dossiers(client, world, month):
    signed_in(client, world.supervisor)
    response = client.get(reverse("reports:dashboard") + "?" + march_query())
    assert response.status_code == 200
    page = response.content.decode()
    tiles = {t["label"]: t for t in response.context["tiles"]}
    assert tiles["Hồ sơ tiếp nhận"]["value"].value == 6
    assert tiles["Đã giải quyết"]["value"].value == 4
    assert tiles["Giải quyết quá hạn"]["value"].value == 1
    assert "đang giữ quá hạn: 1" in tiles["Giải quyết quá hạn"]["sub"]
    assert "Giám sát giải quyết hồ sơ" in page
    # The number links to exactly the dossiers it counts.
    received = client.get(tiles["Hồ sơ tiếp nhận"]["href"])
    assert received.status_code == 200
    assert received.context["count"] == 6
    late = client.get(tiles["Giải quyết quá hạn"]["href"])
    assert [d.code for d in late.context["page"].object_list] == [month.late.code]
    assert month.late.applicant_name in late.content.decode()


def test_every_oversight_page_answers_for_the_supervisor(client, world, month):
    signed_in(client, world.supervisor)
    titles = {
        "dashboard": "Giám sát giải quyết hồ sơ",
        "rankings": "Xếp hạng đơn vị",
        "late": "Ai giữ hồ sơ trễ hạn",
        "index766": "Chỉ số phục vụ người dân, doanh nghiệp",
        "evaluation": "Đánh giá việc giải quyết thủ tục hành chính",
        "periodic": "Báo cáo tình hình, kết quả giải quyết thủ tục hành chính",
    }
    for name, title in titles.items():
        response = client.get(reverse(f"reports:{name}") + "?" + march_query())
        assert response.status_code == 200, name
        page = response.content.decode()
        assert f"<h1>{title}" in page, name
        # What is not built yet says so on the index and the evaluation, never 0.
        assert ("chưa đo" in page) == (name in ("index766", "evaluation")), name


def test_a_period_that_ends_before_it_starts_is_a_400_with_its_message(client, world, month):
    signed_in(client, world.supervisor)
    response = client.get(reverse("reports:dashboard") + "?tu=20/03/2026&den=01/03/2026")
    assert response.status_code == 400
    page = response.content.decode()
    assert "ngày kết thúc (01/03/2026) trước ngày bắt đầu (20/03/2026)" in page
    assert "rp-tile" not in page


def test_a_unit_outside_the_jurisdiction_is_a_404(client, world, month):
    signed_in(client, world.outsider)  # commune B only
    response = client.get(
        reverse("reports:dashboard") + "?" + march_query(**{"don-vi": world.tree.commune_a.code})
    )
    assert response.status_code == 404
    assert "trong phạm vi bạn được theo dõi" in response.content.decode()
    # Its own commune: nothing of commune A's dossiers.
    own = client.get(reverse("reports:dashboard") + "?" + march_query())
    assert own.status_code == 200
    assert own.context["tiles"][0]["value"].value == 0


def test_the_dossier_list_is_audited_and_exports(client, world, month):
    signed_in(client, world.supervisor)
    url = reverse("reports:dossiers") + "?" + march_query(**{"chi-so": "received"})
    client.get(url)
    response = client.get(url + "&xuat=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    events = AuditEvent.objects.filter(action="personal_data.report").order_by("pk")
    assert [e.extra["output"] for e in events] == ["page", "xlsx"]
    assert events.last().extra["dossiers"] == 6


def test_a_citizen_is_refused_and_a_stranger_signs_in_first(client, world):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302 and "/tai-khoan/" in response["Location"]
    client.force_login(world.citizen)
    refused = client.get(reverse("reports:dashboard"))
    assert refused.status_code == 403
    assert "chỉ dành cho cán bộ" in refused.content.decode()
