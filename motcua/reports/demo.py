"""The demo's roll-ups: counted from the demo dossiers' events (and ratings, once the feedback
demo holds some), and today's open dossiers if the working day has closed."""

from typing import Any

from motcua.reports import engine
from motcua.reports.snapshots import take_snapshots


def build_demo_reports(*, stdout: Any = None) -> dict:
    result = engine.rebuild()
    taken = take_snapshots()
    if stdout is not None:
        events = result["last_event_id"]
        stdout.write(f"Số liệu tổng hợp: đến diễn biến #{events}; ảnh chụp cuối ngày: {taken} cơ quan.")
    return result
