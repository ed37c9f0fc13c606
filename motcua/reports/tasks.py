"""The roll-ups as a task (Django's Tasks API): queued by whoever wants the numbers fresh now
(the scheduler's ``reports-apply`` job does the same every 30 s). Safe to run twice."""

from django.tasks import task

from motcua.reports import engine


@task()
def reports_apply() -> dict[str, int]:
    return engine.apply_pending()
