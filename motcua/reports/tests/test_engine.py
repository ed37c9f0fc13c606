"""Each event applied once: the incremental path, a task retried midway, events committed out of
order, and the nightly rebuild that must give the same roll-ups."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.forms.models import model_to_dict

from motcua.dossiers import services
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import advance, intake, vn
from motcua.reports import engine, jobs, selectors, tasks
from motcua.reports.models import AgencyDayRollup, DailyRollup, RollupCursor
from motcua.reports.tests.conftest import MARCH, supplement, supplied, to_finished

pytestmark = pytest.mark.django_db
S = services.State


def rollups() -> dict:
    """Both roll-up tables, as comparable rows (zero rows left out)."""
    out = {}
    for model in (DailyRollup, AgencyDayRollup):
        for row in model.objects.all():
            values = model_to_dict(row, exclude=["id"])
            counts = {k: v for k, v in values.items() if k in engine.counters()}
            if any(counts.values()):
                key = tuple(v for k, v in values.items() if k not in counts)
                out[(model.__name__, key)] = counts
    return out


def history(world, frozen, channel: int = 1) -> None:
    """A day's worth of varied dossiers, as officers make them."""
    data = intake(world, channel=channel)
    advance(world, S.RETURNED, data=data)
    advance(world, S.REFUSED)
    advance(world, S.INTAKE_SUPPLEMENT)
    d = advance(world, S.PROCESSING, data=data)
    frozen.shift(timedelta(days=1))
    d = supplied(world, supplement(world, d))
    frozen.shift(timedelta(days=6))
    to_finished(world, d)


def test_a_task_retried_midway_applies_each_event_once_and_equals_the_rebuild(world, frozen):
    history(world, frozen)
    # The first run dies after its increments, before it commits: nothing of it remains.
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            assert engine.apply_events(batch=5) == 5
            assert DailyRollup.objects.exists()
            raise RuntimeError("tiến trình bị dừng trước khi ghi xong")
    assert not DailyRollup.objects.exists()
    assert RollupCursor.objects.filter(name="events", last_id__gt=0).count() == 0
    # Retried: one batch, then more events arrive, then the task runs again — and once more.
    assert engine.apply_events(batch=5) == 5
    frozen.move_to(vn(2026, 3, 16, 8, 0))
    history(world, frozen, channel=2)
    tasks.reports_apply.call()
    assert jobs.reports_apply() == {"events": 0, "ratings": 0}  # a duplicate run changes nothing
    incremental = rollups()
    t = selectors.totals(agencies=[world.tree.commune_a], **MARCH)
    assert (t["received"], t["refused"], t["guided"], t["finished"], t["supplement_requested"]) == (
        4,
        2,
        2,
        4,
        2,
    )

    engine.rebuild()
    assert rollups() == incremental
    assert engine.apply_events() == 0  # the rebuild moved the cursor: nothing is applied twice
    assert rollups() == incremental


def test_an_event_committed_after_a_later_one_is_still_applied(world, frozen):
    first = advance(world, S.RECEIVED)
    refused = advance(world, S.REFUSED)
    # The refusal's transaction took its id first but commits after the next event's: when the
    # roll-up runs, its row is not visible yet.
    event = DossierEvent.objects.get(dossier=refused)
    saved = model_to_dict(event)
    event.delete()
    frozen.shift(timedelta(minutes=1))
    services.dossier_forward(
        actor=world.receptionist, dossier=first, expected_version=first.version, officer=world.specialist
    )
    advance(world, S.RECEIVED)
    engine.apply_pending()
    assert [gap[0] for gap in RollupCursor.objects.get(name="events").gaps] == [saved["id"]]
    assert selectors.totals(agencies=[world.tree.commune_a], **MARCH)["refused"] == 0
    # It commits: the next run counts it, once.
    DossierEvent.objects.create(
        id=saved["id"],
        dossier_id=saved["dossier"],
        kind=saved["kind"],
        action=saved["action"],
        state=saved["state"],
        status_code=saved["status_code"],
        at=saved["at"],
        agency_id=saved["agency"],
    )
    engine.apply_pending()
    engine.apply_pending()
    assert RollupCursor.objects.get(name="events").gaps == []
    t = selectors.totals(agencies=[world.tree.commune_a], **MARCH)
    assert (t["received"], t["refused"]) == (2, 1)
    before = rollups()
    engine.rebuild()
    assert rollups() == before


def test_an_id_never_committed_is_forgotten_after_the_gap_time(world, frozen, settings):
    advance(world, S.RECEIVED)
    refused = advance(world, S.REFUSED)
    advance(world, S.RECEIVED)
    DossierEvent.objects.filter(dossier=refused).delete()  # rolled back: the id stays unused
    engine.apply_pending()
    assert len(RollupCursor.objects.get(name="events").gaps) == 1
    frozen.shift(timedelta(seconds=settings.REPORTS_GAP_TTL_SECONDS + 1))
    engine.apply_pending()
    assert RollupCursor.objects.get(name="events").gaps == []


def test_the_rebuild_command_and_the_nightly_job(world, frozen):
    from io import StringIO

    from django.core.management import call_command

    advance(world, S.RETURNED)
    out = StringIO()
    call_command("reports_rebuild", stdout=out)
    assert "Đã tính lại số liệu" in out.getvalue()
    assert selectors.totals(agencies=[world.tree.commune_a], **MARCH)["returned"] == 1
    frozen.move_to(vn(2026, 3, 3, 2, 0))  # 02:00: the night's rebuild runs once
    assert jobs.reports_rebuild_nightly() is not None
    assert jobs.reports_rebuild_nightly() is None
    frozen.move_to(vn(2026, 3, 3, 9, 0))  # not by day
    assert jobs.reports_rebuild_nightly() is None


def test_the_demo_counts_its_dossiers(world, frozen):
    from io import StringIO

    from motcua.reports.demo import build_demo_reports

    advance(world, S.RETURNED)
    out = StringIO()
    build_demo_reports(stdout=out)
    assert "Số liệu tổng hợp" in out.getvalue()
    assert selectors.totals(agencies=[world.tree.commune_a], **MARCH)["returned"] == 1
