"""Compare our official schedule of days off with the PyPI package ``holidays`` (VN)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from motcua.workcalendar.selectors import calendar_years, holidays_compare


class Command(BaseCommand):
    help = "Đối chiếu ngày nghỉ, ngày làm bù đã nhập với gói holidays (VN) và in các điểm khác nhau."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--year", type=int, help="Chỉ đối chiếu một năm (mặc định: mọi năm đã nhập).")

    def handle(self, *args: Any, year: int | None = None, **options: Any) -> None:
        years = [year] if year else calendar_years()
        differences = 0
        for y in years:
            result = holidays_compare(year=y)
            if result.agree:
                self.stdout.write(f"Năm {y}: khớp với gói holidays.")
                continue
            self.stdout.write(f"Năm {y}: khác với gói holidays:")
            for day, name in result.off_only_ours:
                self.stdout.write(
                    f"  - {day:%d/%m/%Y}: nghỉ theo lịch chính thức, gói holidays thiếu ({name})"
                )
            for day, name in result.off_only_package:
                self.stdout.write(
                    f"  - {day:%d/%m/%Y}: gói holidays cho nghỉ, lịch chính thức không có ({name})"
                )
            for day in result.make_up_only_ours:
                self.stdout.write(f"  - {day:%d/%m/%Y}: ngày làm bù theo lịch chính thức, gói holidays thiếu")
            for day in result.make_up_only_package:
                self.stdout.write(
                    f"  - {day:%d/%m/%Y}: gói holidays có ngày làm bù, lịch chính thức không có"
                )
            differences += 1
        if differences:
            self.stdout.write(
                "Khi khác nhau, lịch chính thức (theo văn bản của Chính phủ, đã nhập vào hệ thống) được áp "
                "dụng; gói holidays chỉ dùng để đối chiếu. Sửa ngày nghỉ trong trang quản trị nếu cần."
            )
