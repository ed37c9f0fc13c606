"""Running work at the same moment from several threads (each with its own database connection),
for the tests of row locks and conditional updates on PostgreSQL."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_together(functions: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException | None]]:
    """Run the functions in threads released at the same moment; return (results, errors)."""
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)
    errors: list[BaseException | None] = [None] * len(functions)

    def run(i: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 — reported to the test
            errors[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors
