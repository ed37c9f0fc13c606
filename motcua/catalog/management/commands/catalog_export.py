from django.core.management.base import BaseCommand

from motcua.catalog.importing import export_xlsx


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục ra tệp XLSX (nhập lại được bằng catalog_import)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx sẽ ghi")

    def handle(self, *args, file, **options):
        count = export_xlsx(file)
        self.stdout.write(f"Đã xuất {count} thủ tục ra {file}.")
