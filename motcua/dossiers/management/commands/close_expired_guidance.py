"""Close the dossiers guided at reception whose applicant never came back (run periodically)."""

from django.core.management.base import BaseCommand

from motcua.dossiers import jobs, services


class Command(BaseCommand):
    help = (
        "Đóng các hồ sơ đã hướng dẫn bổ sung khi tiếp nhận mà người nộp không quay lại bổ sung "
        "sau INTAKE_SUPPLEMENT_EXPIRY_DAYS ngày: hồ sơ kết thúc ở trạng thái không được tiếp "
        "nhận (không bao giờ tính là đã tiếp nhận). Chạy nhiều lần không sao (mỗi hồ sơ chỉ đóng "
        "một lần); nên chạy hằng ngày."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ liệt kê các hồ sơ sẽ bị đóng, không thay đổi gì."
        )

    def handle(self, *args, **options):
        days = services.guidance_expiry_days()
        if options["dry_run"]:
            codes = jobs.expired_guidances()
            self.stdout.write(f"Sẽ đóng {len(codes)} hồ sơ quá {days} ngày chưa bổ sung (chạy thử):")
            for code in codes:
                self.stdout.write(f"  {code}")
            return
        closed = jobs.close_expired_guidances()
        if closed:
            self.stdout.write(f"Đã đóng {len(closed)} hồ sơ quá {days} ngày chưa bổ sung:")
            for code in closed:
                self.stdout.write(f"  {code}")
        else:
            self.stdout.write(f"Không có hồ sơ nào quá {days} ngày chưa bổ sung.")
