"""The public catalogue pages, through Django's test client (the browser test drives Chromium)."""

import re
from datetime import datetime, time
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine

from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.tests.pages_data import clear_catalogue_for_pages, load_catalogue_for_pages
from motcua.org.models import Agency
from motcua.org.services import agency_create
from motcua.workcalendar.models import WorkSchedule, WorkSession

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


def _text(response) -> str:
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _section(body: str, heading_id: str) -> str:
    start = body.index(f'id="{heading_id}"')
    return body[start : body.index("</section>", start)]


def test_where_to_submit_agrees_with_the_implementing_agency(client, catalogue):
    # 3.000333 Lý lịch tư pháp: "Cơ quan thực hiện: Công an tỉnh"; the department is not a place.
    body = client.get("/thu-tuc/3.000333/").content.decode()
    places = _section(body, "noi-nop")
    assert "Công an tỉnh Mẫu" in places and "Sở Tài chính" not in places
    assert "Số 8 đường Tân Trào, tỉnh Mẫu" in places and "0207 3822 300" in places
    assert "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00" in places


def test_a_fee_deferring_to_a_circular_is_not_shown_as_free(client, catalogue):
    fees = _section(client.get("/thu-tuc/3.000333/").content.decode(), "phi")
    assert "Thu theo Thông tư số 244/2016/TT-BTC" in fees
    assert "Miễn phí" not in fees
    fees = _section(client.get("/thu-tuc/1.000656/").content.decode(), "phi")  # khai tử
    assert "Thu theo nghị quyết của Hội đồng nhân dân tỉnh" in fees and "Miễn phí" not in fees
    fees = _section(client.get("/thu-tuc/1.010801/").content.decode(), "phi")  # partial record
    assert "Chưa có thông tin về phí, lệ phí" in fees and "Miễn phí" not in fees


def test_each_page_and_the_footer_give_the_office_address_and_phone(client, catalogue):
    for path in ["/", "/thu-tuc/", "/thu-tuc/1.001193/"]:
        footer = client.get(path).content.decode().split('<footer class="site-footer">', 1)[1]
        assert "Trung tâm Phục vụ hành chính công tỉnh Mẫu" in footer, path
        assert "Số 2 đường Lê Lợi, phường Trung Tâm, tỉnh Mẫu" in footer and "0207 3822 000" in footer, path
    places = _section(client.get("/thu-tuc/1.001193/").content.decode(), "noi-nop")
    assert "Số 1 đường Trần Phú, xã Hòa Bình" in places and "0207 3831 100" in places


def _saturday_schedule() -> WorkSchedule:
    """The seeded "co-thu-bay" schedule, rebuilt if a transactional test emptied it."""
    schedule, created = WorkSchedule.objects.get_or_create(
        code="co-thu-bay", defaults={"name": "Có sáng thứ Bảy"}
    )
    if created:
        for weekday in range(5):
            WorkSession.objects.create(schedule=schedule, weekday=weekday, start=time(7), end=time(11, 30))
            WorkSession.objects.create(schedule=schedule, weekday=weekday, start=time(13, 30), end=time(17))
        WorkSession.objects.create(schedule=schedule, weekday=5, start=time(7, 30), end=time(11, 30))
    return schedule


def test_a_unit_open_on_saturday_mornings_shows_it_and_the_clock_still_waits(client, catalogue):
    agency_create(
        code="000.01.30.H99",
        name="Trung tâm Phục vụ hành chính công xã Hòa Bình",
        kind=Agency.Kind.ONE_STOP,
        parent=catalogue["commune"],
        schedule=_saturday_schedule(),
    )
    body = client.get("/thu-tuc/1.001193/").content.decode()
    places = _section(body, "noi-nop")
    assert "Trung tâm Phục vụ hành chính công xã Hòa Bình" in places
    assert "tiếp nhận hồ sơ của Ủy ban nhân dân xã Hòa Bình" in places
    assert "Thứ Bảy: 7:30–11:30" in places
    assert "Số 1 đường Trần Phú, xã Hòa Bình" in places  # the committee's address, the unit has none
    assert "thời hạn chỉ bắt đầu tính từ đầu giờ làm việc ngày làm việc kế tiếp" in body


def test_the_appointment_and_the_place_come_before_the_documents_and_the_legal_basis(client, catalogue):
    body = client.get("/thu-tuc/1.001193/").content.decode()
    order = [body.index(f'id="{h}"') for h in ("thong-tin", "hen-tra", "noi-nop", "thanh-phan", "can-cu")]
    assert order == sorted(order)


def test_mandatory_documents_come_before_conditional_ones(client, catalogue):
    # 1.001193 publishes three "(nếu có)" papers before the birth certificate everyone brings.
    documents = list(RequiredDocument.objects.filter(procedure__code="1.001193").order_by("order"))
    assert [d.mandatory for d in documents[:4]] == [False, False, False, True]
    body = _section(client.get("/thu-tuc/1.001193/").content.decode(), "thanh-phan")
    positions = {
        d.code: body.index(unescape(d.name).split("\n")[0][:40]) for d in documents if d.name[:40] in body
    }
    first_mandatory = min(positions[d.code] for d in documents if d.mandatory and not d.condition)
    assert all(
        first_mandatory < positions[d.code] for d in documents if not d.mandatory and d.code in positions
    )


def test_no_english_on_any_procedure_page(client, catalogue):
    english = re.compile(r"\b(the|from|per|source|annex|resolution|cited|list)\b")
    for code in Procedure.objects.filter(active=True).values_list("code", flat=True):
        text = _text(client.get(f"/thu-tuc/{code}/"))
        assert not english.search(text), (code, english.search(text))
