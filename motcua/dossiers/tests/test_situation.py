"""One wording of a dossier's situation (motcua/dossiers/situation.py) on the staff side: the back
office's dossier page and the staff API's detail say a rejected dossier was not granted, and why."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from motcua.dossiers import services, situation
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.api_data import MONDAY_9AM, build_world, receive

pytestmark = pytest.mark.django_db
REASON = "Hồ sơ đã được đăng ký khai sinh tại UBND xã Hòa Bình ngày 15/01/2026; không đăng ký lại."


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def rejected(world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    with time_machine.travel(MONDAY_9AM + timedelta(days=1), tick=False):
        return services.dossier_reject(
            actor=world.leader, dossier=d, expected_version=d.version, reason=REASON
        )


@pytest.mark.parametrize(
    ("status", "outcome", "label"),
    [
        (9, "rejected", "Không giải quyết — đã có văn bản trả lời"),
        (10, "rejected", "Không giải quyết — đã trả văn bản trả lời"),
        (9, "approved", "Đã xử lý xong"),
        (10, "approved", "Đã trả kết quả"),
        (3, "", "Không được tiếp nhận"),
        (4, "", "Đang xử lý"),
    ],
)
def test_the_label_of_a_status_with_its_outcome(status, outcome, label):
    assert situation.status_label(status, outcome) == label


def test_the_back_office_page_says_not_granted_and_why(client, world, rejected):
    client.force_login(world.receptionist)
    response = client.get(f"/xu-ly/ho-so/{rejected.code}/")
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "Không giải quyết — đã có văn bản trả lời (mã 9)" in html
    assert "bo-status--rejected" in html
    assert "Lý do không giải quyết" in html and REASON in html
    assert "Văn bản trả lời chờ trả cho người nộp" in html
    # The state's own name ("Có kết quả, chờ trả") would read as a success: it is not shown.
    assert Dossier.State.FINISHED.label not in html
    assert "Kết quả giải quyết</dt><dd>Không giải quyết (có văn bản trả lời nêu rõ lý do)" in html
    assert "Có văn bản trả lời lúc" in html
    # The history says it too: "Không giải quyết → Không giải quyết — đã có văn bản trả lời".
    assert "→ Không giải quyết — đã có văn bản trả lời" in html


def test_the_back_office_page_of_an_approved_dossier_is_unchanged(client, world):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
        d = services.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
        d = services.dossier_finish(actor=world.leader, dossier=d, expected_version=d.version)
    client.force_login(world.receptionist)
    html = re.sub(r"\s+", " ", client.get(f"/xu-ly/ho-so/{d.code}/").content.decode())
    assert "Đã xử lý xong (mã 9)" in html and "Có kết quả, chờ trả" in html
    assert "Lý do không giải quyết" not in html and "bo-status--rejected" not in html


def test_the_staff_api_detail_gives_the_outcome_and_the_reason(client, world, rejected):
    client.force_login(world.receptionist)
    body = client.get(f"/api/v1/dossiers/{rejected.code}").json()
    assert (body["status_code"], body["status_name"]) == (9, "Đã xử lý xong")
    assert body["status_label"] == "Không giải quyết — đã có văn bản trả lời"
    assert (body["outcome"], body["outcome_label"]) == (
        "rejected",
        "Không giải quyết (có văn bản trả lời nêu rõ lý do)",
    )
    assert body["rejection_reason"] == REASON


def test_the_staff_api_documents_the_new_fields(client):
    doc = client.get("/api/v1/openapi.json").json()
    detail = doc["components"]["schemas"]["DossierDetailOut"]["properties"]
    for name in ("outcome", "outcome_label", "status_label", "rejection_reason"):
        assert name in detail
    assert "rejected" in detail["outcome"]["description"]


def test_a_dossier_without_a_reason_costs_no_query(world, django_assert_num_queries):
    with time_machine.travel(MONDAY_9AM, tick=False):
        d = receive(world)
    with django_assert_num_queries(0):
        assert situation.situation_of(d).reason == ""
