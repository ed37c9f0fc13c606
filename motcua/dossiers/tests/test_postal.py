"""The public postal service (issue 12 §3): a dossier received from the post, a result sent back
by post through the operator's API (the stand-in on loopback speaks postal_adapters' protocol),
its statuses polled, shown to the officer and the citizen, and a returned one brought back to
the counter's attention."""

from datetime import timedelta

import pytest

from motcua.dossiers import postal, services
from motcua.dossiers.models import Consignment, Dossier, DossierEvent
from motcua.dossiers.testing.standins_post import PostalStandIn
from motcua.dossiers.tests.conftest import intake, vn
from motcua.dossiers.tests.test_counter import INTAKE, RETURN, TODAY, finished_dossier, form_data
from motcua.lib.errors import Conflict, InvalidInput, NotFound
from motcua.notifications import sender
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(settings):
    with PostalStandIn() as stand_in:
        settings.POSTAL_API_URL = stand_in.url
        settings.POSTAL_API_TOKEN = stand_in.token
        yield stand_in


@pytest.fixture
def officer(world, client):
    client.force_login(world.receptionist)
    return client


def post_events(dossier) -> list[dict]:
    return [
        e.data for e in DossierEvent.objects.filter(dossier=dossier, action="post-consignment").order_by("pk")
    ]


def send_post_messages() -> dict[str, int]:
    ids = OutboxMessage.objects.filter(channel="post").values_list("pk", flat=True)
    return sender.send_due(ids=list(ids))


# ---------------------------------------------------------------------------------------------
# Submission by post


def test_the_counter_receives_a_dossier_that_came_by_post_with_its_consignment(officer, world, frozen):
    page = officer.get(INTAKE, {"thu-tuc": "9.000101", "kenh": "3"}).content.decode()
    assert 'name="kenh" value="3"' in page and "Mã bưu gửi của hồ sơ" in page
    response = officer.post(INTAKE, form_data(kenh="3", postal_number=" eb 123456785 vn "))
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert (d.channel, d.state) == (Dossier.Channel.POST, "received")
    [c] = Consignment.objects.filter(dossier=d)
    assert (c.direction, c.number, c.status, c.status_at) == (
        "submission",
        "EB123456785VN",
        "delivered",
        vn(2026, 3, 2, 8),
    )
    assert post_events(d) == [
        {"consignment": "EB123456785VN", "status": "delivered", "direction": "submission"}
    ]


def test_a_dossier_by_post_without_its_consignment_number_is_not_received(officer, world, frozen):
    response = officer.post(INTAKE, form_data(kenh="3", postal_number=""))
    assert response.status_code == 400
    assert response.context["form"]["postal_number"].errors == ["Vui lòng nhập mã bưu gửi."]
    response = officer.post(INTAKE, form_data(kenh="3", postal_number="EB12<script>"))
    assert response.status_code == 400
    assert "chỉ gồm chữ cái, chữ số" in response.context["form"]["postal_number"].errors[0]
    assert not Dossier.objects.exists() and not Consignment.objects.exists()


def test_the_counter_channel_is_still_the_default(officer, world, frozen):
    assert officer.post(INTAKE, form_data(postal_number="EB1VN")).status_code == 302
    d = Dossier.objects.get()
    assert d.channel == Dossier.Channel.COUNTER and not Consignment.objects.exists()


def test_a_repeated_reception_keeps_one_submission_consignment(world, frozen):
    d = services.dossier_receive(actor=world.receptionist, data=intake(world, channel=3))
    first = postal.consignment_received(dossier=d, number="EB1VN", actor=world.receptionist)
    again = postal.consignment_received(dossier=d, number="EB1VN", actor=world.receptionist)
    assert first.pk == again.pk and Consignment.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Return by post


