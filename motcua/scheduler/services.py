"""Running periodic jobs (settings SCHEDULER_JOBS): each due job runs once per interval, in one
scheduler process only, however many run.

A job is taken by a conditional UPDATE of its lease row — ``next_run_at`` due and no live hold —
that only one process can win; the winner runs it and sets the next run. A process that dies
while running a job loses its hold after SCHEDULER_LEASE_SECONDS, and another runs it then.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from motcua.scheduler.models import JobLease

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    path: str
    every: timedelta
    func: Callable[[], Any]


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def registered_jobs() -> list[Job]:
    """The jobs of SCHEDULER_JOBS whose function imports; the others are skipped with a warning
    (an app that registered its line before its code landed)."""
    jobs = []
    entries: list[dict[str, Any]] = settings.SCHEDULER_JOBS
    for entry in entries:
        name, path, every = str(entry["name"]), str(entry["path"]), int(entry["every"])
        try:
            func = import_string(path)
        except ImportError as exc:
            logger.warning("scheduler: job %s skipped, %s does not import (%s)", name, path, exc)
            continue
        jobs.append(Job(name=name, path=path, every=timedelta(seconds=every), func=func))
    return jobs


def take(job: Job, *, now: datetime, owner: str) -> bool:
    """Whether this process won ``job``'s due run (and now holds it)."""
    JobLease.objects.bulk_create([JobLease(name=job.name, next_run_at=now)], ignore_conflicts=True)
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    won = JobLease.objects.filter(free, name=job.name, next_run_at__lte=now).update(
        locked_by=owner,
        locked_until=now + timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS),
        last_started_at=now,
    )
    return won == 1


def run_job(job: Job, *, now: datetime, owner: str) -> tuple[str, Any]:
    """Run ``job`` if it is due and no other process holds it: ("ran", result), ("failed",
    error) or ("not due", None)."""
    if not take(job, now=now, owner=owner):
        return "not due", None
    outcome: tuple[str, Any]
    try:
        result = job.func()
        outcome = ("ran", result)
        error = ""
    except Exception as exc:  # one failing job must not stop the others
        logger.exception("scheduler: job %s failed", job.name)
        outcome = ("failed", str(exc))
        error = f"{type(exc).__name__}: {exc}"
    JobLease.objects.filter(name=job.name, locked_by=owner).update(
        next_run_at=now + job.every,
        locked_by="",
        locked_until=None,
        last_finished_at=timezone.now(),
        last_result="" if error else repr(outcome[1])[:2000],
        last_error=error,
    )
    return outcome


def run_due(*, now: datetime | None = None, owner: str | None = None) -> dict[str, tuple[str, Any]]:
    """Run every due job once; what happened to each, by name."""
    owner = owner or process_name()
    return {job.name: run_job(job, now=now or timezone.now(), owner=owner) for job in registered_jobs()}


def next_due(now: datetime | None = None) -> datetime | None:
    names = [entry["name"] for entry in settings.SCHEDULER_JOBS]
    return (
        JobLease.objects.filter(name__in=names)
        .order_by("next_run_at")
        .values_list("next_run_at", flat=True)
        .first()
    )
