from django.core.management.base import BaseCommand, CommandError

from motcua.audit.services import AuditIntegrityError, audit_checkpoint_write


class Command(BaseCommand):
    help = (
        "Ký đầu của mọi chuỗi nhật ký kiểm toán vào một điểm neo ngoài cơ sở dữ liệu "
        "(AUDIT_CHECKPOINT_DIR). Chạy định kỳ (mỗi giờ); từ chối ký khi nhật ký không khớp điểm neo trước."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--acknowledge",
            metavar="LÝ DO",
            default="",
            help=(
                "Vẫn ký khi có lỗi (ví dụ sau khi khôi phục cơ sở dữ liệu từ bản sao lưu cũ): "
                "lý do và các lỗi được ghi vào điểm neo."
            ),
        )

    def handle(self, *args, **options):
        try:
            written = audit_checkpoint_write(acknowledge=options["acknowledge"])
        except AuditIntegrityError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Không ký điểm neo: nhật ký KHÔNG toàn vẹn ({len(exc.problems)} lỗi). "
                "Điều tra trước; chỉ dùng --acknowledge khi đã biết nguyên nhân."
            ) from exc
        for problem in written.acknowledged:
            self.stderr.write(f"đã chấp nhận: {problem}")
        self.stdout.write(
            f"Đã ký điểm neo {written.name}: {written.chains} chuỗi "
            f"({written.events} sự kiện mới được kiểm tra)."
        )
