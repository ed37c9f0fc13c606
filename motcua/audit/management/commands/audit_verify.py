from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.audit.selectors import audit_verify_log

# audit_checkpoint runs every hour: a latest checkpoint older than this means it stopped.
STALE = timedelta(days=1)


class Command(BaseCommand):
    help = (
        "Kiểm tra tính toàn vẹn của nhật ký kiểm toán: tính lại mã HMAC của mọi chuỗi và so với "
        "điểm neo mới nhất (audit_checkpoint). Thoát với mã khác 0 khi có lỗi."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all-checkpoints",
            action="store_true",
            help="So với mọi điểm neo đã lưu, không chỉ điểm neo mới nhất.",
        )

    def handle(self, *args, **options):
        result = audit_verify_log(every_checkpoint=options["all_checkpoints"])
        checkpoint = result.checkpoint
        if checkpoint is None:
            self.stderr.write(
                "Cảnh báo: chưa có điểm neo nào (manage.py audit_checkpoint): không phát hiện được "
                "chuỗi bị xóa, bị cắt hoặc bị quay lui về một đầu chuỗi cũ."
            )
        else:
            at = timezone.localtime(checkpoint.created_at)
            self.stdout.write(
                f"So với điểm neo {checkpoint.name} "
                f"(lúc {at:%d/%m/%Y %H:%M}, {len(checkpoint.chains)} chuỗi)."
            )
            if timezone.now() - checkpoint.created_at > STALE:
                self.stderr.write(
                    f"Cảnh báo: điểm neo mới nhất đã có từ {at:%d/%m/%Y %H:%M}: audit_checkpoint không "
                    "còn chạy định kỳ? Những gì ghi sau đó chưa được neo."
                )
        chains = len(result.ends)
        if result.problems:
            for problem in result.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nhật ký KHÔNG toàn vẹn: {len(result.problems)} lỗi trong {chains} chuỗi.")
        self.stdout.write(f"Nhật ký toàn vẹn: {result.events} sự kiện trong {chains} chuỗi.")
