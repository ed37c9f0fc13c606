from django.core.management.base import BaseCommand, CommandError

from motcua.audit.models import AuditChain, AuditEvent
from motcua.audit.selectors import audit_verify_chains


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của nhật ký kiểm toán (chuỗi băm)."

    def handle(self, *args, **options):
        problems = audit_verify_chains()
        chains = AuditChain.objects.count()
        events = AuditEvent.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(f"chuỗi {p.chain}, sự kiện {p.seq}: {p.problem}")
            raise CommandError(f"Nhật ký KHÔNG toàn vẹn: {len(problems)} lỗi trong {chains} chuỗi.")
        self.stdout.write(f"Nhật ký toàn vẹn: {events} sự kiện trong {chains} chuỗi.")
