"""Payment requests and payments through the services, with worked examples (time frozen)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from motcua.audit.models import AuditEvent
from motcua.catalog.models import Procedure
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import intake
from motcua.lib.errors import Conflict, Forbidden, InvalidInput
from motcua.payments.fees import fees_due
from motcua.payments.gateways import GatewayNotice
from motcua.payments.models import FeeTariff, Payment, PaymentRequest, Receipt
from motcua.payments.services import (
    payment_confirm,
    payment_record_counter,
    payment_request_create,
    payment_settle,
    payment_start_gateway,
    payments_expire,
    payments_settle_pending,
    refund_record,
)
from motcua.payments.tests.conftest import FEE_VND, priced, processing
from motcua.portal.selectors import timeline

State = Payment.State


def notice(
    payment: Payment, *, ok: bool = True, amount: int | None = None, code: str | None = None
) -> GatewayNotice:
    response = code or ("00" if ok else "51")
    return GatewayNotice(
        txn_ref=payment.txn_ref,
        amount_vnd=payment.amount_vnd if amount is None else amount,
        succeeded=ok,
        response_code=response,
        transaction_status="00" if ok else "02",
        gateway_transaction_no="14123456",
        bank_code="NCB",
        paid_at=timezone.now(),
    )


def confirm(notice: GatewayNotice, ip: str | None = None) -> str:
    """What the IPN does: the gateway's word recorded, then (after its answer) the dossier's side."""
    confirmation = payment_confirm(notice=notice, ip=ip)
    if confirmation.settle:
        assert confirmation.payment_id is not None
        payment_settle(confirmation.payment_id)
    return confirmation.code


def start(asked, world) -> Payment:
    payment, url = payment_start_gateway(
        citizen=world.citizen,
        request=asked,
        client_ip="203.0.113.7",
        return_url="http://testserver/thanh-toan/vnpay/ket-qua",
    )
    assert "vnp_TxnRef=" + payment.txn_ref in url
    return payment


# -- what is due -----------------------------------------------------------------------------------


def test_the_fee_comes_from_the_snapshot_and_postage_is_a_line_of_its_own(world, frozen, settings):
    settings.PAYMENT_POSTAGE_VND = 32_000
    d = processing(world, result_delivery="post")
    lines = fees_due(d)
    assert [(line["label"], line["amount_vnd"], line["kind"]) for line in lines] == [
        ("Lệ phí đăng ký", FEE_VND, "fee"),
        ("Cước bưu chính trả kết quả", 32_000, "postage"),
    ]


def test_a_fee_of_another_channel_is_not_due(world, frozen):
    priced(
        world,
        fees=[
            {
                "kind": "fee",
                "amount_vnd": 100_000,
                "text": "100.000 đ",
                "description": "Nộp trực tiếp",
                "channel": "counter",
            },
            {
                "kind": "fee",
                "amount_vnd": 50_000,
                "text": "50.000 đ",
                "description": "Nộp trực tuyến",
                "channel": "online",
            },
        ],
    )
    d = processing(world)
    assert [line["amount_vnd"] for line in fees_due(d)] == [100_000]


def test_a_fee_deferred_to_the_province_comes_from_the_tariff_in_force(world, frozen):
    priced(
        world,
        fees=[
            {
                "kind": "fee",
                "amount_vnd": 0,
                "text": "Miễn phí",
                "note": "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh quyết định.",
            }
        ],
    )
    FeeTariff.objects.create(
        procedure=world.procedure, kind="fee", description="Lệ phí (biểu cũ)", amount_vnd=20_000,
        resolution_number="10/2020/NQ-HĐND", effective_from=date(2020, 1, 1), effective_to=date(2025, 12, 31),
    )  # fmt: skip
    FeeTariff.objects.create(
        procedure=world.procedure, kind="fee", description="Lệ phí đăng ký", amount_vnd=40_000,
        resolution_number="25/2025/NQ-HĐND", resolution_date=date(2025, 12, 10),
        effective_from=date(2026, 1, 1),
    )  # fmt: skip
    d = processing(world)
    (line,) = fees_due(d)
    assert (line["amount_vnd"], line["basis"]) == (
        40_000,
        "Nghị quyết số 25/2025/NQ-HĐND ngày 10/12/2025 của HĐND tỉnh",
    )


def test_a_reduction_needs_its_ground_and_cannot_exceed_the_line(world, frozen):
    d = processing(world)
    with pytest.raises(InvalidInput) as no_ground:
        payment_request_create(
            actor=world.specialist, dossier=d, expected_version=d.version, reductions={0: (50_000, " ")}
        )
    assert no_ground.value.code == "reduction_ground_required"
    with pytest.raises(InvalidInput) as too_much:
        payment_request_create(
            actor=world.specialist, dossier=d, expected_version=d.version, reductions={0: (100_001, "x")}
        )
    assert too_much.value.code == "reduction_invalid"
    with pytest.raises(InvalidInput) as all_off:
        payment_request_create(
            actor=world.specialist,
            dossier=d,
            expected_version=d.version,
            reductions={0: (100_000, "Hộ nghèo")},
        )
    assert all_off.value.code == "nothing_to_pay"
    assert Dossier.objects.get(pk=d.pk).state == Dossier.State.PROCESSING


# -- the request -----------------------------------------------------------------------------------


def test_a_request_puts_the_dossier_in_status_6_with_its_lines_due_date_and_purpose_in_the_event(
    world, frozen
):
    d = processing(world)
    req = payment_request_create(
        actor=world.specialist, dossier=d, expected_version=d.version,
        reductions={0: (30_000, "Người có công với cách mạng (NQ 25/2025/NQ-HĐND)")},
        purpose="Lệ phí đăng ký",
    )  # fmt: skip
    d.refresh_from_db()
    assert (d.state, d.status_code, d.fee_due_vnd) == (Dossier.State.PAYMENT, 6, 70_000)
    assert (req.total_vnd, req.state, req.agency_id) == (70_000, "open", d.handling_agency_id)
    # Five calendar days, to the end of the local day: Monday 2 March → Saturday 7 March 23:59:59.
    assert req.due_by.isoformat() == "2026-03-07T23:59:59+07:00"
    event = DossierEvent.objects.filter(dossier=d, action="request-payment").get()
    assert event.data["amount_vnd"] == 70_000
    assert event.data["purpose"] == "Lệ phí đăng ký"
    assert event.data["due_by"] == "2026-03-07T23:59:59+07:00"
    assert event.data["lines"][0]["reduction_vnd"] == 30_000
    assert event.data["lines"][0]["ground"].startswith("Người có công")


def test_only_the_holder_of_the_step_asks(world, frozen):
    d = processing(world)
    with pytest.raises(Forbidden):
        payment_request_create(actor=world.specialist2, dossier=d, expected_version=d.version)
    assert not PaymentRequest.objects.exists()


def test_a_line_is_named_by_the_fee_not_by_its_published_amount(world, frozen):
    # As the national records publish it: the text is the amount, the name heads the note.
    priced(
        world,
        fees=[
            {
                "kind": "charge",
                "amount_vnd": 100_000,
                "text": "100,000 Việt Nam Đồng",
                "note": "Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng/lần (TT 47/2019)",
            },
            {
                "kind": "fee",
                "amount_vnd": 50_000,
                "text": "50,000 Việt Nam Đồng",
                "note": "Nộp khi nhận kết quả",
            },
        ],
    )
    assert [line["label"] for line in fees_due(processing(world))] == [
        "Phí công bố nội dung đăng ký doanh nghiệp",
        "Lệ phí",
    ]


def test_an_officer_who_may_not_ask_is_told_so_before_anything_about_the_fees(world, frozen):
    # A procedure without fees: the holder hears there is nothing to ask; an officer who does not
    # hold the step hears that he may not ask, not what the procedure charges.
    priced(world, fees=[])
    d = processing(world)
    with pytest.raises(Forbidden) as refused:
        payment_request_create(actor=world.specialist2, dossier=d, expected_version=d.version)
    assert refused.value.code != "no_fees"
    with pytest.raises(InvalidInput) as nothing:
        payment_request_create(actor=world.specialist, dossier=d, expected_version=d.version)
    assert nothing.value.code == "no_fees"
    assert not PaymentRequest.objects.exists()


def test_an_online_dossier_of_a_procedure_paid_at_submission_is_asked_at_reception(world, frozen):
    Procedure.objects.filter(pk=world.procedure.pk).update(payment_timing="submission")
    submitted = dossier_services.dossier_submit_online(citizen=world.citizen, data=intake(world, channel=2))
    received = dossier_services.dossier_receive(
        actor=world.receptionist, dossier=submitted, expected_version=submitted.version
    )
    assert (received.state, received.status_code) == (Dossier.State.PAYMENT, 6)
    req = PaymentRequest.objects.get(dossier=received)
    assert (req.total_vnd, req.timing, req.requested_by) == (FEE_VND, "submission", None)
    # Paying resumes it where reception left it.
    payment_record_counter(
        actor=world.receptionist,
        request=req,
        method="cash",
        receipt_number="BL-1",
        expected_version=received.version,
    )
    assert Dossier.objects.get(pk=received.pk).state == Dossier.State.RECEIVED


def test_a_dossier_at_the_counter_of_such_a_procedure_is_not_asked_at_reception(world, frozen):
    Procedure.objects.filter(pk=world.procedure.pk).update(payment_timing="submission")
    d = dossier_services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert d.state == Dossier.State.RECEIVED
    assert not PaymentRequest.objects.exists()


# -- at the counter --------------------------------------------------------------------------------


def test_cash_at_the_counter_records_the_payment_and_numbers_receipts_without_gaps(world, frozen, asked):
    d = asked.dossier
    d.refresh_from_db()
    payment = payment_record_counter(
        actor=world.receptionist,
        request=asked,
        method="cash",
        receipt_number=" BL 0001 ",
        expected_version=d.version,
    )
    d.refresh_from_db()
    assert (payment.state, payment.receipt_number, payment.paid_online) == ("success", "BL 0001", 0)
    assert d.state == Dossier.State.PROCESSING
    event = DossierEvent.objects.filter(dossier=d, action="record-payment").get()
    assert event.data == {"method": "cash", "amount_vnd": FEE_VND, "paid_online": 0}
    assert event.actor == world.receptionist
    assert (payment.receipt.number, payment.receipt.year, payment.receipt.series) == (1, 2026, "BL-26E")
    # "Hồ sơ của tôi": asked to pay, then paid, in the applicant's words.
    asked_then_paid = ["Yêu cầu thực hiện nghĩa vụ tài chính", "Đã nộp phí, lệ phí"]
    assert [e.label for e in timeline(d)][-2:] == asked_then_paid
    second = processing(world)
    req2 = payment_request_create(actor=world.specialist, dossier=second, expected_version=second.version)
    second.refresh_from_db()
    p2 = payment_record_counter(
        actor=world.specialist,
        request=req2,
        method="card",
        receipt_number="POS-77",
        expected_version=second.version,
    )
    assert p2.receipt.number == 2
    assert PaymentRequest.objects.get(pk=asked.pk).state == "paid"


def test_a_payment_is_recorded_once_a_second_officer_is_told(world, frozen, asked):
    d = Dossier.objects.get(pk=asked.dossier_id)
    payment_record_counter(
        actor=world.receptionist, request=asked, method="cash", receipt_number="1", expected_version=d.version
    )
    with pytest.raises(Conflict):
        payment_record_counter(
            actor=world.specialist,
            request=asked,
            method="cash",
            receipt_number="2",
            expected_version=d.version,
        )
    assert Payment.objects.filter(state="success").count() == 1


def test_the_counter_needs_a_receipt_number_and_an_officer_of_the_dossier(world, frozen, asked):
    d = Dossier.objects.get(pk=asked.dossier_id)
    with pytest.raises(InvalidInput) as missing:
        payment_record_counter(
            actor=world.receptionist,
            request=asked,
            method="cash",
            receipt_number="  ",
            expected_version=d.version,
        )
    assert missing.value.message == "Vui lòng nhập số biên lai hoặc số hóa đơn thẻ."
    with pytest.raises(Forbidden):
        payment_record_counter(
            actor=world.outsider, request=asked, method="cash", receipt_number="9", expected_version=d.version
        )
    assert not Payment.objects.exists() and not Receipt.objects.exists()


# -- through the gateway ---------------------------------------------------------------------------


def test_a_gateway_payment_expires_after_90_minutes(world, frozen, asked):
    payment = start(asked, world)
    assert payment.state == State.STARTED
    assert payment.expires_at - payment.created_at == timedelta(minutes=90)
    frozen.shift(timedelta(minutes=89, seconds=59))
    assert payments_expire() == 0
    frozen.shift(timedelta(seconds=1))
    assert payments_expire() == 1
    assert Payment.objects.get(pk=payment.pk).state == State.EXPIRED


def test_a_later_success_wins_over_an_earlier_failure_and_is_recorded_as_paid_online_2(world, frozen, asked):
    payment = start(asked, world)
    assert confirm(notice(payment, ok=False)) == "00"
    assert Payment.objects.get(pk=payment.pk).state == State.FAILED
    frozen.shift(timedelta(minutes=3))
    assert confirm(notice(payment)) == "00"
    payment.refresh_from_db()
    assert payment.state == State.SUCCESS and payment.gateway_transaction_no == "14123456"
    d = Dossier.objects.get(pk=asked.dossier_id)
    assert d.state == Dossier.State.PROCESSING
    event = DossierEvent.objects.filter(dossier=d, action="record-payment").get()
    assert event.data == {"method": "gateway", "amount_vnd": FEE_VND, "paid_online": 2}
    assert event.actor is None
    assert payment.receipt.number == 1
    # A failure notice afterwards never undoes it.
    assert confirm(notice(payment, ok=False)) == "02"
    assert Payment.objects.get(pk=payment.pk).state == State.SUCCESS


def test_a_success_after_expiry_still_counts(world, frozen, asked):
    payment = start(asked, world)
    frozen.shift(timedelta(minutes=91))
    payments_expire()
    assert confirm(notice(payment)) == "00"
    assert Payment.objects.get(pk=payment.pk).state == State.SUCCESS


def test_one_dong_short_is_refused_04_audited_and_nothing_is_paid(world, frozen, asked):
    payment = start(asked, world)
    assert confirm(notice(payment, amount=FEE_VND - 1), ip="198.51.100.9") == "04"
    assert Payment.objects.get(pk=payment.pk).state == State.STARTED
    assert PaymentRequest.objects.get(pk=asked.pk).state == "open"
    assert Dossier.objects.get(pk=asked.dossier_id).state == Dossier.State.PAYMENT
    audit = AuditEvent.objects.filter(action="payment.wrong_amount").get()
    assert audit.extra["expected"] == FEE_VND and audit.extra["notified"] == FEE_VND - 1


def test_a_replayed_notice_answers_02_and_records_nothing_more(world, frozen, asked):
    payment = start(asked, world)
    assert confirm(notice(payment)) == "00"
    assert confirm(notice(payment)) == "02"
    assert Receipt.objects.count() == 1
    assert DossierEvent.objects.filter(action="record-payment").count() == 1


def test_an_unknown_order_answers_01(world, frozen, asked):
    payment = start(asked, world)
    payment.txn_ref = "000000NOTOURS"
    assert confirm(notice(payment)) == "01"


def test_a_gateway_success_after_the_counter_took_the_money_is_an_error_to_refund(world, frozen, asked):
    payment = start(asked, world)
    d = Dossier.objects.get(pk=asked.dossier_id)
    payment_record_counter(
        actor=world.receptionist, request=asked, method="cash", receipt_number="1", expected_version=d.version
    )
    assert confirm(notice(payment)) == "02"
    payment.refresh_from_db()
    assert payment.state == State.ERROR and "hoàn trả" in payment.note
    refund = refund_record(
        actor=world.receptionist, payment=payment, amount_vnd=FEE_VND, reason="Nộp hai lần"
    )
    assert refund.amount_vnd == FEE_VND
    event = DossierEvent.objects.filter(dossier=d, action="refund-payment").get()
    assert event.data == {"amount_vnd": FEE_VND, "reason": "Nộp hai lần"}
    with pytest.raises(InvalidInput) as again:
        refund_record(actor=world.receptionist, payment=payment, amount_vnd=1, reason="Thêm")
    assert again.value.code == "refund_too_large"


def test_a_success_for_a_dossier_no_longer_waiting_to_pay_is_kept_to_refund_not_retried(world, frozen, asked):
    payment = start(asked, world)
    d = Dossier.objects.get(pk=asked.dossier_id)
    dossier_services.dossier_withdraw(
        actor=world.leader, dossier=d, expected_version=d.version, reason="Theo đơn"
    )
    assert confirm(notice(payment)) == "02"
    assert Payment.objects.get(pk=payment.pk).state == State.ERROR
    assert Dossier.objects.get(pk=d.pk).state == Dossier.State.WITHDRAWN


def test_the_gateway_s_word_is_recorded_first_and_the_dossier_follows_once(world, frozen, asked):
    payment = start(asked, world)
    confirmation = payment_confirm(notice=notice(payment))
    assert (confirmation.code, confirmation.settle) == ("00", True)
    # What the gateway waits for: the payment succeeded and its request is closed to any other.
    payment.refresh_from_db()
    assert payment.state == State.SUCCESS and payment.settled_at is None
    assert PaymentRequest.objects.get(pk=asked.pk).state == "paid"
    d = Dossier.objects.get(pk=asked.dossier_id)
    with pytest.raises(Conflict):
        payment_record_counter(
            actor=world.receptionist,
            request=asked,
            method="cash",
            receipt_number="9",
            expected_version=d.version,
        )
    # The dossier's side, once: the IPN's after its answer; a second settler finds nothing to do.
    assert d.state == Dossier.State.PAYMENT and not Receipt.objects.exists()
    assert payment_settle(payment) is True
    assert payment_settle(payment) is False
    payment.refresh_from_db()
    assert payment.settled_at == timezone.now() and payment.receipt.number == 1
    assert Dossier.objects.get(pk=d.pk).state == Dossier.State.PROCESSING
    assert DossierEvent.objects.filter(dossier=d, action="record-payment").count() == 1


def test_a_settling_lost_with_its_worker_is_caught_up_a_minute_later(world, frozen, asked):
    payment = start(asked, world)
    assert payment_confirm(notice=notice(payment)).settle  # … and the worker died before settling
    frozen.shift(timedelta(seconds=59))
    assert payments_settle_pending() == {"settled": 0, "failed": 0}  # maybe still being settled
    frozen.shift(timedelta(seconds=1))
    assert payments_settle_pending() == {"settled": 1, "failed": 0}
    assert payments_settle_pending() == {"settled": 0, "failed": 0}
    assert Receipt.objects.get().payment_id == payment.pk
    assert DossierEvent.objects.filter(dossier_id=asked.dossier_id, action="record-payment").count() == 1


def test_a_dossier_withdrawn_between_the_notice_and_its_settling_gets_the_money_back(world, frozen, asked):
    payment = start(asked, world)
    assert payment_confirm(notice=notice(payment)).settle
    d = Dossier.objects.get(pk=asked.dossier_id)
    dossier_services.dossier_withdraw(
        actor=world.leader, dossier=d, expected_version=d.version, reason="Theo đơn"
    )
    assert payment_settle(payment) is False
    payment.refresh_from_db()
    assert payment.state == State.ERROR and "hoàn trả" in payment.note
    assert PaymentRequest.objects.get(pk=asked.pk).state == "open"
    assert AuditEvent.objects.filter(action="payment.unsettled", object_id=str(payment.pk)).exists()
    assert not Receipt.objects.exists()
    assert payments_settle_pending() == {"settled": 0, "failed": 0}


def test_a_request_left_open_by_the_generic_action_is_closed_by_the_next_one(world, frozen, asked):
    d = Dossier.objects.get(pk=asked.dossier_id)
    d = dossier_services.dossier_record_payment(actor=world.specialist, dossier=d, expected_version=d.version)
    again = payment_request_create(actor=world.specialist, dossier=d, expected_version=d.version)
    assert PaymentRequest.objects.get(pk=asked.pk).state == "cancelled"
    assert again.state == "open"
