"""Close the dossiers guided at reception whose applicant never came back (run periodically)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierPause


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
        # Candidates: guided before the cut-off and still waiting. Each is checked again under
        # its row lock by the service (received or closed meanwhile: left alone).
        cutoff = timezone.now() - timedelta(days=days)
        codes = list(
            Dossier.objects.filter(
                state=Dossier.State.INTAKE_SUPPLEMENT,
                pauses__reason=DossierPause.Reason.SUPPLEMENT,
                pauses__ended_at__isnull=True,
                pauses__started_at__lte=cutoff,
            )
            .order_by("pk")
            .values_list("code", flat=True)
            .distinct()
        )
        if options["dry_run"]:
            self.stdout.write(f"Sẽ đóng {len(codes)} hồ sơ quá {days} ngày chưa bổ sung (chạy thử):")
            for code in codes:
                self.stdout.write(f"  {code}")
            return
        closed = [code for code in codes if services.dossier_close_guidance(dossier=code) is not None]
        if closed:
            self.stdout.write(f"Đã đóng {len(closed)} hồ sơ quá {days} ngày chưa bổ sung:")
            for code in closed:
                self.stdout.write(f"  {code}")
        else:
            self.stdout.write(f"Không có hồ sơ nào quá {days} ngày chưa bổ sung.")
