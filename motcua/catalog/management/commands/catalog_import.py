from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.channels import report_for
from motcua.catalog.importing import import_file
from motcua.catalog.models import Procedure
from motcua.lib.errors import DomainError


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục từ tệp JSON (dạng procedures.json) hoặc XLSX. Nhập lại không thay đổi gì."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .json hoặc .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="Kiểm tra và báo cáo, không lưu.")
        parser.add_argument(
            "--classification-report",
            metavar="FILE",
            help="Ghi vào tệp này báo cáo phân loại thành phần hồ sơ (hình thức nộp, giấy tờ thay thế).",
        )

    def handle(self, *args, file, dry_run, classification_report=None, **options):
        try:
            report = import_file(file, dry_run=dry_run)
        except FileNotFoundError:
            raise CommandError(f"Không tìm thấy tệp {file}.") from None
        except DomainError as exc:
            lines = exc.details.get("errors") or [exc.message]
            raise CommandError("Không nhập được, chưa thay đổi gì:\n" + "\n".join(lines)) from None
        self.stdout.write(report.summary())
        for code, fields in report.changes.items():
            self.stdout.write(f"  {code}: {', '.join(fields)}")
        if classification_report and not dry_run:
            procedures = Procedure.objects.order_by("code").prefetch_related("documents")
            classified = report_for(procedures)
            Path(classification_report).write_text(classified.text(), encoding="utf-8")
            self.stdout.write(f"{classified.summary()} Báo cáo phân loại: {classification_report}.")
