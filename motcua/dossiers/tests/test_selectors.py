"""Reading dossiers: jurisdiction, audited personal-data views, actions on offer, inbox, counter, tracking."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.audit.models import AuditEvent
from motcua.dossiers import selectors, services, tracking
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance, vn
from motcua.lib.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db
S = services.State


def test_staff_see_a_dossier_of_their_agencies_and_the_view_is_audited(world, frozen):
    d = advance(world, S.PROCESSING)
    seen = selectors.dossier_for_staff(world.specialist, d.code.lower())
    assert seen.pk == d.pk
    view = AuditEvent.objects.filter(action="personal_data.view").get()
    assert (view.actor, view.object_id, view.chain) == (world.specialist, str(d.pk), "000.00.31.H99")
    assert selectors.dossier_for_staff(world.supervisor, d.code).pk == d.pk  # supervisors read
    assert selectors.dossier_by_uid_for_staff(world.leader, str(d.uid)).pk == d.pk


def test_unknown_codes_and_other_communes_dossiers_are_not_found_alike(world, frozen):
    d = advance(world, S.PROCESSING)
    with pytest.raises(NotFound) as unknown:
        selectors.dossier_for_staff(world.specialist, "000.01.31.H99-260302-9999")
    with pytest.raises(NotFound) as outside:
        selectors.dossier_for_staff(world.outsider, d.code, ip="192.0.2.7")
    assert (outside.value.code, outside.value.message) == (unknown.value.code, unknown.value.message)
    assert outside.value.details == {"code": d.code}
    with pytest.raises(NotFound):
        selectors.dossier_by_uid_for_staff(world.outsider, str(d.uid))
    with pytest.raises(NotFound):
        selectors.dossier_by_uid_for_staff(world.specialist, "not-a-uuid")
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    # The refused attempts stay visible to the oversight, on the dossier's chain.
    refused = list(AuditEvent.objects.filter(action="personal_data.refused").order_by("pk"))
    assert [(e.actor, e.object_id, e.chain, e.extra) for e in refused] == [
        (world.outsider, str(d.pk), "000.00.31.H99", {"code": d.code}),
    ] * 2
    assert refused[0].ip_address == "192.0.2.7"


def test_an_agency_that_held_the_dossier_keeps_seeing_it(world, frozen):
    d = advance(world, S.PROCESSING)
    d = services.dossier_forward(
        actor=world.specialist, dossier=d, expected_version=d.version, to_agency="000.00.11.H99"
    )
    d = services.dossier_forward(actor=world.dept_specialist, dossier=d, expected_version=d.version)
    assert selectors.dossier_for_staff(world.dept_specialist, d.code).pk == d.pk


def test_the_jurisdiction_of_an_action_is_that_of_reading_the_dossier(world, frozen, django_user_model):
    at_commune = advance(world, S.PROCESSING)
    passed_by = advance(world, S.PROCESSING)  # through the department and back: a step there
    passed_by = services.dossier_forward(
        actor=world.specialist,
        dossier=passed_by,
        expected_version=passed_by.version,
        to_agency="000.00.11.H99",
    )
    passed_by = services.dossier_forward(
        actor=world.dept_specialist, dossier=passed_by, expected_version=passed_by.version
    )
    root = django_user_model.objects.create_superuser("sieu_quan_tri", password="x-" * 10)
    users = [
        world.receptionist,
        world.specialist,
        world.leader,
        world.supervisor,
        world.outsider,
        world.dept_specialist,
        world.citizen,
        root,
    ]
    answers = []
    for dossier, user in [(d, u) for d in (at_commune, passed_by) for u in users]:
        expected = Dossier.objects.filter(pk=dossier.pk).filter(selectors._visible_q(user)).exists()
        try:
            found = selectors.dossier_code_for_staff(user, f" {dossier.code.lower()} ")
        except NotFound as exc:
            assert (exc.code, exc.details) == ("dossier_not_found", {"code": dossier.code})
            found = None
        assert (found == dossier.code) == expected, (dossier.code, user)
        assert found in (dossier.code, None)
        answers.append(expected)
    # The outsider and the citizen, twice; the department, which never had the first dossier.
    assert answers.count(False) == 5
    assert answers[len(users) + users.index(world.dept_specialist)]  # the department's step
    refused = AuditEvent.objects.filter(action="personal_data.refused")
    assert refused.count() == 5
    assert not AuditEvent.objects.filter(action="personal_data.view").exists()
    with pytest.raises(NotFound):
        selectors.dossier_code_for_staff(world.specialist, "000.01.31.H99-260302-9999")
    assert refused.count() == 5  # an unknown code is not an attempt on a dossier


def _names(actions):
    return [a.name for a in actions]


def test_each_user_is_offered_only_what_they_may_do_now(world, frozen):
    d = advance(world, S.RECEIVED)
    # The reception step is the receptionist's: forward it, or ask for a supplement from it.
    assert _names(selectors.dossier_available_actions(world.receptionist, d)) == [
        "request-supplement",
        "forward",
        "withdraw",
    ]
    assert selectors.dossier_available_actions(world.supervisor, d) == []
    assert selectors.dossier_available_actions(world.outsider, d) == []
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert _names(selectors.dossier_available_actions(world.specialist, d)) == [
        "request-supplement",
        "forward",
        "send-back",
    ]
    # The leader does not hold the specialist's step (only the holder acts on it): he assigns it,
    # and keeps his own decisions; approval waits for the approval step.
    assert _names(selectors.dossier_available_actions(world.leader, d)) == [
        "assign",
        "stop",
        "withdraw",
        "extend",
    ]
    submitted = advance(world, S.SUBMITTED)
    assert _names(selectors.dossier_available_actions(world.receptionist, submitted)) == [
        "receive",
        "refuse",
        "request-supplement",
        "withdraw",
    ]
    finished = advance(world, S.FINISHED)
    assert _names(selectors.dossier_available_actions(world.receptionist, finished)) == ["return-result"]


def test_every_offered_action_is_accepted_by_its_service(world, frozen):
    d = advance(world, S.APPROVED)
    offered = {a.name: a for a in selectors.dossier_available_actions(world.receptionist, d)}
    # The counter holds the step after approval ("Trả kết quả"): it finishes the result (and may
    # ask for the fee payable on collection, on the payments page).
    assert set(offered) == {"finish", "withdraw"}
    d = offered["finish"].service(actor=world.receptionist, dossier=d, expected_version=d.version)
    assert d.state == S.FINISHED
    reason = {"reason": "Công dân xin rút"}
    d2 = advance(world, S.APPROVED)
    d2 = offered["withdraw"].service(
        actor=world.receptionist, dossier=d2, expected_version=d2.version, **reason
    )
    assert d2.state == S.WITHDRAWN


def test_the_inbox_buckets_and_counts_agree(world, frozen):
    late = advance(world, S.PROCESSING)  # due Monday 9 March 08:00
    frozen.move_to(vn(2026, 3, 6, 9, 0))  # Friday: due by the next working day's close
    soon = late
    supplement = advance(world, S.SUPPLEMENT)
    fresh = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 9, 9, 0))  # Monday 09:00: the first one is late now
    counts = selectors.inbox_counts(world.leader, scope="agency")
    assert counts == {
        "all": 3,
        "to_assign": 0,
        "to_process": 2,  # the specialist's appraisal (the action each waits for)
        "to_approve": 0,
        "to_finish": 0,
        "supplement": 1,
        "payment": 0,
        "due_soon": 0,
        "late": 1,
    }
    assert list(selectors.dossiers_inbox(world.leader, scope="agency", bucket="late")) == [late]
    assert list(selectors.dossiers_inbox(world.leader, scope="agency", bucket="supplement")) == [supplement]
    frozen.move_to(vn(2026, 3, 6, 9, 0))
    assert list(selectors.dossiers_inbox(world.leader, scope="agency", bucket="due_soon")) == [soon]
    # Ties on due time: the newest first.
    assert list(selectors.dossiers_inbox(world.specialist, scope="mine", sort="-due_at")) == [
        fresh,
        supplement,
        soon,
    ]
    assert list(selectors.dossiers_inbox(world.specialist, scope="mine", q=fresh.code[-4:])) == []
    assert list(selectors.dossiers_inbox(world.specialist, scope="mine", q=fresh.code)) == [fresh]
    assert selectors.inbox_counts(world.outsider)["all"] == 0
    with pytest.raises(Forbidden):
        selectors.dossiers_inbox(world.outsider, scope="agency", agency="000.00.31.H99")
    assert (
        selectors.dossiers_inbox(world.supervisor, scope="agency", agency=world.tree.commune_a).count() == 3
    )


def test_the_inbox_page_costs_the_same_queries_whatever_its_size(world, frozen):
    advance(world, S.PROCESSING)

    def page():
        with CaptureQueriesContext(connection) as ctx:
            rows = list(selectors.dossiers_inbox(world.leader, scope="agency")[:20])
            labels = [(r.procedure.name, r.holder_agency.name, r.holder and r.holder.full_name) for r in rows]
            assert labels
            selectors.inbox_counts(world.leader)
        return len(ctx.captured_queries)

    one = page()
    for _ in range(3):
        advance(world, S.PROCESSING)
    assert page() == one == 2


def test_the_counter_sees_its_day(world, frozen):
    received = advance(world, S.RECEIVED)
    finished = advance(world, S.FINISHED)
    today = selectors.counter_today(world.receptionist)
    assert set(today["received_today"]) == {received, finished}
    assert list(today["waiting_collection"]) == [finished]
    assert list(today["due_today"]) == []
    frozen.move_to(vn(2026, 3, 9, 7, 0))
    assert list(selectors.counter_today(world.receptionist)["due_today"]) == [received]
    assert list(selectors.counter_today(world.receptionist)["received_today"]) == []
    with pytest.raises(Forbidden):
        selectors.counter_today(world.outsider, agency="000.01.31.H99")


def test_tracking_needs_the_right_pin_and_says_nothing_else(world, frozen):
    d = advance(world, S.RECEIVED)
    assert tracking.find(d.code, d.pin.lower())["code"] == d.code
    assert tracking.find(d.code, "AAAAAA" if d.pin != "AAAAAA" else "BBBBBB") is None
    assert tracking.find("000.01.31.H99-260302-9999", d.pin) is None
    assert tracking.find("", "") is None


def test_timeline_and_steps_are_in_order(world, frozen):
    d = advance(world, S.RETURNED)
    services.dossier_add_comment(actor=world.receptionist, dossier=d, body="Công dân hài lòng")
    timeline = selectors.dossier_timeline(d)
    assert [e.action for e in timeline] == [
        "receive",
        "forward",
        "forward",
        "approve",
        "finish",
        "return-result",
        "comment",
    ]
    assert [s.seq for s in selectors.dossier_steps(d)] == [1, 2, 3, 4]
