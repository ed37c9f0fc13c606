"""The national portal's sync (issue 13 §4): each status change of a dossier, read from its event
log, becomes one payload queued in the outbox (channel ``dvcqg``) and posted to the portal — the
stand-in on loopback records what it takes, takes each key once, and fails on demand."""

import json
from datetime import timedelta

import pytest

from motcua.dossiers import national_sync, services
from motcua.dossiers.models import Dossier, DossierDocument, SyncCursor
from motcua.dossiers.selectors_post import dossier_sync_state, sync_state_counts
from motcua.dossiers.services.frame import record_event
from motcua.dossiers.testing.standins_post import NationalPortalStandIn
from motcua.dossiers.tests.conftest import advance, intake, vn
from motcua.notifications import sender
from motcua.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def portal(settings):
    with NationalPortalStandIn() as stand_in:
        settings.NATIONAL_PORTAL_URL = f"{stand_in.url}/dongbo"
        settings.NATIONAL_PORTAL_TOKEN = stand_in.token
        settings.NATIONAL_SYNC_SETTLE_SECONDS = 30
        yield stand_in


def later(frozen, minutes: int = 1) -> None:
    """Let the sweep's settling time pass."""
    frozen.shift(timedelta(minutes=minutes))


def queued() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(channel="dvcqg").order_by("pk"))


def send() -> dict[str, int]:
    return sender.send_due(ids=[m.pk for m in queued()])


def test_the_payload_of_a_received_dossier_worked_example(world, frozen, portal):
    d = services.dossier_receive(
        actor=world.receptionist, data=intake(world, channel=3, result_delivery="post")
    )
    DossierDocument.objects.filter(dossier=d, requirement_code="TP01").update(digitised=True)
    Dossier.objects.filter(pk=d.pk).update(national_identity=True)
    later(frozen)
    assert national_sync.sync_sweep()["queued"] == 1
    [message] = queued()
    payload = json.loads(message.body)
    assert message.key == f"dvcqg:{d.code}:2:{message.data['change']}"
    assert {
        k: payload[k]
        for k in (
            "payload_version",
            "MaHoSo",
            "MaTTHC",
            "KenhThucHien",
            "TrangThaiHoSo",
            "NgayTiepNhan",
            "NgayHenTra",
            "NgayKetThucXuLy",
            "DuocThanhToanTrucTuyen",
            "TaiKhoanDuocXacThucVoiVNeID",
            "HoSoCoThanhPhanSoHoa",
            "MaCoQuanTiepNhan",
            "HinhThucTraKetQua",
        )
    } == {
        "payload_version": "motcua-dvcqg-1",
        "MaHoSo": d.code,
        "MaTTHC": "9.000101",
        "KenhThucHien": 3,
        "TrangThaiHoSo": 2,
        # Received Monday 2 March 2026 08:00; 5 working days → Monday 9 March 08:00 (Vietnam time).
        "NgayTiepNhan": "20260302080000",
        "NgayHenTra": "20260309080000",
        "NgayKetThucXuLy": None,
        "DuocThanhToanTrucTuyen": 0,
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "HoSoCoThanhPhanSoHoa": 1,
        "MaCoQuanTiepNhan": "000.01.31.H99",
        "HinhThucTraKetQua": "post",
    }
    assert payload["DanhSachPhiLePhi"] == [{"TenPhiLePhi": "Miễn lệ phí", "Gia": 0}]
    assert [(s["ThuTu"], s["TenBuoc"], s["NgayBatDau"]) for s in payload["QuaTrinhXuLy"]] == [
        (1, "Tiếp nhận hồ sơ", "20260302080000")
    ]
    assert [a["MaThanhPhan"] for a in payload["TepDinhKem"]] == []  # no file attached at the counter


def test_each_status_change_is_queued_once_and_other_events_are_not(world, frozen, portal):
    d = advance(world, "processing")  # received (2), forwarded and assigned: processing (4)
    services.dossier_add_comment(actor=world.specialist, dossier=d, body="Ý kiến")
    later(frozen)
    national_sync.sync_sweep()
    assert [m.data["status_code"] for m in queued()] == [2, 4]
    assert national_sync.sync_sweep()["queued"] == 0  # the cursor moved on
    SyncCursor.objects.update(position=0)  # even read again, a change is queued once (its key)
    national_sync.sync_sweep()
    assert [m.data["status_code"] for m in queued()] == [2, 4]
    d.refresh_from_db()
    d = services.dossier_request_supplement(
        actor=world.specialist,
        dossier=d,
        expected_version=d.version,
        items=[services.SupplementItem("Tờ khai", "Thiếu chữ ký")],
    )
    d = services.dossier_receive_supplement(actor=world.receptionist, dossier=d, expected_version=d.version)
    later(frozen)
    national_sync.sync_sweep()
    # Back to processing after the supplement: a new change of its own (4 → 5 → 4).
    assert [m.data["status_code"] for m in queued()] == [2, 4, 5, d.status_code]
    assert len({m.key for m in queued()}) == 4


def test_a_young_event_waits_for_the_next_sweep(world, frozen, portal):
    services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert national_sync.sync_sweep() == {"queued": 0, "position": 0}
    frozen.shift(timedelta(seconds=31))
    assert national_sync.sync_sweep()["queued"] == 1


