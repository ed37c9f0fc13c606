"""Statements the ORM builds once per process and runs many times, each time with new times.

Building a query with many conditions can cost Django far more than the database spends running
it: the inbox's counts (nine filtered counts over each dossier's open step) took 15 ms of CPU to
build and compile and under 1 ms to run, on every inbox page. ``KeptStatements.sql`` builds such a
query once per key, with *marks* in place of the times that change from call to call (the time
now, the close of the next working day), finds where each mark landed among the compiled
parameters, and on every later call puts that call's times there.

The key must name everything else the SQL depends on (whose inbox, which scope, which agency): a
statement is kept for the life of the process, up to ``max_items`` keys.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import DateTimeField, QuerySet

# Times no condition of ours names: a second apart from the start of 1970, one per mark.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FIELD = DateTimeField()


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    slots: dict[str, tuple[int, ...]]  # mark → its places among the parameters


class KeptStatements:
    def __init__(self, *, max_items: int = 1024) -> None:
        self.max_items = max_items
        self._kept: dict[Hashable, _Statement | None] = {}

    def sql(
        self, key: Hashable, build: Callable[..., QuerySet[Any, Any]], **times: datetime
    ) -> tuple[str, list[Any]] | None:
        """The SQL and parameters of ``build(**times)``, built once for ``key``; None when the
        query can match nothing (the ORM's ``EmptyResultSet``: no agency to look in)."""
        full_key = (connection.vendor, key)
        if full_key not in self._kept:
            if len(self._kept) >= self.max_items:
                self._kept.clear()
            self._kept[full_key] = self._build(build, list(times))
        statement = self._kept[full_key]
        if statement is None:
            return None
        params = list(statement.params)
        for name, places in statement.slots.items():
            value = _FIELD.get_db_prep_value(times[name], connection)
            for place in places:
                params[place] = value
        return statement.sql, params

    @staticmethod
    def _build(build: Callable[..., QuerySet[Any, Any]], names: list[str]) -> _Statement | None:
        marks = {name: _EPOCH + timedelta(seconds=n + 1) for n, name in enumerate(names)}
        try:
            sql, params = build(**marks).query.sql_with_params()
        except EmptyResultSet:
            return None
        slots: dict[str, tuple[int, ...]] = {}
        for name, mark in marks.items():
            prepared = _FIELD.get_db_prep_value(mark, connection)
            slots[name] = tuple(i for i, p in enumerate(params) if p == prepared)
            if not slots[name]:  # a condition that stopped naming this time: say so, never guess
                raise RuntimeError(f"the statement no longer uses the time {name!r}")
        return _Statement(sql=sql, params=tuple(params), slots=slots)
