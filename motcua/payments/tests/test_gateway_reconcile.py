"""`manage.py payments_reconcile`: the stand-in's statement of a day against our gateway payments;
every difference listed, exit code 1 when there is one."""

import csv
import io
from datetime import timedelta
from urllib.request import urlopen

import pytest
import time_machine
from django.core.management import CommandError, call_command

from motcua.dossiers.tests.conftest import MONDAY_8AM
from motcua.payments.gateways import get_gateway
from motcua.payments.models import Payment
from motcua.payments.polling import poll_unfinished_payments
from motcua.payments.services import payment_confirm
from motcua.payments.testing.world import build_world, gateway_payment

pytestmark = pytest.mark.django_db
DAY = "2026-03-02"
SUMMARY = "Đối soát ngày 02/03/2026: 3 giao dịch trong bảng kê của cổng thanh toán, {} chênh lệch."
OUTCOMES = [("paid", "success"), ("lost", "success"), ("cancelled", "cancelled"), ("never", "")]


@pytest.fixture
def day_of_payments(vnpay_standin):
    """Monday 2 March 2026: one payment paid (IPN received), one paid whose IPN was lost, one
    cancelled at the gateway, one that never reached the gateway."""
    with time_machine.travel(MONDAY_8AM, tick=False) as clock:
        world = build_world()
        made = {}
        for name, outcome in [
            ("paid", "success"),
            ("lost", "success"),
            ("cancelled", "cancelled"),
            ("never", ""),
        ]:
            clock.shift(timedelta(minutes=5))
            payment, url = gateway_payment(world)
            made[name] = payment
            if outcome:
                with urlopen(url, timeout=5):  # noqa: S310 — the stand-in on loopback
                    pass
                result = vnpay_standin.choose(payment.txn_ref, outcome)
                if name != "lost":
                    assert payment_confirm(notice=get_gateway().parse_notice(result)).code == "00"
        yield made


def _run(*args):
    out = io.StringIO()
    try:
        call_command("payments_reconcile", *args, stdout=out)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue()


def test_a_day_where_both_sides_agree_but_for_a_lost_ipn_lists_that_one(day_of_payments):
    code, out = _run("--day", DAY)
    lost = day_of_payments["lost"].txn_ref
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[:-1] == [
        f"state\t{lost}\tGiao dịch {lost}: cổng thanh toán ghi thành công, hệ thống ghi đang thanh toán."
    ]
    assert (
        lines[-1] == "Đối soát ngày 02/03/2026: 3 giao dịch trong bảng kê của cổng thanh toán, 1 chênh lệch."
    )


def test_once_the_lost_payment_is_confirmed_there_is_no_difference(day_of_payments):
    lost = day_of_payments["lost"]
    with time_machine.travel(MONDAY_8AM + timedelta(minutes=40), tick=False):
        assert poll_unfinished_payments() == {"confirmed_00": 1, "unknown": 1}
    assert Payment.objects.get(pk=lost.pk).state == Payment.State.SUCCESS
    assert _run("--day", DAY) == (
        0,
        "Đối soát ngày 02/03/2026: 3 giao dịch trong bảng kê của cổng thanh toán, 0 chênh lệch.\n",
    )
    assert _run("--day", "2026-03-03")[0] == 0  # another day: nothing on either side


def test_an_edited_statement_shows_every_kind_of_difference(day_of_payments, vnpay_standin, tmp_path):
    rows = list(csv.DictReader(io.StringIO(vnpay_standin.statement(MONDAY_8AM.date()))))
    paid, cancelled = day_of_payments["paid"].txn_ref, day_of_payments["cancelled"].txn_ref
    kept = []
    for row in rows:
        if row["vnp_TxnRef"] == paid:
            continue  # the gateway has no trace of the payment we recorded as paid
        if row["vnp_TxnRef"] == cancelled:
            row["amount_vnd"] = "125001"
        kept.append(row)
    kept.append({**rows[0], "vnp_TxnRef": "260302FFFFFFFFFF", "amount_vnd": "50000", "status": "success"})
    path = tmp_path / "bang-ke.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(kept)
    code, out = _run("--day", DAY, "--statement", str(path))
    assert code == 1
    kinds = sorted(line.split("\t")[:2] for line in out.strip().splitlines()[:-1])
    assert kinds == sorted(
        [
            ["missing_ours", "260302FFFFFFFFFF"],
            ["missing_gateway", paid],
            ["amount", cancelled],
            ["state", day_of_payments["lost"].txn_ref],
        ]
    )
    assert "Giao dịch 260302FFFFFFFFFF (50.000 đ, thành công) có ở cổng thanh toán nhưng không có" in out
    assert f"Giao dịch {cancelled}: số tiền ở cổng thanh toán 125.001 đ, trong hệ thống 125.000 đ." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--day", "02/03/2026"], "Ngày “02/03/2026” không hợp lệ: hãy viết dạng YYYY-MM-DD."),
        (["--day", DAY, "--statement", "/khong/co/tep.csv"], "Không đọc được tệp bảng kê /khong/co/tep.csv"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message) as caught:
        call_command("payments_reconcile", *args)
    assert caught.value.returncode == 2


def test_a_statement_that_cannot_be_read_is_refused(tmp_path):
    bad = tmp_path / "bang-ke.csv"
    bad.write_text("ma,so_tien\nA,1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Bảng kê thiếu cột: vnp_TxnRef, amount_vnd, status"):
        call_command("payments_reconcile", "--day", DAY, "--statement", str(bad))
    bad.write_text("vnp_TxnRef,amount_vnd,status\nA,12.000,success\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng 2 của bảng kê không đọc được"):
        call_command("payments_reconcile", "--day", DAY, "--statement", str(bad))


def test_an_unreachable_gateway_is_said_so(settings):
    settings.VNPAY_STATEMENT_URL = "http://127.0.0.1:9/merchant/statement"
    with pytest.raises(CommandError, match="Không tải được bảng kê của cổng thanh toán"):
        call_command("payments_reconcile", "--day", DAY)


def test_the_demos_gateway_payment_is_in_the_statement_of_the_stand_in_make_run_starts(
    vnpay_standin, settings, tmp_path
):
    # demo_load confirms a gateway payment as the stand-in would, without it (it is not running
    # then), and writes it where make run's stand-in reads what it already has (--known).
    from motcua.payments.demo import pay_through_the_gateway
    from motcua.payments.testing.vnpay_standin import DEMO_KNOWN_FILE, VNPayStandIn, load_known
    from motcua.payments.testing.world import payment_request

    settings.BASE_DIR = tmp_path
    with time_machine.travel(MONDAY_8AM, tick=False):
        assert pay_through_the_gateway(payment_request(build_world())).state == Payment.State.SUCCESS
    known = load_known(str(tmp_path / DEMO_KNOWN_FILE))
    with VNPayStandIn(secret=vnpay_standin.secret, known=known) as started_by_make_run:
        for name, value in started_by_make_run.settings_values().items():
            setattr(settings, name, value)
        code, out = _run("--day", DAY)
    assert (code, out.strip().splitlines()[-1]) == (
        0,
        "Đối soát ngày 02/03/2026: 1 giao dịch trong bảng kê của cổng thanh toán, 0 chênh lệch.",
    )
