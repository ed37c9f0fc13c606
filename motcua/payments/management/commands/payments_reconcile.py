"""`manage.py payments_reconcile --day YYYY-MM-DD [--statement bang-ke.csv]`: lists every difference
between the gateway's transactions of that day and our payments. Exit code 0 when none, 1 when
any, 2 when the reconciliation could not be made (no statement, a statement that cannot be read)."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from motcua.payments.reconcile import StatementError, fetch_statement, read_statement, reconcile_day


class Command(BaseCommand):
    help = "Đối soát giao dịch của một ngày giữa cổng thanh toán và hệ thống."

    def add_arguments(self, parser):
        parser.add_argument("--day", required=True, help="ngày đối soát, dạng YYYY-MM-DD (giờ Việt Nam)")
        parser.add_argument(
            "--statement",
            help="tệp CSV bảng kê giao dịch của cổng thanh toán (mặc định: tải từ VNPAY_STATEMENT_URL)",
        )

    def handle(self, *args, day: str, statement: str | None, **options):
        try:
            when = date.fromisoformat(day)
        except ValueError:
            message = f"Ngày “{day}” không hợp lệ: hãy viết dạng YYYY-MM-DD."
            raise CommandError(message, returncode=2) from None
        try:
            if statement:
                with open(statement, encoding="utf-8-sig") as handle:
                    text = handle.read()
            else:
                text = fetch_statement(when)
            rows = read_statement(text)
        except OSError as exc:
            message = f"Không đọc được tệp bảng kê {statement}: {exc.strerror}."
            raise CommandError(message, returncode=2) from None
        except StatementError as exc:
            raise CommandError(str(exc), returncode=2) from None
        differences = reconcile_day(day=when, rows=rows)
        for difference in differences:
            self.stdout.write(f"{difference.kind}\t{difference.txn_ref}\t{difference.message}")
        self.stdout.write(
            f"Đối soát ngày {when:%d/%m/%Y}: {len(rows)} giao dịch trong bảng kê của cổng thanh toán, "
            f"{len(differences)} chênh lệch."
        )
        if differences:
            sys.exit(1)
