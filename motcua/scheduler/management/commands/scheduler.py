"""manage.py scheduler: run the periodic jobs of SCHEDULER_JOBS (outbox retries, reminders,
expired drafts, …) as they fall due; ``--once`` runs each due job once and exits (tests, cron).

Any number of these may run (one per machine, say): each due job runs in one of them only."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from motcua.scheduler import services


class Command(BaseCommand):
    help = "Chạy các việc định kỳ (gửi lại thông báo, nhắc hạn, dọn bản nháp quá hạn)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Chạy mỗi việc đến hạn một lần rồi dừng.")
        parser.add_argument(
            "--interval", type=float, default=None, help="Số giây tối đa giữa hai lần kiểm tra (mặc định 5)."
        )

    def handle(self, *args, once=False, interval=None, **options):
        interval = interval or settings.SCHEDULER_POLL_SECONDS
        stop = threading.Event()
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
        owner = services.process_name()
        while not stop.is_set():
            for name, (what, result) in services.run_due(owner=owner).items():
                if what != "not due":
                    self.stdout.write(f"{timezone.now():%Y-%m-%d %H:%M:%S} {name}: {what} {result!r}")
            if once:
                break
            soonest = services.next_due()
            wait = interval if soonest is None else (soonest - timezone.now()).total_seconds()
            stop.wait(min(max(wait, 0.1), interval))
