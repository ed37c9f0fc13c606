from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.importing import import_file
from motcua.lib.errors import DomainError


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục từ tệp JSON (dạng procedures.json) hoặc XLSX. Nhập lại không thay đổi gì."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .json hoặc .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="Kiểm tra và báo cáo, không lưu.")

    def handle(self, *args, file, dry_run, **options):
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
