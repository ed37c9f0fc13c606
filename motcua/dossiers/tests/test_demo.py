"""The demo dossiers: every state, uneven late rates, well-formed gapless codes, appointments
from the real calendar, idempotent, deterministic, and the audit chain still verifies."""

import io
import re
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from motcua.catalog.demo import build_demo_catalog
from motcua.dossiers import selectors, tracking
from motcua.dossiers.demo import DEMO_KEY_PREFIX, build_demo_dossiers
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent, DossierExtension, DossierStep
from motcua.org.demo import build_demo_org
from motcua.org.selectors import calendar_for_agency_code
from motcua.workcalendar.calendar import add_working_hours, add_working_time

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=HCM)  # a Friday morning
COUNT = 300
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Built once for the module inside a transaction that is rolled back at the end (the real
    # catalogue takes seconds to import); each test runs in a savepoint on top of it.
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            org = build_demo_org(stdout=io.StringIO())
            build_demo_catalog(
                offering_agencies={"commune": org.commune_agencies, "province": org.province_agencies}
            )
            out = io.StringIO()
            summary = build_demo_dossiers(org=org, count=COUNT, now=NOW, stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield org, summary, out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_it_creates_the_requested_number_of_dossiers_in_every_state(demo):
    _, summary, out = demo
    assert summary["created"] == COUNT and summary["skipped"] is False
    states = Counter(Dossier.objects.values_list("state", flat=True))
    assert sum(states.values()) == COUNT
    assert set(states) == set(Dossier.State.values), f"missing: {set(Dossier.State.values) - set(states)}"
    # Six months of history: most dossiers are long returned, a smaller part is open now.
    assert states[Dossier.State.RETURNED] > COUNT / 2
    assert 10 <= sum(states[s] for s in Dossier.OPEN_STATES) < COUNT / 3
    assert "Hồ sơ mẫu: 300 hồ sơ" in out
    # The national status code always follows the state.
    for state, status in Dossier.objects.values_list("state", "status_code").distinct():
        assert Dossier.STATUS_OF_STATE[state] == status


def test_dossiers_span_six_months_before_now_across_channels(demo):
    created = list(Dossier.objects.values_list("created_at", flat=True))
    assert max(created) < NOW
    assert (NOW - min(created)).days > 150
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    assert channels[1] > channels[2] > channels[3] > 0  # counter, online, post


def test_late_rates_differ_between_agencies(demo):
    per_agency = defaultdict(Counter)
    for code, timeliness in Dossier.objects.exclude(timeliness="").values_list(
        "handling_agency__code", "timeliness"
    ):
        per_agency[code][timeliness] += 1
    rates = {code: c["late"] / sum(c.values()) for code, c in per_agency.items() if sum(c.values()) >= 12}
    assert len(rates) >= 4
    assert min(rates.values()) < 0.08
    assert max(rates.values()) > 0.15
    assert Dossier.objects.filter(timeliness="early").exists()
    assert Dossier.objects.filter(timeliness="on_time").exists()


def test_codes_are_well_formed_unique_and_gapless_per_agency_and_day(demo):
    numbers = defaultdict(list)
    for code, agency_code, agency_id, created in Dossier.objects.values_list(
        "code", "receiving_agency__code", "receiving_agency_id", "created_at"
    ):
        match = re.fullmatch(re.escape(agency_code) + r"-(\d{6})-(\d{4})", code)
        assert match, code
        day = created.astimezone(HCM).date()
        assert match.group(1) == f"{day:%y%m%d}", (code, created)
        numbers[(agency_id, day)].append(int(match.group(2)))
    assert Dossier.objects.values("code").distinct().count() == COUNT
    sequences = {(s.agency_id, s.day): s.last_number for s in DailySequence.objects.all()}
    assert set(sequences) == set(numbers)
    for key, given in numbers.items():
        assert sorted(given) == list(range(1, len(given) + 1)), key
        assert sequences[key] == len(given)


def test_appointments_are_computed_with_the_handling_agencys_working_calendar(demo):
    checked = 0
    for dossier in Dossier.objects.filter(received_at__isnull=False).select_related("handling_agency"):
        snap = dossier.procedure_snapshot
        cal = calendar_for_agency_code(dossier.handling_agency.code)
        # The first appointment always counts from reception.
        expected = add_working_time(cal, dossier.received_at, snap["time"], snap["unit"], rule=snap["rule"])
        assert dossier.original_due_at == expected.due_at, dossier.code
        if dossier.supplement_count == 0 and not dossier.pauses.exists() and not dossier.extension_count:
            assert dossier.due_at == dossier.original_due_at
        restarted_only = (
            dossier.clock_started_at != dossier.received_at
            and snap["policy"] == "restart"
            and not dossier.extension_count
            and not dossier.pauses.filter(reason="payment").exists()
        )
        if restarted_only:
            # Supplement received: the appointment counts again in full from that moment.
            restarted = add_working_time(
                cal, dossier.clock_started_at, snap["time"], snap["unit"], rule=snap["rule"]
            )
            assert dossier.due_at == restarted.due_at
        checked += 1
    assert checked > COUNT / 2


def test_steps_follow_the_process_template_with_their_budgets(demo):
    dossier = (
        Dossier.objects.filter(state=Dossier.State.RETURNED, supplement_count=0, extension_count=0)
        .exclude(fee_due_vnd__isnull=False)
        .select_related("handling_agency")
        .order_by("code")
        .first()
    )
    steps = list(dossier.steps.order_by("seq"))
    template = dossier.procedure_snapshot["steps"]
    assert [s.template_order for s in steps] == [t["order"] for t in template]
    assert [s.seq for s in steps] == list(range(1, len(steps) + 1))
    cal = calendar_for_agency_code(dossier.handling_agency.code)
    for step, row in zip(steps, template, strict=True):
        assert step.due_at == add_working_hours(cal, step.started_at, row["budget_hours"])
        assert step.finished_at >= step.started_at and step.timeliness in ("early", "on_time", "late")
    assert steps[0].started_at == dossier.received_at
    assert steps[-1].finished_at == dossier.finished_at
    assert dossier.current_step_id == steps[-1].pk
    assert dossier.returned_at >= dossier.finished_at
    assert dossier.timeliness in ("early", "on_time", "late")


def test_open_dossiers_are_held_and_their_history_ends_in_their_state(demo):
    open_ = Dossier.objects.filter(state__in=Dossier.OPEN_STATES)
    assert not open_.filter(holder_agency__isnull=True).exists()
    assert not open_.filter(current_step__isnull=True).exists()
    assert not open_.filter(current_step__finished_at__isnull=False, state=Dossier.State.PROCESSING).exists()
    assert open_.filter(holder__isnull=False).exists()
    for dossier in Dossier.objects.all():
        events = list(dossier.events.order_by("at", "pk"))
        assert events, dossier.code
        assert events[-1].state == dossier.state, dossier.code
        assert dossier.version == len(events), dossier.code


def test_supplements_flags_and_extensions_are_present_and_consistent(demo):
    assert Dossier.objects.filter(supplement_flagged=True, supplement_count__gte=2).exists()
    assert not Dossier.objects.filter(supplement_flagged=True, supplement_count__lt=2).exists()
    extensions = list(DossierExtension.objects.select_related("dossier"))
    assert extensions
    for ext in extensions:
        assert ext.new_due_at > ext.previous_due_at
        assert ext.dossier.extension_count == 1
        assert ext.created_at < ext.previous_due_at
    waiting = Dossier.objects.filter(state=Dossier.State.SUPPLEMENT)
    for dossier in waiting:
        assert dossier.pauses.filter(reason="supplement", ended_at__isnull=True).count() == 1
        assert dossier.pauses.get(ended_at__isnull=True).items


def test_applicants_look_real(demo):
    people = Dossier.objects.filter(applicant_kind="person")
    for name, citizen_id, born in people.values_list("applicant_name", "citizen_id", "date_of_birth")[:100]:
        assert len(name.split()) >= 3
        assert re.fullmatch(r"\d{12}", citizen_id)
        assert citizen_id[4:6] == f"{born.year % 100:02d}"
        assert int(citizen_id[3]) in ((0, 1) if born.year < 2000 else (2, 3))
    assert Dossier.objects.filter(applicant_kind="organisation").exclude(tax_code="").exists()


def test_the_pages_selectors_work_on_demo_dossiers(demo):
    user = get_user_model().objects.get(username="chuyenvien")
    counts = selectors.inbox_counts(user, scope="agency")
    assert counts["all"] > 0
    assert len(list(selectors.dossiers_inbox(user, scope="agency", bucket="all")[:20])) == min(
        20, counts["all"]
    )
    dossier = Dossier.objects.filter(state=Dossier.State.PROCESSING).first()
    assert tracking.find(dossier.code, dossier.pin)["code"] == dossier.code
    assert [e.action for e in selectors.dossier_timeline(dossier)][:1] in (["receive"], ["submit_online"])


def test_commune_dossiers_are_held_by_the_communes_own_officers(demo):
    held = Dossier.objects.filter(
        state=Dossier.State.PROCESSING, holder__username__startswith="chuyenvien_"
    ).select_related("holder", "holder_agency")
    assert held.exists()
    for dossier in held[:50]:
        assert dossier.holder_agency.kind == "peoples_committee"
        assert dossier.holder.memberships.filter(agency=dossier.holder_agency, role="specialist").exists()
    specialist = held.first().holder
    assert selectors.inbox_counts(specialist, scope="mine")["all"] > 0


def test_a_second_run_changes_nothing(demo):
    org, _, _ = demo
    before = (Dossier.objects.count(), DossierStep.objects.count(), DossierEvent.objects.count())
    out = io.StringIO()
    again = build_demo_dossiers(org=org, count=COUNT, now=NOW, stdout=out)
    assert again["skipped"] is True and again["created"] == 0
    assert (Dossier.objects.count(), DossierStep.objects.count(), DossierEvent.objects.count()) == before
    assert "đã có" in out.getvalue()


def test_the_same_seed_gives_the_same_dossiers(demo):
    org, _, _ = demo
    first = list(Dossier.objects.order_by("code").values_list("code", "state", "due_at", "applicant_name"))
    Dossier.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).delete()
    DailySequence.objects.all().delete()
    build_demo_dossiers(org=org, count=COUNT, now=NOW)
    again = list(Dossier.objects.order_by("code").values_list("code", "state", "due_at", "applicant_name"))
    assert again == first


def test_the_audit_chain_still_verifies_after_the_demo(demo):
    call_command("audit_verify", stdout=io.StringIO())


def test_it_refuses_to_run_with_debug_off():
    with override_settings(DEBUG=False, TESTING=False), pytest.raises(ImproperlyConfigured, match="DEBUG"):
        build_demo_dossiers(org=None, count=10)