def test_without_the_operator_api_the_officer_types_the_number(officer, world, frozen, settings):
    settings.POSTAL_API_URL = ""
    d = finished_dossier(world, frozen)
    missing = officer.post(RETURN, {"code": d.code, "version": d.version, "method": "post"})
    assert missing.status_code == 400 and not Consignment.objects.exists()
    officer.post(
        RETURN, {"code": d.code, "version": d.version, "method": "post", "postal_tracking": "el123456789vn"}
    )
    d.refresh_from_db()
    [c] = Consignment.objects.filter(dossier=d)
    assert (d.state, d.postal_tracking, c.number, c.status) == (
        "returned",
        "EL123456789VN",
        "EL123456789VN",
        "created",
    )
    assert post_events(d) == [{"consignment": "EL123456789VN", "status": "created", "direction": "result"}]


def test_the_operator_creates_the_consignment_after_the_commit_once_despite_a_retry(
    officer, world, frozen, operator
):
    d = finished_dossier(world, frozen)
    page = officer.get(RETURN, {"ma": d.code}).content.decode()
    assert "Để trống: hệ thống gửi yêu cầu cho bưu điện" in page
    frozen.move_to(vn(2026, 3, 5, 9, 0))
    response = officer.post(RETURN, {"code": d.code, "version": d.version, "method": "post"}, follow=True)
    assert "mã bưu gửi sẽ hiện trên trang hồ sơ khi bưu điện cấp" in response.content.decode()
    d.refresh_from_db()
    [c] = Consignment.objects.filter(dossier=d)
    assert (d.state, c.status, c.number) == ("returned", "pending", "")
    assert post_events(d) == []  # nothing to tell before the operator answers

    operator.fail_next(503)
    assert send_post_messages() == {"temporary-failure": 1}
    message = OutboxMessage.objects.get(channel="post")
    assert "HTTP 503" in message.last_error
    assert message.next_attempt_at == vn(2026, 3, 5, 9, 1)  # backoff: a minute
    frozen.move_to(vn(2026, 3, 5, 9, 2))
    assert send_post_messages() == {"sent": 1}
    c.refresh_from_db()
    assert (c.status, c.number) == ("created", "EB100000001VN")
    d.refresh_from_db()
    assert d.postal_tracking == "EB100000001VN"
    [create] = [
        r for r in operator.requests if r["method"] == "POST" and r["headers"].get("idempotency-key")
    ][-1:]
    assert create["headers"]["idempotency-key"] == f"motcua-outbox-{message.pk}"
    sent = operator.consignments["EB100000001VN"]["request"]
    assert sent["recipient"] == {
        "name": "Nguyễn Thị Hoa",
        "address": "Thôn Đông, xã An Bình",
        "phone": "0912345678",
    }
    assert sent["dossier_code"] == d.code
    assert post_events(d) == [{"consignment": "EB100000001VN", "status": "created", "direction": "result"}]

    # A worker that died after the operator answered: the lease runs out, the message is sent
    # again with the same key, the operator gives the same consignment back, nothing changes.
    OutboxMessage.objects.filter(pk=message.pk).update(status="sending", lease_until=vn(2026, 3, 5, 9, 3))
    frozen.move_to(vn(2026, 3, 5, 9, 10))
    assert sender.expire_leases() == {"requeued": 1, "needs_review": 0}
    assert send_post_messages() == {"sent": 1}
    assert operator.created() == 1 and Consignment.objects.get().number == "EB100000001VN"
    assert len(post_events(d)) == 1


def test_an_operator_that_refuses_leaves_a_dead_letter(world, frozen, operator):
    d = finished_dossier(world, frozen)
    services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, by_post=True
    )
    operator.fail_next(400)
    assert send_post_messages() == {"permanent-failure": 1}
    assert Consignment.objects.get().status == "pending"
    assert OutboxMessage.objects.get(channel="post").status in OutboxMessage.DEAD


def test_a_result_cannot_go_by_post_without_an_address(world, frozen, operator):
    d = finished_dossier(world, frozen)
    Dossier.objects.filter(pk=d.pk).update(address="")
    with pytest.raises(InvalidInput, match="chưa có địa chỉ"):
        services.dossier_return_result(
            actor=world.receptionist, dossier=d, expected_version=d.version, by_post=True
        )
    d.refresh_from_db()
    assert d.state == "finished" and not Consignment.objects.exists()


