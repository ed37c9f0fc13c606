from django.core.management.base import BaseCommand

from motcua.reports import engine


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu tổng hợp (roll-up) từ diễn biến hồ sơ và đánh giá."

    def handle(self, *args, **options):
        result = engine.rebuild()
        events, ratings = result["last_event_id"], result["ratings"]
        self.stdout.write(f"Đã tính lại số liệu đến diễn biến #{events}, {ratings} lượt đánh giá.")
