"""The public catalogue pages, through Django's test client (the browser test drives Chromium)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from motcua.catalog.tests.pages_data import clear_catalogue_for_pages, load_catalogue_for_pages

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    # Loaded once for the module (the real reference catalogue takes seconds to import);
    # each test still runs in its own rolled-back transaction on top of it.
    with django_db_blocker.unblock():
        data = load_catalogue_for_pages()
    yield data
    with django_db_blocker.unblock():
        clear_catalogue_for_pages()


def _codes(response) -> list[str]:
    return [p.code for p in response.context["page"]]


@pytest.mark.parametrize("q", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "Đăng ký khai sinh"])
def test_search_finds_the_same_procedures_with_or_without_accents(client, catalogue, q):
    response = client.get("/thu-tuc/", {"q": q})
    assert response.status_code == 200
    codes = _codes(response)
    assert "1.001193" in codes  # Thủ tục đăng ký khai sinh
    assert codes == _codes(client.get("/thu-tuc/", {"q": "dang ky khai sinh"}))
    assert "Thủ tục đăng ký khai sinh" in response.content.decode()


def test_the_filters_narrow_the_list(client, catalogue):
    everything = client.get("/thu-tuc/").context["page"].paginator.count
    province = client.get("/thu-tuc/", {"level": "province"}).context["page"].paginator.count
    commune = client.get("/thu-tuc/", {"level": "commune"}).context["page"].paginator.count
    assert 0 < province < everything
    assert 0 < commune < everything
    by_field = client.get("/thu-tuc/", {"field": "ho-tich"})
    assert by_field.context["page"].paginator.count > 0
    assert all(p.field.code == "ho-tich" for p in by_field.context["page"])
    by_agency = client.get("/thu-tuc/", {"agency": "000.00.12.H99"})
    assert 0 < by_agency.context["page"].paginator.count < everything


def test_the_list_is_paginated_twenty_a_page(client, catalogue):
    first = client.get("/thu-tuc/")
    assert len(first.context["page"]) == 20
    assert 'rel="next"' in first.content.decode()
    second = client.get("/thu-tuc/", {"page": 2})
    assert set(_codes(first)).isdisjoint(_codes(second))


def test_an_unknown_agency_filter_says_so_in_vietnamese(client, catalogue):
    response = client.get("/thu-tuc/", {"agency": "999.99.99.X00"})
    assert response.status_code == 400
    assert "999.99.99.X00" in response.context["error"]


def test_an_htmx_request_gets_only_the_results_region(client, catalogue):
    response = client.get("/thu-tuc/", {"q": "khai sinh"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="ket-qua"')
    assert "<html" not in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_the_procedure_page_has_what_a_citizen_needs_to_come_once(client, catalogue):
    body = client.get("/thu-tuc/1.001193/").content.decode()
    for heading in [
        "Thành phần hồ sơ",
        "Phí, lệ phí",
        "Trình tự thực hiện",
        "Căn cứ pháp lý",
        "Nơi nộp hồ sơ",
    ]:
        assert heading in body
    assert "Ủy ban nhân dân xã Hòa Bình" in body  # where to hand it in
    assert "Số 1 đường Trần Phú" in body
    assert "Miễn phí" in body
    assert "giá trị minh họa" in body  # the demo filled the unit the source lacks, and says so


@time_machine.travel(datetime(2026, 2, 13, 16, 10, tzinfo=HCM), tick=False)
def test_the_procedure_page_shows_the_appointment_across_tet(client, catalogue):
    # 1.004772: 5 working days. Handed in at 16:10 on Friday 13/2/2026, before the Tết break
    # (off 14/2–22/2/2026): five working days are 23, 24, 25, 26 and 27/2 → 16:10 on 27/2.
    response = client.get("/thu-tuc/1.004772/")
    appointment = response.context["appointment"]
    assert appointment["due"] == datetime(2026, 2, 27, 16, 10, tzinfo=HCM)
    body = response.content.decode()
    assert "16:10 ngày 27/02/2026" in body
    assert "Tết" in body


def test_an_unknown_procedure_is_a_404(client, catalogue):
    assert client.get("/thu-tuc/9.999999/").status_code == 404


def test_the_pages_refuse_post(client, catalogue):
    assert client.post("/thu-tuc/").status_code == 405
    assert client.post("/thu-tuc/1.001193/").status_code == 405


def test_the_home_page_lists_fields_with_counts(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hộ tịch" in response.content.decode()
