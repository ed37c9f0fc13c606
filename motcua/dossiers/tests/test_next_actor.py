"""No state without a page (issue 9, item 5): one dossier in every internal state, and exactly
the page of whoever acts next lists it — in the back office ("Của tôi", in the bucket named for
the action it waits for, with its lateness) or at the counter (waiting for the citizen, or for
the result to be collected) — and nobody else's to-do bucket does.

Built on Monday 2 March 2026 at 08:00 (appointment Monday 9 March 08:00) and looked at on
Tuesday 10 March at 10:00: the dossiers whose clock runs are 10 working hours late, "Quá hạn 1
ngày làm việc"."""

import pytest
from django.test import Client

from motcua.dossiers import selectors, services
from motcua.dossiers.tests.conftest import advance, vn
from motcua.org.models import Membership
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db
S = services.State
TODO = selectors.TODO_BUCKETS
LOOKED_AT = vn(2026, 3, 10, 10, 0)
LATE = "Quá hạn 1 ngày làm việc"


def _forward(actor, d, **kw):
    return services.dossier_forward(actor=actor, dossier=d, expected_version=d.version, **kw)


def build_every_state(world) -> dict[str, object]:
    """One dossier per case, each through the services as its holder would."""
    r, sp, ld = world.receptionist, world.specialist, world.leader
    unassigned = _forward(r, advance(world, S.RECEIVED))  # no officer chosen: waits for a leader
    at_approval = _forward(sp, advance(world, S.PROCESSING))  # no leader chosen
    approval_assigned = _forward(sp, advance(world, S.PROCESSING), officer=ld)
    inter_agency = _forward(sp, advance(world, S.PROCESSING), to_agency="000.00.11.H99")
    return {
        "submitted": advance(world, S.SUBMITTED),
        "intake_supplement": advance(world, S.INTAKE_SUPPLEMENT),
        "refused": advance(world, S.REFUSED),
        "received": advance(world, S.RECEIVED),
        "processing_unassigned": unassigned,
        "processing": advance(world, S.PROCESSING),
        "at_approval": at_approval,
        "at_approval_assigned": approval_assigned,
        "inter_agency": inter_agency,
        "supplement": advance(world, S.SUPPLEMENT),
        "payment": advance(world, S.PAYMENT),
        "approved": advance(world, S.APPROVED),
        "withdrawn": advance(world, S.WITHDRAWN),
        "stopped": advance(world, S.STOPPED),
        "finished": advance(world, S.FINISHED),
        "returned": advance(world, S.RETURNED),
    }


# case -> (whose back-office page lists it, in which to-do bucket); None: no back-office to-do.
EXPECTED_TODO = {
    "submitted": None,
    "intake_supplement": None,
    "refused": None,
    "received": ({"receptionist"}, "to_process"),  # the counter's step: forward it
    "processing_unassigned": ({"leader", "director"}, "to_assign"),
    "processing": ({"specialist"}, "to_process"),
    "at_approval": ({"leader", "director"}, "to_approve"),
    "at_approval_assigned": ({"leader"}, "to_approve"),
    "inter_agency": ({"dept_leader"}, "to_assign"),
    "supplement": None,
    "payment": None,
    "approved": ({"receptionist"}, "to_finish"),  # "Trả kết quả" step: the counter finishes
    "withdrawn": None,
    "stopped": None,
    "finished": None,
    "returned": None,
}
# Where the citizen acts (status 1, 5, 6): the counter's "waiting for the citizen".
# A dossier submitted online waits for the counter (its online inbox), not for the citizen.
WAITING_CITIZEN = {"intake_supplement", "supplement", "payment"}
# The follow-up buckets on the page of the officer who asked (not a to-do).
FOLLOW_UP = {"supplement": ({"specialist"}, "supplement"), "payment": ({"specialist"}, "payment")}
CLOCK_RUNNING = {"received", "processing_unassigned", "processing", "at_approval", "at_approval_assigned"}


@pytest.fixture
def everyone(world):
    return {
        "receptionist": world.receptionist,
        "specialist": world.specialist,
        "specialist2": world.specialist2,
        "leader": world.leader,
        "director": make_staff(
            "gd_xa_a", world.tree.commune_a, Membership.Role.DIRECTOR, full_name="Lò Văn Đốc"
        ),
        "supervisor": world.supervisor,
        "outsider": world.outsider,
        "dept_specialist": world.dept_specialist,
        "dept_leader": world.people.leader,
    }


def _listed(user, bucket: str) -> set[str]:
    return set(selectors.dossiers_inbox(user, scope="mine", bucket=bucket).values_list("code", flat=True))


def test_every_internal_state_is_on_the_page_of_whoever_acts_next_and_no_one_elses(world, frozen, everyone):
    cases = build_every_state(world)
    assert {d.state for d in cases.values()} == set(S.values), "a state without a case"
    frozen.move_to(LOOKED_AT)
    pages = {
        (name, b): _listed(user, b)
        for name, user in everyone.items()
        for b in (*TODO, "supplement", "payment")
    }
    for case, d in cases.items():
        expected = EXPECTED_TODO[case]
        for name in everyone:
            for bucket in TODO:
                should = expected is not None and name in expected[0] and bucket == expected[1]
                assert (d.code in pages[name, bucket]) == should, (case, name, bucket)
        follow = FOLLOW_UP.get(case)
        for name in everyone:
            for bucket in ("supplement", "payment"):
                should = follow is not None and name in follow[0] and bucket == follow[1]
                assert (d.code in pages[name, bucket]) == should, (case, name, bucket)


def test_each_to_do_row_shows_its_lateness_on_the_holders_page(world, frozen, everyone):
    cases = build_every_state(world)
    frozen.move_to(LOOKED_AT)
    for case, expected in EXPECTED_TODO.items():
        if expected is None:
            continue
        names, bucket = expected
        client = Client()
        client.force_login(everyone[sorted(names)[0]])
        response = client.get("/xu-ly/", {"bucket": bucket})
        assert response.status_code == 200
        rows = {row["dossier"].code: row["due"]["text"] for row in response.context["rows"]}
        code = cases[case].code
        assert code in rows, case
        assert code in response.content.decode()
        if case in CLOCK_RUNNING:
            assert rows[code] == LATE, case
    # The approved dossier waits for "Hoàn thành kết quả": the clock still runs.
    assert rows  # the last page looked at is the counter's "Chờ hoàn thành kết quả"


def test_the_counter_lists_what_waits_for_the_citizen_and_for_collection(world, frozen):
    cases = build_every_state(world)
    frozen.move_to(LOOKED_AT)
    today = selectors.counter_today(world.receptionist)
    waiting = set(today["waiting_citizen"].values_list("code", flat=True))
    collection = set(today["waiting_collection"].values_list("code", flat=True))
    for case, d in cases.items():
        assert (d.code in waiting) == (case in WAITING_CITIZEN), case
        assert (d.code in collection) == (case == "finished"), case
    outsider = selectors.counter_today(world.outsider)
    assert not set(outsider["waiting_citizen"].values_list("code", flat=True)) & waiting


def test_the_result_waiting_for_collection_is_on_the_counters_page(world, frozen):
    cases = build_every_state(world)
    frozen.move_to(LOOKED_AT)
    collection = set(
        selectors.counter_today(world.receptionist)["waiting_collection"].values_list("code", flat=True)
    )
    assert collection == {cases["finished"].code}
    assert not selectors.counter_today(world.outsider)["waiting_collection"].exists()