def test_nothing_is_queued_while_the_portal_is_not_configured(world, frozen, settings):
    settings.NATIONAL_PORTAL_URL = ""
    services.dossier_receive(actor=world.receptionist, data=intake(world))
    later(frozen)
    assert national_sync.sync_sweep() == {"queued": 0}
    assert not queued() and not SyncCursor.objects.exists()


def test_payment_results_and_finishing_are_carried(world, frozen, portal):
    d = advance(world, "processing")
    # What the payments and signing parts write (contracts.md).
    record_event(
        d,
        action="record-payment",
        actor=None,
        agency_id=None,
        at=vn(2026, 3, 3, 9),
        data={"method": "gateway", "amount_vnd": 50000, "paid_online": 2},
    )
    record_event(
        d,
        action="record-payment",
        actor=None,
        agency_id=None,
        at=vn(2026, 3, 3, 10),
        data={"method": "cash", "amount_vnd": 1000, "paid_online": 0},
    )
    record_event(
        d,
        action="issue-e-result",
        actor=None,
        agency_id=None,
        at=vn(2026, 3, 4, 9),
        data={"result_code": f"{d.code}-KQ1", "signed_by": "seal", "sha256": "ab" * 32},
    )
    Dossier.objects.filter(pk=d.pk).update(finished_at=vn(2026, 3, 4, 10))
    later(frozen)
    national_sync.sync_sweep()
    payload = json.loads(queued()[-1].body)
    assert payload["DuocThanhToanTrucTuyen"] == 2
    assert payload["KetQua"] == [
        {"MaKetQua": f"{d.code}-KQ1", "MaBam": "ab" * 32, "KyBoi": "seal", "NgayBanHanh": "20260304090000"}
    ]
    assert payload["NgayKetThucXuLy"] == "20260304100000"
    assert national_sync.paid_online([]) == 0


def test_the_portal_takes_each_change_once_through_failures_and_retries(world, frozen, portal):
    d = advance(world, "processing")
    later(frozen)
    national_sync.sync_sweep()
    first, second = queued()
    portal.fail_next(503)
    assert send() == {"delivered": 1, "temporary-failure": 1}
    failed = OutboxMessage.objects.get(status="temporary-failure")
    frozen.shift(timedelta(minutes=2))
    assert send() == {"delivered": 1}
    # The retry carried the same body under the same key.
    attempts = [r for r in portal.requests if r["headers"].get("idempotency-key") == failed.key]
    assert len(attempts) == 2 and attempts[0]["raw"] == attempts[1]["raw"] == failed.body.encode()
    assert attempts[0]["headers"]["authorization"] == f"Bearer {portal.token}"
    assert [p["TrangThaiHoSo"] for p in portal.payloads()] == [4, 2]  # the first failed once, went second
    # A worker died after the portal took it: sent again, the portal says it has it (409).
    OutboxMessage.objects.filter(pk=first.pk).update(status="sending", lease_until=vn(2026, 1, 1))
    assert sender.expire_leases()["requeued"] == 1
    assert send() == {"delivered": 1}
    assert len(portal.payloads()) == 2
    state = dossier_sync_state(d)
    assert (state["last_status"], state["pending"], state["failed"]) == (4, 0, 0)
    assert state["last_status_label"] == "Đang xử lý"


def test_a_refused_payload_is_a_dead_letter_shown_on_the_dossier_page(client, world, frozen, portal):
    d = advance(world, "received")
    later(frozen)
    national_sync.sync_sweep()
    portal.fail_next(422)
    assert send() == {"permanent-failure": 1}
    state = dossier_sync_state(d)
    assert (state["last_status"], state["failed"]) == (None, 1) and "HTTP 422" in state["last_error"]
    client.force_login(world.receptionist)
    page = client.get(f"/xu-ly/ho-so/{d.code}/").content.decode()
    assert "Đồng bộ Cổng DVC quốc gia" in page and "Chưa gửi" in page and "HTTP 422" in page


def test_sync_state_counts_for_indicator_1_4(world, frozen, portal):
    synced = advance(world, "received")
    waiting = advance(world, "received")
    failed = advance(world, "received")
    later(frozen)
    national_sync.sync_sweep()
    by_dossier = {m.dossier_id: m for m in queued()}
    portal.fail_next(400)
    sender.send_due(ids=[by_dossier[failed.pk].pk])
    sender.send_due(ids=[by_dossier[synced.pk].pk])
    not_queued = advance(world, "received")  # received after the sweep
    assert waiting.pk and not_queued.pk
    counts = sync_state_counts(received_from=vn(2026, 3, 1), received_until=vn(2026, 3, 3))
    assert counts == {"received": 4, "synced": 1, "pending": 1, "failed": 1, "not_queued": 1}
    assert sync_state_counts(received_from=vn(2026, 3, 3), received_until=vn(2026, 3, 4))["received"] == 0
    outside = sync_state_counts(
        received_from=vn(2026, 3, 1), received_until=vn(2026, 3, 3), agencies=[world.tree.commune_b]
    )
    assert outside["received"] == 0
