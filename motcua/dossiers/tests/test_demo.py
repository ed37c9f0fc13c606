"""The demo dossiers: a believable working day at the provincial centre and at each commune,
every state, uneven late rates, applicants that fit the procedure, every action done by who
holds the step, well-formed gapless codes, appointments from the real calendar, idempotent,
deterministic, and the audit chain still verifies."""

import io
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from motcua.catalog.demo import build_demo_catalog
from motcua.catalog.models import Procedure
from motcua.dossiers import selectors, tracking
from motcua.dossiers.demo import DEMO_KEY_PREFIX, build_demo_dossiers
from motcua.dossiers.demo.applicants import COMPANIES, COOPERATIVES, organisations_for
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent, DossierExtension, DossierStep
from motcua.org.demo import build_demo_org
from motcua.org.models import Membership
from motcua.org.selectors import calendar_for_agency_code, user_roles_at
from motcua.workcalendar.calendar import add_working_hours, add_working_time

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=HCM)  # a Friday morning
DAYS = 14  # two weeks of dossiers at the real daily volume (the demo loads six)
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
            summary = build_demo_dossiers(org=org, days=DAYS, now=NOW, stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield org, summary, out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def test_it_creates_dossiers_in_every_state(demo):
    _, summary, out = demo
    total = Dossier.objects.count()
    assert summary["created"] == total and summary["skipped"] is False
    states = Counter(Dossier.objects.values_list("state", flat=True))
    assert set(states) == set(Dossier.State.values), f"missing: {set(Dossier.State.values) - set(states)}"
    # Two weeks of history: the returned dossiers are the largest group, many are still open.
    assert states.most_common(1)[0][0] == Dossier.State.RETURNED
    assert total / 5 < sum(states[s] for s in Dossier.OPEN_STATES) < total / 2
    assert f"Hồ sơ mẫu: {total} hồ sơ trong {DAYS} ngày qua" in out
    # The national status code always follows the state.
    for state, status in Dossier.objects.values_list("state", "status_code").distinct():
        assert Dossier.STATUS_OF_STATE[state] == status


def test_dossiers_span_the_days_before_now_across_channels(demo):
    created = list(Dossier.objects.values_list("created_at", flat=True))
    assert max(created) < NOW
    # From the first opening of the day DAYS days before (a Friday).
    assert min(created).astimezone(HCM).date() == (NOW - timedelta(days=DAYS)).date()
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


def _per_day(receiving_code: str) -> Counter:
    return Counter(
        created.astimezone(HCM).date()
        for created in Dossier.objects.filter(receiving_agency__code=receiving_code).values_list(
            "created_at", flat=True
        )
    )


def _full_working_days(receiving_code: str) -> list:
    """The dates before NOW's when the agency was open a full working day (8 hours)."""
    cal = calendar_for_agency_code(receiving_code)
    days = [(NOW - timedelta(days=n)).date() for n in range(1, DAYS)]
    full = [
        day
        for day in days
        if sum((e.hour * 60 + e.minute) - (s.hour * 60 + s.minute) for s, e in cal.sessions_on(day)) == 480
    ]
    assert len(full) >= 8
    return full


def test_the_provincial_centre_receives_a_district_centres_day(demo):
    # domain.md: a district-level centre receives 85–100 dossiers a working day.
    org, _, _ = demo
    code = org.service_centre.code
    per_day = _per_day(code)
    for day in _full_working_days(code):
        assert 85 <= per_day[day] <= 100, (day, per_day[day])
    # Nothing on Saturdays and Sundays, when it is closed.
    assert not [day for day in per_day if day.weekday() >= 5]
    # Today is a day in progress: Friday 10:30, about a third of a day received, none after now.
    today = per_day[NOW.date()]
    assert 15 <= today <= 60, today
    with time_machine.travel(NOW, tick=False):
        day = selectors.counter_today(get_user_model().objects.get(username="motcua"))
        received = list(day["received_today"])
        assert 15 <= len(received) <= today
        assert all(d.received_at < NOW for d in received)
        # Some of this morning's dossiers are already with the department's specialist.
        specialist = get_user_model().objects.get(username="chuyenvien")
        assert selectors.inbox_counts(specialist, scope="mine")["all"] >= 20


def test_communes_receive_a_few_to_a_few_dozen_a_day_the_busiest_a_couple_of_dozen(demo):
    org, _, _ = demo
    busiest = org.communes[0].one_stop.code
    for commune in org.communes:
        code = commune.one_stop.code
        per_day = _per_day(code)
        for day in _full_working_days(code):
            if code == busiest:
                assert 19 <= per_day[day] <= 29, (day, per_day[day])
            else:
                assert 3 <= per_day[day] < 25, (code, day, per_day[day])
        saturdays = [day for day in per_day if day.weekday() == 5]
        # Communes open on Saturday mornings receive then (about half a day), the others never.
        assert bool(saturdays) == commune.opens_saturday, code
        assert all(per_day[day] <= 15 for day in saturdays)
    assert 3 <= _per_day(busiest)[NOW.date()] <= 15


def test_late_rates_differ_between_communes(demo):
    org, _, _ = demo
    per_commune = defaultdict(Counter)
    communes = [c.committee.code for c in org.communes]
    for code, timeliness in (
        Dossier.objects.filter(handling_agency__code__in=communes)
        .exclude(timeliness="")
        .values_list("handling_agency__code", "timeliness")
    ):
        per_commune[code][timeliness] += 1
    rates = {code: c["late"] / sum(c.values()) for code, c in per_commune.items() if sum(c.values()) >= 15}
    assert len(rates) >= 8
    # Some communes keep nearly every appointment, others miss one in six or more.
    assert min(rates.values()) < 0.07
    assert max(rates.values()) > 0.16
    assert max(rates.values()) > 3 * min(rates.values())
    assert sum(rate > 0.12 for rate in rates.values()) >= 2
    assert sum(rate < 0.08 for rate in rates.values()) >= 2


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
    assert Dossier.objects.values("code").distinct().count() == Dossier.objects.count()
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
    assert checked > Dossier.objects.count() / 2


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


def test_organisations_apply_only_where_the_catalogue_admits_them(demo):
    # Worked examples from the real catalogue (data/procedures.json).
    by_code = {p.code: p for p in Procedure.objects.select_related("field")}
    assert organisations_for(by_code["1.001193"]) == (0.0, [])  # khai sinh
    # Chấm dứt giám hộ lists "Doanh nghiệp" among its applicants, but it is a person's civil status.
    assert "Doanh nghiệp" in by_code["1.004845"].applicants
    assert organisations_for(by_code["1.004845"]) == (0.0, [])
    # Chứng thực di chúc lists "Doanh nghiệp" too: a will is a person's.
    assert organisations_for(by_code["2.001019"]) == (0.0, [])
    # A company registers itself; a land certificate is exchanged by a company now and then.
    share, names = organisations_for(by_code["2.001583"])
    assert share >= 0.5 and set(COMPANIES) <= set(names)
    share, names = organisations_for(by_code["1.012783"])
    assert 0 < share < 0.5 and set(COMPANIES) <= set(names)
    # "Tổ chức (không bao gồm doanh nghiệp, HTX)": an organisation, but never a company or a cooperative.
    share, names = organisations_for(by_code["1.012796"])
    assert names and not set(names) & set(COMPANIES + COOPERATIVES)
    # Over the whole catalogue: no organisation on a civil-status, certification, adoption or
    # residence procedure; one on every enterprise registration.
    person_fields = {"Hộ tịch", "Chứng thực", "Nuôi con nuôi", "Đăng ký, quản lý cư trú"}
    for procedure in by_code.values():
        share, names = organisations_for(procedure)
        if procedure.field.name in person_fields:
            assert share == 0 and not names, procedure.code
        if procedure.field.name == "Thành lập và hoạt động của doanh nghiệp":
            assert share >= 0.5 and set(COMPANIES) <= set(names), procedure.code
        if not procedure.applicants:
            assert share == 0, procedure.code


def test_no_company_applies_for_a_birth_registration(demo):
    organisations = Dossier.objects.filter(applicant_kind="organisation")
    assert not organisations.filter(
        procedure__field__name__in=["Hộ tịch", "Chứng thực", "Nuôi con nuôi", "Đăng ký, quản lý cư trú"]
    ).exists()
    assert not Dossier.objects.filter(procedure__code="1.001193", applicant_kind="organisation").exists()
    assert Dossier.objects.filter(procedure__code="1.001193", applicant_kind="person").exists()
    # Businesses register themselves.
    enterprise = Dossier.objects.filter(procedure__field__name="Thành lập và hoạt động của doanh nghiệp")
    assert enterprise.filter(applicant_kind="organisation").count() > enterprise.count() / 2
    for name in organisations.values_list("applicant_name", flat=True).distinct():
        procedures = organisations.filter(applicant_name=name).values_list("procedure__applicants", flat=True)
        if name.startswith("Công ty"):
            assert all("Doanh nghiệp" in text for text in procedures), name


COUNTER_ACTIONS = {
    "receive",
    "refuse",
    "request_supplement",
    "receive-supplement",
    "withdraw",
    "finish",
    "return-result",
}
STEP_ACTIONS = {"forward", "request-supplement", "request-payment", "record-payment", "approve", "reject"}
LEAD = {Membership.Role.LEADER, Membership.Role.DIRECTOR}


def test_every_action_is_done_by_who_may_do_it(demo):
    # Issue 9 item 3: the holder of a step is the officer it is assigned to, or, while
    # unassigned, anyone with the step's role at the step's agency; approval by a leader or
    # director of the handling agency; counter actions by a receptionist of the receiving agency.
    roles_cache: dict = {}

    def roles(user, agency):
        key = (user.pk, agency.pk)
        if key not in roles_cache:
            roles_cache[key] = user_roles_at(user, agency)
        return roles_cache[key]

    checked = Counter()
    dossiers = Dossier.objects.select_related("receiving_agency", "handling_agency").prefetch_related(
        "steps__agency", "steps__receiver", "events__actor"
    )
    for dossier in dossiers:
        steps = sorted(dossier.steps.all(), key=lambda s: s.seq)
        for event in dossier.events.all():
            if event.action == "submit_online":
                assert event.actor is None  # the citizen, on the portal
                continue
            actor, action = event.actor, event.action
            assert actor is not None, (dossier.code, action)
            if action == "request-supplement" and event.state == Dossier.State.INTAKE_SUPPLEMENT:
                action = "request_supplement"  # guidance at the counter, before reception
            if action in COUNTER_ACTIONS:
                assert Membership.Role.RECEPTIONIST in roles(actor, dossier.receiving_agency), (
                    dossier.code,
                    action,
                )
            elif action in STEP_ACTIONS:
                # The step open just before the event (a forward ends it and opens the next).
                step = next(
                    s for s in steps
                    if s.started_at <= event.at and (s.finished_at is None or s.finished_at >= event.at)
                )  # fmt: skip
                if step.receiver_id:
                    assert actor == step.receiver, (dossier.code, action, step.name)
                else:
                    assert step.role in roles(actor, step.agency), (dossier.code, action, step.name)
                if action in ("approve", "reject"):
                    assert roles(actor, dossier.handling_agency) & LEAD, (dossier.code, action)
            elif action in ("stop", "extend"):
                assert roles(actor, dossier.handling_agency) & LEAD, (dossier.code, action)
            else:
                raise AssertionError(f"unexpected action {action}")
            checked[action] += 1
    assert set(checked) == COUNTER_ACTIONS | STEP_ACTIONS | {"stop", "extend"}, checked


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
    again = build_demo_dossiers(org=org, days=DAYS, now=NOW, stdout=out)
    assert again["skipped"] is True and again["created"] == 0
    assert (Dossier.objects.count(), DossierStep.objects.count(), DossierEvent.objects.count()) == before
    assert "đã có" in out.getvalue()


def test_a_dossier_holds_the_papers_of_one_case_of_its_procedure(demo):
    # A procedure listing alternative cases (the documents' conditions): one case per dossier.
    from motcua.dossiers.models import DossierDocument

    cases: dict[int, set[str]] = {}
    for dossier_id, condition in DossierDocument.objects.exclude(requirement__condition="").values_list(
        "dossier_id", "requirement__condition"
    ):
        cases.setdefault(dossier_id, set()).add(condition)
    assert cases, "the demo has procedures with cases"
    assert max(len(c) for c in cases.values()) == 1


def test_the_same_seed_gives_the_same_dossiers(demo):
    org, _, _ = demo
    first = list(Dossier.objects.order_by("code").values_list("code", "state", "due_at", "applicant_name"))
    Dossier.objects.filter(idempotency_key__startswith=DEMO_KEY_PREFIX).delete()
    DailySequence.objects.all().delete()
    build_demo_dossiers(org=org, days=DAYS, now=NOW)
    again = list(Dossier.objects.order_by("code").values_list("code", "state", "due_at", "applicant_name"))
    assert again == first


def test_the_audit_chain_still_verifies_after_the_demo(demo):
    call_command("audit_verify", stdout=io.StringIO())


def test_it_refuses_to_run_with_debug_off():
    with override_settings(DEBUG=False, TESTING=False), pytest.raises(ImproperlyConfigured, match="DEBUG"):
        build_demo_dossiers(org=None, days=1)


def test_the_demo_citizens_sign_in_with_their_phone_and_see_their_dossiers(demo, client):
    from motcua.demo.citizens import DEMO_CITIZENS, DOSSIERS_EACH, build_demo_citizens
    from motcua.dossiers.selectors import citizen_dossiers
    from motcua.org.demo import DEMO_PASSWORD
    from motcua.payments.demo import build_demo_payments
    from motcua.payments.models import PaymentRequest

    build_demo_payments()  # before the citizens, as demo_load runs them
    build_demo_citizens()
    build_demo_citizens()  # a second run changes nothing
    person, company = DEMO_CITIZENS
    for citizen in (person, company):
        user = get_user_model().objects.get(username=citizen.phone)
        mine = list(citizen_dossiers(user))
        newest_online = sorted(
            (d for d in mine if d.channel == Dossier.Channel.ONLINE), key=lambda d: d.created_at
        )[-DOSSIERS_EACH:]
        assert len(newest_online) == DOSSIERS_EACH
        assert {d.phone for d in mine} == {citizen.phone}
        if citizen is company:
            assert len(mine) == DOSSIERS_EACH
            continue
        # The person also has a dossier to pay (an open request) and a granted, returned one.
        assert len(mine) == DOSSIERS_EACH + 2
        to_pay = [d for d in mine if d.state == Dossier.State.PAYMENT]
        assert PaymentRequest.objects.filter(dossier__in=to_pay, state="open").exists()
        assert any(d.state == Dossier.State.RETURNED and d.outcome == Dossier.Outcome.APPROVED for d in mine)
    assert (
        client.post(
            "/tai-khoan/dang-nhap/", {"username": person.phone, "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    page = client.get("/ho-so-cua-toi/").content.decode()
    lan = get_user_model().objects.get(username=person.phone)
    for dossier in Dossier.objects.filter(owner=lan):
        assert dossier.code in page
