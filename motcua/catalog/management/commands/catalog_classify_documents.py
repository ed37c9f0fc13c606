from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.channels import documents_classify
from motcua.catalog.models import Procedure
from motcua.lib.errors import DomainError


class Command(BaseCommand):
    help = (
        "Phân loại thành phần hồ sơ theo văn bản công bố: hình thức nộp áp dụng (mẫu điện tử tương tác "
        "chỉ trực tuyến, tờ khai giấy khi nộp trực tiếp hoặc bưu chính, giấy tờ tùy thân “khi làm thủ tục "
        "trực tiếp”) và các giấy tờ thay thế nhau. Giữ nguyên phân loại thủ công. In báo cáo từng thành "
        "phần đã phân loại và cách phân loại."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Mã thủ tục (mặc định: cả danh mục)")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ báo cáo, không lưu.")
        parser.add_argument("--output", help="Ghi báo cáo vào tệp này (UTF-8).")

    def handle(self, *args, codes, dry_run, output, **options):
        procedures = Procedure.objects.order_by("code").prefetch_related("documents")
        if codes:
            procedures = procedures.filter(code__in=codes)
            unknown = sorted(set(codes) - set(procedures.values_list("code", flat=True)))
            if unknown:
                raise CommandError(f"Không có thủ tục mã {', '.join(unknown)}.")
        try:
            report = documents_classify(procedures=procedures, dry_run=dry_run)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        text = report.text()
        if dry_run:
            text = "(Chạy thử, không lưu) " + text
        elif report.changed:
            text += f"Đã cập nhật {len(report.changed)} thủ tục: {', '.join(report.changed)}.\n"
        self.stdout.write(text, ending="")
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Đã ghi báo cáo vào {output}.")
