"""What changes with the clock alone: open dossiers counted at the close of each working day, a
period judged on its last day; and who held the late dossiers."""

from datetime import date

import pytest

from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance, vn
from motcua.reports import engine, selectors
from motcua.reports.models import OpenSnapshot, SnapshotRun
from motcua.reports.snapshots import take_snapshots
from motcua.reports.tests.conftest import supplement, to_finished

pytestmark = pytest.mark.django_db
S = services.State


def test_open_dossiers_are_counted_at_the_close_of_the_working_day_once(world, frozen):
    late = advance(world, S.PROCESSING)  # due Monday 9 March 08:00
    paused = supplement(world, advance(world, S.PROCESSING))
    frozen.move_to(vn(2026, 3, 9, 16, 59))
    assert take_snapshots() == 0  # before the close (17:00) nothing is taken
    frozen.move_to(vn(2026, 3, 9, 17, 5))
    assert take_snapshots() > 0
    assert take_snapshots() == 0  # once a day
    a = world.tree.commune_a
    snap = OpenSnapshot.objects.get(agency=a, day=date(2026, 3, 9))
    assert (snap.open, snap.open_paused, snap.open_late, snap.open_late_national) == (2, 1, 1, 1)
    frozen.move_to(vn(2026, 3, 14, 10, 0))  # Saturday: not a working day, no snapshot
    assert take_snapshots() == 0
    assert not SnapshotRun.objects.filter(day=date(2026, 3, 14)).exists()

    # The week of 2–13 March is judged on its last snapshot (Monday 9 March's, the only one):
    # 2 open, 1 of them late; nothing finished.
    frozen.move_to(vn(2026, 3, 20, 10, 0))
    to_finished(world, late)
    engine.apply_pending()
    t = selectors.totals(agencies=[a], start=date(2026, 3, 2), end=date(2026, 3, 13))
    assert (t["open"], t["open_late"], t["finished"]) == (2, 1, 0)
    assert t["rates"]["national_on_time_rate"] == 0.5
    behind = selectors.dossiers_behind(
        "open_late", agencies=[a], start=date(2026, 3, 2), end=date(2026, 3, 13)
    )
    assert list(behind) == [late]
    assert set(
        selectors.dossiers_behind("open", agencies=[a], start=date(2026, 3, 2), end=date(2026, 3, 13))
    ) == {
        late,
        paused,
    }
    # A period running today counts the dossiers open now.
    now = selectors.totals(agencies=[a], start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (now["open"], now["open_paused"], now["open_late"], now["finished_late"]) == (1, 1, 0, 1)


def test_who_held_the_late_dossiers(world, frozen):
    d = advance(world, S.PROCESSING)  # the specialist's appraisal step is due Thursday 5 March 08:00
    frozen.move_to(vn(2026, 3, 5, 10, 0))
    d = services.dossier_forward(
        actor=world.specialist, dossier=d, expected_version=d.version, officer=world.leader
    )
    advance(world, S.PROCESSING)  # another, still held by the specialist
    frozen.move_to(vn(2026, 3, 12, 9, 0))
    rows = selectors.late_steps(
        agencies=[world.tree.commune_a], start=date(2026, 3, 1), end=date(2026, 3, 31)
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row["agency_id"], row["officer_id"], row["late_steps"], row["dossiers"]) == (
        world.tree.commune_a.pk,
        world.specialist.pk,
        1,
        1,
    )
    assert row["late_hours"] == 2.0
    assert row["still_late"] == 1
    assert row["officer_name"]
    behind = selectors.late_step_dossiers(
        agencies=[world.tree.commune_a],
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        agency=world.tree.commune_a,
        officer=world.specialist,
    )
    assert list(behind) == [d]
