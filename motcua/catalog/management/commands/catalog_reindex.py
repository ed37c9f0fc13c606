from django.core.management.base import BaseCommand

from motcua.catalog.services import search_index_rebuild


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm thủ tục (sau khi nạp dữ liệu hàng loạt không qua dịch vụ)."

    def handle(self, *args, **options):
        count = search_index_rebuild()
        self.stdout.write(f"Đã dựng lại chỉ mục: {count} từ khóa.")
