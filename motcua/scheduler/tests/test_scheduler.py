"""manage.py scheduler: each due job once per interval, in one process only; a job whose code
has not landed is skipped with a warning."""

import logging
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from motcua.scheduler import services
from motcua.scheduler.models import JobLease

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
CALLS: list[str] = []


def count_call() -> str:
    CALLS.append("ran")
    return "ok"


def fail() -> None:
    raise RuntimeError("hỏng")


@pytest.fixture
def jobs(settings):
    CALLS.clear()
    settings.SCHEDULER_JOBS = [
        {"name": "count", "path": "motcua.scheduler.tests.test_scheduler.count_call", "every": 60},
        {"name": "broken", "path": "motcua.scheduler.tests.test_scheduler.fail", "every": 60},
        {"name": "not-yet", "path": "motcua.portal.services.no_such_function", "every": 60},
    ]


def test_once_runs_each_due_job_and_skips_one_that_does_not_import(jobs, caplog):
    out = StringIO()
    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.WARNING, logger="motcua.scheduler"):
        call_command("scheduler", "--once", stdout=out)
    assert CALLS == ["ran"]
    assert "count: ran 'ok'" in out.getvalue() and "broken: failed 'hỏng'" in out.getvalue()
    assert "job not-yet skipped" in caplog.text
    count = JobLease.objects.get(name="count")
    assert (count.next_run_at, count.locked_by, count.last_result) == (
        NOW + timedelta(seconds=60),
        "",
        "'ok'",
    )
    assert JobLease.objects.get(name="broken").last_error == "RuntimeError: hỏng"
    assert not JobLease.objects.filter(name="not-yet").exists()


def test_a_job_runs_once_per_interval_however_many_schedulers_run(jobs):
    with time_machine.travel(NOW, tick=False) as clock:
        assert services.run_due(owner="may-1:10")["count"] == ("ran", "ok")
        assert services.run_due(owner="may-2:20")["count"] == ("not due", None)
        clock.move_to(NOW + timedelta(seconds=59))
        assert services.run_due(owner="may-2:20")["count"] == ("not due", None)
        clock.move_to(NOW + timedelta(seconds=60))
        assert services.run_due(owner="may-2:20")["count"] == ("ran", "ok")
    assert CALLS == ["ran", "ran"]


def test_a_job_held_by_another_scheduler_is_not_run_until_its_lease_ends(jobs, settings):
    [job] = [j for j in services.registered_jobs() if j.name == "count"]
    with time_machine.travel(NOW, tick=False) as clock:
        assert services.take(job, now=NOW, owner="may-1:10") is True  # may-1 runs it and dies
        assert services.take(job, now=NOW, owner="may-2:20") is False
        later = NOW + timedelta(seconds=settings.SCHEDULER_LEASE_SECONDS + 1)
        clock.move_to(later)
        assert services.run_job(job, now=later, owner="may-2:20") == ("ran", "ok")
    assert JobLease.objects.get(name="count").next_run_at == later + timedelta(seconds=60)


def test_the_settings_register_the_outbox_reminders_and_drafts_jobs(settings):
    names = {entry["name"]: entry["path"] for entry in settings.SCHEDULER_JOBS}
    assert (
        names.items()
        >= {
            "outbox-sweep": "motcua.notifications.jobs.outbox_sweep",
            "due-reminders": "motcua.dossiers.reminders.send_due_tomorrow_reminders",
            "expired-drafts": "motcua.portal.services.drafts_expire",
        }.items()
    )


def test_every_registered_job_imports_and_runs_once_on_an_empty_database(db):
    # A path that does not import would only be skipped with a warning at run time: catch it here.
    from django.conf import settings as live

    from motcua.scheduler.services import registered_jobs

    jobs = registered_jobs()
    assert [job.name for job in jobs] == [entry["name"] for entry in live.SCHEDULER_JOBS]
    assert {job.name for job in jobs} >= {"expired-guidances", "phone-codes-purge"}
    for job in jobs:
        job.func()  # nothing to do, and nothing fails
