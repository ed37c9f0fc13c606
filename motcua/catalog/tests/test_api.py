import pytest

from motcua.catalog import services
from motcua.catalog.tests.factories import (
    import_items,
    make_agency,
    make_field,
    make_procedure,
    reference_items,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered():
    khai_sinh = make_procedure("1.001193", "Thủ tục đăng ký khai sinh", field=make_field("Hộ tịch"))
    agency = make_agency()
    services.offering_create(agency=agency, procedure=khai_sinh, local_time=2, actor=None)
    return khai_sinh


def test_the_list_answers_items_and_count(client, offered):
    response = client.get("/api/v1/procedures", {"q": "ĐĂNG KÝ KHAI SINH"})
    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "code": "1.001193",
                "name": "Thủ tục đăng ký khai sinh",
                "field": "Hộ tịch",
                "field_code": "ho-tich",
                "level": "commune",
                "processing_time": 5,
                "unit": "working_days",
                "online_level": None,
            }
        ],
        "count": 1,
        "page": 1,
        "pages": 1,
    }


def test_the_list_pages_by_twenty(client):
    field = make_field()
    for n in range(23):
        make_procedure(f"9.{n:06d}", f"Thủ tục số {n:02d}", field=field)
    body = client.get("/api/v1/procedures", {"page": 2}).json()
    assert body["count"] == 23 and body["pages"] == 2
    assert [i["code"] for i in body["items"]] == ["9.000020", "9.000021", "9.000022"]


@pytest.mark.parametrize(
    ("params", "status", "code", "message"),
    [
        ({"page": "abc"}, 400, "invalid_input", "Số trang không hợp lệ: abc."),
        ({"page": "0"}, 400, "invalid_input", "Không có trang 0 (có 1 trang)."),
        ({"page": "7"}, 400, "invalid_input", "Không có trang 7 (có 1 trang)."),
        (
            {"level": "huyen"},
            400,
            "invalid_input",
            "Cấp thực hiện không hợp lệ: huyen. Chọn một trong: commune, province, ministry, other.",
        ),
        ({"agency": "000.00.99.H99"}, 404, "not_found", "Không có cơ quan mã 000.00.99.H99."),
        ({"field": "khong-co"}, 404, "not_found", "Không có lĩnh vực mã khong-co."),
    ],
)
def test_bad_list_parameters_answer_the_error_shape(client, offered, params, status, code, message):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == status
    body = response.json()
    assert (body["code"], body["message"]) == (code, message)
    assert isinstance(body["details"], dict)


def test_the_detail_gives_the_full_record_with_stable_document_codes(client):
    import_items(reference_items("1.004222"))
    body = client.get("/api/v1/procedures/1.004222").json()
    assert body["code"] == "1.004222" and body["field_code"] == "dang-ky-quan-ly-cu-tru"
    first = body["documents"][0]
    assert set(first) >= {
        "code",
        "name",
        "original_count",
        "certified_copy_count",
        "photocopy_count",
        "copy_kinds",
        "mandatory",
    }
    assert [d["code"] for d in body["documents"]][:2] == ["TP01", "TP02"]
    assert body["fees"][0] == {
        "kind": None,
        "channel": "online",
        "amount_vnd": 10000,
        "currency": "VND",
        "text": "10,000 Việt Nam Đồng",
        "note": body["fees"][0]["note"],
        "description": body["fees"][0]["description"],
        "collected_by": "",
    }
    assert body["legal_basis"] and body["results"]
    assert body["incomplete"] is False and body["missing"] == [] and body["steps"] == []


def test_the_detail_of_an_incomplete_procedure_says_what_is_missing(client):
    import_items(reference_items("1.001193"))
    body = client.get("/api/v1/procedures/1.001193").json()
    assert body["incomplete"] is True
    assert body["missing"] == ["đơn vị của thời hạn giải quyết"]
    assert body["processing_time"] == 1 and body["unit"] is None


def test_an_unknown_procedure_is_404_in_vietnamese(client):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "Không tìm thấy thủ tục mã 9.999999.",
        "details": {"code": "9.999999"},
    }


def test_an_agency_lists_what_it_offers_with_its_local_time(client, offered):
    body = client.get("/api/v1/agencies/000.00.31.H13/procedures").json()
    assert body["agency"] == {"code": "000.00.31.H13", "name": "UBND xã Tân Phú"}
    assert body["count"] == 1
    assert body["items"][0]["local_time"] == 2 and body["items"][0]["processing_time"] == 5
    response = client.get("/api/v1/agencies/000.00.99.H99/procedures")
    assert response.status_code == 404
    assert response.json()["message"] == "Không có cơ quan mã 000.00.99.H99."
