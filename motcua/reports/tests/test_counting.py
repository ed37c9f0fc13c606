"""The counting rules on worked examples: what each dossier's history adds to the roll-ups."""

from datetime import date

import pytest

from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance, build_world, intake, vn
from motcua.lib.errors import InvalidInput
from motcua.reports import engine, selectors
from motcua.reports.models import DossierClock
from motcua.reports.tests.conftest import MARCH, supplement, supplied, to_finished

pytestmark = pytest.mark.django_db
S = services.State


def march_totals(world, **filters):
    return selectors.totals(agencies=[world.tree.commune_a], **MARCH, **filters)


def test_each_kind_of_history_counts_where_the_rules_say(world, frozen):
    # Monday 2 March 2026 08:00: one of each ending, all at commune A.
    early = advance(world, S.RETURNED)  # finished at once: early
    advance(world, S.REFUSED)
    advance(world, S.INTAKE_SUPPLEMENT)
    advance(world, S.WITHDRAWN)
    advance(world, S.STOPPED)
    online = advance(world, S.PROCESSING, data=intake(world, channel=2))
    late = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 10, 9, 0))  # past the appointment (Monday 9 March 08:00)
    late = to_finished(world, late)
    online = to_finished(world, online)
    assert (early.timeliness, late.timeliness, online.timeliness) == ("early", "late", "late")
    engine.apply_pending()

    t = march_totals(world)
    assert t["received"] == 5  # returned, withdrawn, stopped, online, late (not refused nor guided)
    assert (t["received_online"], t["received_postal"]) == (1, 0)
    assert (t["refused"], t["guided"], t["withdrawn"], t["stopped"]) == (1, 1, 1, 1)
    assert (t["finished"], t["finished_early"], t["finished_on_time"], t["finished_late"]) == (3, 1, 0, 2)
    assert (t["finished_late_online"], t["returned"]) == (1, 1)
    assert t["rates"]["on_time_rate"] == pytest.approx(1 / 3)
    assert t["rates"]["online_share"] == pytest.approx(1 / 5)
    # Ratings are not built yet: satisfaction is "not yet measured", never 0.
    # Ratings are measured (motcua.feedback is installed), none was given: no satisfaction figure.
    assert t["ratings_measured"] is True and t["rates"]["satisfaction"] is None
    # Every number opens onto exactly the dossiers it counts.
    for metric in (
        "received",
        "refused",
        "guided",
        "withdrawn",
        "stopped",
        "finished",
        "finished_late",
        "returned",
    ):
        behind = selectors.dossiers_behind(metric, agencies=[world.tree.commune_a], **MARCH)
        assert behind.count() == t[metric], metric
    assert set(selectors.dossiers_behind("finished_late", agencies=[world.tree.commune_a], **MARCH)) == {
        late,
        online,
    }
    # The channel filter narrows the numbers and the list alike.
    online_only = march_totals(world, channel=2)
    assert (online_only["received"], online_only["finished_late"]) == (1, 1)
    assert list(
        selectors.dossiers_behind("received", agencies=[world.tree.commune_a], channel=2, **MARCH)
    ) == [online]
    # Outside the viewer's jurisdiction nothing is counted.
    assert selectors.totals(agencies=[world.tree.commune_b], **MARCH)["received"] == 0


def test_a_restarted_clock_is_on_time_by_the_decree_and_late_by_the_national_formula(world, frozen):
    # Received Mon 02/03 08:00, 5 working days: due Mon 09/03 08:00. A supplement asked Wed 04/03
    # 08:00, brought Fri 06/03 08:00 (16 working hours). Decree 61 art. 19(4): the clock restarts,
    # due Fri 13/03 08:00. The national formula pauses: due Wed 11/03 08:00. Finished Thu 12/03 10:00.
    d = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 4, 8, 0))
    d = supplement(world, d)
    frozen.move_to(vn(2026, 3, 6, 8, 0))
    d = supplied(world, d)
    assert d.due_at == vn(2026, 3, 13, 8, 0)
    frozen.move_to(vn(2026, 3, 12, 10, 0))
    d = to_finished(world, d)
    assert d.timeliness == "early"  # a day before the restarted appointment
    engine.apply_pending()

    clock = DossierClock.objects.get(dossier=d)
    assert (clock.national_due_at, clock.national_late) == (vn(2026, 3, 11, 8, 0), True)
    t = march_totals(world)
    assert (t["finished"], t["finished_late"], t["national_late"]) == (1, 0, 1)
    assert t["rates"]["on_time_rate"] == 1.0
    assert t["rates"]["national_on_time_rate"] == 0.0  # both shown where they differ
    assert t["supplement_requested"] == 1 and t["supplement_second"] == 0
    assert list(selectors.dossiers_behind("national_late", agencies=[world.tree.commune_a], **MARCH)) == [d]


