"""Load or correct a year's days off from a file in the shape of data/holidays-vn.json."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motcua.lib.errors import DomainError
from motcua.workcalendar.services import calendar_year_load


class Command(BaseCommand):
    help = "Nạp ngày nghỉ, ngày làm bù của một hoặc nhiều năm từ tệp JSON (dạng holidays-vn.json)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="Tệp JSON")
        parser.add_argument("--year", type=int, help="Chỉ nạp một năm (mặc định: mọi năm trong tệp).")

    def handle(self, *args: Any, file: str, year: int | None = None, **options: Any) -> None:
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Không đọc được tệp {file}: {exc}") from None
        years = [year] if year else sorted(int(k) for k in data if str(k).isdigit())
        for y in years:
            try:
                counts = calendar_year_load(data=data, year=y)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            added, changed, kept = counts["added"], counts["changed"], counts["unchanged"]
            self.stdout.write(f"Năm {y}: thêm {added}, sửa {changed}, giữ nguyên {kept} ngày.")
