"""The payments' JSON API: the request and payment through the API, errors in its JSON shape."""

from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.test_api import bearer
from motcua.payments.tests.conftest import online_processing


def test_ask_and_take_through_the_api_with_errors_as_json(world, frozen):
    d = online_processing(world)
    specialist, counter = bearer(world.specialist), bearer(world.receptionist)
    base = f"/api/v1/dossiers/{d.code}/payment"
    bad = specialist.post(
        f"{base}/request",
        {"version": d.version, "reductions": [{"line": 0, "amount_vnd": 10_000}]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "reduction_ground_required"
    assert bad.json()["message"].startswith("Ghi căn cứ miễn, giảm của khoản “Lệ phí đăng ký”")
    asked = specialist.post(f"{base}/request", {"version": d.version}, content_type="application/json")
    assert asked.status_code == 200
    assert asked.json()["request"]["total_vnd"] == 100_000
    version = Dossier.objects.get(pk=d.pk).version
    wrong = counter.post(
        f"{base}/counter",
        {"version": version, "method": "cheque", "receipt_number": "1"},
        content_type="application/json",
    )
    assert wrong.status_code in (400, 422) and set(wrong.json()) >= {"code", "message", "details"}
    taken = counter.post(
        f"{base}/counter",
        {"version": version, "method": "cash", "receipt_number": "BL-9"},
        content_type="application/json",
    )
    assert taken.status_code == 200
    (payment,) = taken.json()["payments"]
    assert (payment["method"], payment["state"], payment["receipt"]) == ("cash", "success", 1)
    again = counter.post(
        f"{base}/counter",
        {"version": version + 1, "method": "cash", "receipt_number": "BL-9"},
        content_type="application/json",
    )
    assert again.status_code == 404 and again.json()["code"] == "payment_request_not_found"


def test_an_outsider_and_an_anonymous_caller_get_json_errors(world, frozen, asked):
    outsider = bearer(world.outsider).get(f"/api/v1/dossiers/{asked.dossier.code}/payment")
    assert outsider.status_code == 404 and outsider.json()["code"]
    anonymous = Client().get(f"/api/v1/dossiers/{asked.dossier.code}/payment")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthenticated"