def test_one_number_cannot_serve_two_results(world, frozen, settings):
    settings.POSTAL_API_URL = ""
    one = finished_dossier(world, frozen)
    services.dossier_return_result(
        actor=world.receptionist, dossier=one, expected_version=one.version, postal_tracking="EB1VN"
    )
    two = finished_dossier(world, frozen)
    with pytest.raises(Conflict, match="EB1VN đã dùng"):
        services.dossier_return_result(
            actor=world.receptionist, dossier=two, expected_version=two.version, postal_tracking="EB1VN"
        )
    two.refresh_from_db()
    assert two.state == "finished"


# ---------------------------------------------------------------------------------------------
# Tracking, and a returned result


def sent_by_post(world, frozen, operator) -> tuple[Dossier, Consignment]:
    d = finished_dossier(world, frozen)
    d = services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, postal_tracking="EB200VN"
    )
    operator.add("EB200VN", vn(2026, 3, 5, 8, 30))
    return d, Consignment.objects.get(dossier=d)


def test_polling_keeps_each_new_status_once_and_never_goes_back(world, frozen, operator):
    d, c = sent_by_post(world, frozen, operator)
    operator.advance("EB200VN", "in_transit", vn(2026, 3, 5, 14), "Bưu cục Hà Đông")
    assert postal.poll_consignments() == {"polled": 1, "changed": 1, "failed": 0}
    c.refresh_from_db()
    assert (c.status, c.status_at) == ("in_transit", vn(2026, 3, 5, 14))
    assert postal.poll_consignments() == {"polled": 1, "changed": 0, "failed": 0}  # nothing new
    operator.advance("EB200VN", "delivered", vn(2026, 3, 6, 10), "Người nhận ký")
    operator.fail_next(502)
    assert postal.poll_consignments() == {"polled": 1, "changed": 0, "failed": 1}
    assert postal.poll_consignments()["changed"] == 1
    c.refresh_from_db()
    assert c.status == "delivered"
    assert [(h.status, h.note) for h in c.history.order_by("at")] == [
        ("created", "Cán bộ nhập mã bưu gửi"),
        ("created", ""),
        ("in_transit", "Bưu cục Hà Đông"),
        ("delivered", "Người nhận ký"),
    ]
    assert [e["status"] for e in post_events(d)] == ["created", "in_transit", "delivered"]
    # A delivered consignment is no longer polled.
    assert postal.poll_consignments() == {"polled": 0, "changed": 0, "failed": 0}


def test_the_officer_and_the_citizen_see_where_the_result_is(officer, client, world, frozen, operator):
    d, c = sent_by_post(world, frozen, operator)
    operator.advance("EB200VN", "in_transit", vn(2026, 3, 5, 14))
    postal.poll_consignments()
    page = officer.get(f"/xu-ly/ho-so/{d.code}/").content.decode()
    assert "Bưu chính công ích" in page and "EB200VN" in page and "Đang vận chuyển" in page
    assert "Bưu gửi kết quả EB200VN: đang vận chuyển" in page  # the history names the event
    tracked = client.post("/tra-cuu/", {"ma": d.code, "pin": d.pin}).content.decode()
    assert "Gửi kết quả qua bưu chính" in tracked and "EB200VN" in tracked and "đang vận chuyển" in tracked


def test_a_returned_result_comes_back_to_the_counter_until_it_is_dealt_with(
    officer, client, world, frozen, operator
):
    d, c = sent_by_post(world, frozen, operator)
    operator.advance("EB200VN", "returned", vn(2026, 3, 9, 10), "Không có người nhận")
    postal.poll_consignments()
    frozen.move_to(vn(2026, 3, 9, 11))
    today = officer.get(TODAY).content.decode()
    assert "Bưu gửi bị chuyển hoàn" in today and d.code in today
    tracked = client.post("/tra-cuu/", {"ma": d.code, "pin": d.pin}).content.decode()
    assert "đã chuyển hoàn kết quả về Bộ phận Một cửa" in tracked

    url = f"/quay/buu-gui/{c.pk}/da-xu-ly/"
    empty = officer.post(url, {"note": "  "}, follow=True).content.decode()
    assert "Vui lòng ghi cách đã xử lý" in empty
    officer.post(url, {"note": "Đã gọi điện, công dân đến nhận tại quầy"})
    c.refresh_from_db()
    assert c.handled_by == world.receptionist and c.handled_note.startswith("Đã gọi điện")
    assert "Bưu gửi bị chuyển hoàn" not in officer.get(TODAY).content.decode()
    again = officer.post(url, {"note": "lần nữa"}, follow=True).content.decode()
    assert "không còn chờ xử lý" in again