def test_under_the_pause_policy_both_formulas_agree(db):
    import time_machine

    world = build_world(policy="pause")
    with time_machine.travel(vn(2026, 3, 2, 8, 0), tick=False) as frozen:
        d = advance(world, S.PROCESSING)
        frozen.move_to(vn(2026, 3, 4, 8, 0))
        d = supplement(world, d)
        frozen.move_to(vn(2026, 3, 6, 8, 0))
        d = supplied(world, d)
        assert d.due_at == vn(2026, 3, 11, 8, 0)  # paused: the 16 working hours waited are added
        frozen.move_to(vn(2026, 3, 10, 10, 0))
        to_finished(world, d)
        engine.apply_pending()
        t = march_totals(world)
    assert (t["finished_early"], t["finished_late"], t["national_late"]) == (1, 0, 0)


def test_a_second_supplement_request_counts_late_by_the_national_formula_only(world, frozen):
    d = advance(world, S.PROCESSING)
    for day in (3, 4):
        frozen.move_to(vn(2026, 3, day, 8, 0))
        d = supplied(world, supplement(world, d))
    frozen.move_to(vn(2026, 3, 5, 9, 0))
    d = to_finished(world, d)
    assert d.timeliness == "early"
    engine.apply_pending()
    t = march_totals(world)
    assert (t["supplement_requested"], t["supplement_second"], t["finished_late"], t["national_late"]) == (
        2,
        1,
        0,
        1,
    )
    # The drill-down of requests lists the dossier once (two requests, one dossier).
    assert (
        selectors.dossiers_behind("supplement_requested", agencies=[world.tree.commune_a], **MARCH).count()
        == 1
    )


def test_events_count_on_their_local_day(world, frozen):
    # 23:30 UTC on Tuesday 3 March is 06:30 on Wednesday 4 March in Hà Nội.
    frozen.move_to(vn(2026, 3, 4, 6, 30))
    advance(world, S.RECEIVED)
    engine.apply_pending()
    assert (
        selectors.totals(agencies=[world.tree.commune_a], start=date(2026, 3, 4), end=date(2026, 3, 4))[
            "received"
        ]
        == 1
    )
    assert (
        selectors.totals(agencies=[world.tree.commune_a], start=date(2026, 3, 3), end=date(2026, 3, 3))[
            "received"
        ]
        == 0
    )


def test_trends_by_month_and_rankings_with_their_volume(world, frozen):
    advance(world, S.RETURNED)
    frozen.move_to(vn(2026, 4, 6, 8, 0))
    advance(world, S.RETURNED)
    advance(world, S.RECEIVED)
    engine.apply_pending()
    months = selectors.by_month(
        agencies=[world.tree.commune_a], start=date(2026, 3, 2), end=date(2026, 4, 30)
    )
    assert [(m["month"], m["received"], m["finished"]) for m in months] == [
        (date(2026, 3, 1), 1, 1),
        (date(2026, 4, 1), 2, 1),
    ]
    ranking = selectors.by_agency(
        agencies=[world.tree.commune_a, world.tree.commune_b], start=date(2026, 3, 1), end=date(2026, 4, 30)
    )
    assert [(r["agency_id"], r["received"], r["finished"]) for r in ranking] == [
        (world.tree.commune_a.pk, 3, 2)
    ]
    low, high = ranking[0]["bands"]["on_time_rate"]
    assert 0.3 < low < 1.0 and high == 1.0  # two dossiers: a wide band


def test_a_period_that_ends_before_it_starts_is_refused_in_vietnamese(world):
    with pytest.raises(InvalidInput) as caught:
        selectors.totals(agencies=[world.tree.commune_a], start=date(2026, 3, 31), end=date(2026, 3, 1))
    assert caught.value.code == "period_reversed"
    assert "ngày kết thúc (01/03/2026) trước ngày bắt đầu (31/03/2026)" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        selectors.dossiers_behind("unknown", agencies=[world.tree.commune_a], **MARCH)
    assert caught.value.code == "metric_unknown"


def test_indicator_counts_name_their_numerators_and_denominators(world, frozen):
    advance(world, S.RETURNED)
    advance(world, S.RECEIVED, data=intake(world, channel=2))
    engine.apply_pending()
    counts = selectors.indicator_counts(agencies=[world.tree.commune_a], **MARCH)
    assert counts["766-3.3"] == {"numerator": 1, "denominator": 2, "rate": 0.5, "metric": "received_online"}
    # 766 2.1 on a running period: one finished early, one open and not yet due.
    assert (counts["766-2.1"]["numerator"], counts["766-2.1"]["denominator"]) == (2, 2)
    assert counts["tt01-1"]["rate"] == 2.0  # early: 2 points
    # 766 5.4 (received − rated unsatisfied − late ÷ received): ratings are measured (motcua.feedback
    # is installed), none unsatisfied, nothing late: every received dossier counts.
    assert (counts["766-5.4"]["numerator"], counts["766-5.4"]["denominator"]) == (2, 2)
