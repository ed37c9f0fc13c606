from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.cleanup import DEFAULT_OLDER_THAN, files_cleanup


class Command(BaseCommand):
    help = (
        "Xóa các tệp trong kho lưu trữ không thuộc hồ sơ nào (còn lại sau một lần tải lên bị hủy "
        "giữa chừng) và báo các tệp của hồ sơ không còn trong kho. Chạy hằng ngày; thoát với mã "
        "khác 0 khi có tệp của hồ sơ bị thiếu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Chỉ liệt kê các tệp sẽ bị xóa, không xóa gì.",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(DEFAULT_OLDER_THAN.total_seconds() // 60),
            metavar="PHÚT",
            help="Chỉ xóa tệp cũ hơn số phút này (mặc định 60: không động đến tệp đang tải lên).",
        )

    def handle(self, *args, **options):
        minutes = options["older_than"]
        if minutes < 1:
            raise CommandError("--older-than phải từ 1 phút trở lên.")
        dry_run = options["dry_run"]
        report = files_cleanup(older_than=timedelta(minutes=minutes), dry_run=dry_run)
        verb = "Sẽ xóa (chạy thử, chưa xóa gì)" if dry_run else "Đã xóa"
        self.stdout.write(f"Đã xem {report.scanned} tệp trong kho lưu trữ.")
        if report.removed:
            self.stdout.write(
                f"{verb} {len(report.removed)} tệp không thuộc hồ sơ nào, cũ hơn {minutes} phút:"
            )
            for name in report.removed:
                self.stdout.write(f"  {name}")
        else:
            self.stdout.write(f"Không có tệp nào không thuộc hồ sơ và cũ hơn {minutes} phút.")
        if report.kept_recent:
            self.stdout.write(
                f"Giữ lại {len(report.kept_recent)} tệp chưa thuộc hồ sơ nào nhưng mới hơn {minutes} "
                "phút (có thể đang được tải lên)."
            )
        if report.missing:
            self.stderr.write(
                f"Cảnh báo: {len(report.missing)} tệp của hồ sơ không còn trong kho lưu trữ "
                "(không xóa gì; hãy khôi phục từ bản sao lưu):"
            )
            for m in report.missing:
                self.stderr.write(
                    f"  hồ sơ {m.dossier_code}, tệp #{m.file_id} “{m.original_name}”: {m.name or '(trống)'}"
                )
            raise CommandError(f"{len(report.missing)} tệp của hồ sơ bị thiếu trong kho lưu trữ.")