def test_another_counter_cannot_deal_with_a_returned_result(world, frozen, operator):
    d, c = sent_by_post(world, frozen, operator)
    Consignment.objects.filter(pk=c.pk).update(status="returned")
    from motcua.org.models import Agency

    with pytest.raises(NotFound):
        postal.consignment_handle_returned(
            actor=world.outsider,
            consignment_id=c.pk,
            agencies=Agency.objects.exclude(pk=d.receiving_agency_id),
            note="x",
        )


def test_the_operator_answer_is_checked(operator, settings):
    from motcua.dossiers.postal_adapters import PostalOperator
    from motcua.notifications.channels import Result

    settings.POSTAL_API_TOKEN = "wrong"
    refused = PostalOperator().create({"recipient": {"address": "x"}}, reference="r-1")
    assert isinstance(refused, Result) and refused.outcome == "permanent" and "401" in refused.error
    assert isinstance(PostalOperator().track("KHONG-CO"), Result)
    assert isinstance(PostalOperator(base_url="").track("EB1VN"), Result)


def test_a_late_poll_does_not_move_a_status_backwards(world, frozen, operator):
    d, c = sent_by_post(world, frozen, operator)
    operator.advance("EB200VN", "delivered", vn(2026, 3, 6, 10))
    postal.poll_consignments()
    from motcua.dossiers.postal_adapters import Tracked

    postal.consignment_track(c, [Tracked("in_transit", vn(2026, 3, 5, 20) + timedelta(minutes=1))])
    c.refresh_from_db()
    assert c.status == "delivered"


def test_the_demo_gives_consignments_to_the_dossiers_sent_by_post(world, frozen, settings):
    from motcua.dossiers.demo_post import build_demo_consignments

    settings.POSTAL_API_URL = ""
    came = services.dossier_receive(actor=world.receptionist, data=intake(world, channel=3))
    d = finished_dossier(world, frozen)
    services.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, postal_tracking="EB9VN"
    )
    Consignment.objects.all().delete()
    DossierEvent.objects.filter(action="post-consignment").delete()
    assert build_demo_consignments(now=vn(2026, 3, 20)) == 2
    assert build_demo_consignments(now=vn(2026, 3, 20)) == 0  # once
    submission = Consignment.objects.get(dossier=came)
    result = Consignment.objects.get(dossier=d)
    assert (submission.direction, submission.status) == ("submission", "delivered")
    assert (result.number, result.status) == ("EB9VN", "delivered")
    assert [e["status"] for e in post_events(d)] == ["created", "in_transit", "delivered"]


def test_the_api_receives_a_dossier_by_post_with_its_consignment(world, frozen):
    from django.test import Client

    from motcua.accounts.services import api_token_create

    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.receptionist, name='thử')}")
    body = {
        "procedure": "9.000101",
        "receiving_agency": "000.01.31.H99",
        "channel": 3,
        "applicant": {"kind": "person", "full_name": "Nguyễn Thị Hoa", "citizen_id": "001190012345",
                      "date_of_birth": "1990-05-17", "address": "Thôn Đông, xã An Bình"},
        "documents": [{"requirement": "TP01", "copy_kind": "original", "count": 1},
                      {"requirement": "TP02", "copy_kind": "original", "count": 1}],
        "postal_number": "EB1<VN",
    }  # fmt: skip
    bad = client.post("/api/v1/dossiers", body, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["details"] == {"field": "postal_number"}
    assert not Dossier.objects.exists()
    body["postal_number"] = "eb123456785vn"
    created = client.post("/api/v1/dossiers", body, content_type="application/json")
    assert created.status_code == 201, created.content
    d = Dossier.objects.get(code=created.json()["code"])
    assert d.channel == 3 and Consignment.objects.get(dossier=d).number == "EB123456785VN"
