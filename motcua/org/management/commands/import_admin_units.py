from django.core.management.base import BaseCommand, CommandError

from motcua.lib.errors import DomainError
from motcua.org.services import ADMIN_UNIT_SCHEMES, admin_units_import

_LEVELS = {"province": "tỉnh/thành phố", "district": "huyện/quận/thị xã", "commune": "xã/phường/đặc khu"}
_SCHEMES = {"2025": "hai cấp, từ 01/7/2025", "legacy": "ba cấp, trước 01/7/2025"}


class Command(BaseCommand):
    help = (
        "Nhập đơn vị hành chính (mã và tên chính thức) từ gói vietnam-provinces: mô hình hai cấp "
        "từ 01/7/2025 (tỉnh → xã) và/hoặc ba cấp trước đó (tỉnh → huyện → xã). Chạy lại an toàn."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scheme",
            choices=ADMIN_UNIT_SCHEMES,
            default="2025",
            help="2025 (mặc định), legacy hoặc all.",
        )
        parser.add_argument("--province", metavar="CODE", help="Chỉ nhập một tỉnh/thành phố (mã, ví dụ 08).")

    def handle(self, *args, scheme, province, **options):
        try:
            report = admin_units_import(scheme=scheme, province=province)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for one, per_level in report.counts.items():
            self.stdout.write(f"Mô hình {one} ({_SCHEMES[one]}):")
            for level, counts in per_level.items():
                self.stdout.write(
                    f"  {_LEVELS[level]}: {counts.total} — tạo mới {counts.created}, "
                    f"cập nhật {counts.updated}, không đổi {counts.unchanged}"
                )
        self.stdout.write(self.style.SUCCESS(f"Xong: tạo mới {report.created}, cập nhật {report.updated}."))
