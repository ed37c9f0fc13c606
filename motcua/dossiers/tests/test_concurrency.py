"""Concurrency on PostgreSQL: gapless codes under simultaneous receptions, and one winner when two
officers act on the same version. (SQLite serialises every writer, so these prove nothing there.)"""

import pytest
import time_machine
from django.db import connection

from motcua.dossiers import services
from motcua.dossiers.models import DailySequence, Dossier, DossierEvent
from motcua.dossiers.testing.concurrency import run_together
from motcua.dossiers.tests.conftest import MONDAY_8AM, advance, build_world, intake
from motcua.lib.errors import Conflict
from motcua.org.models import Membership
from motcua.org.testing import make_staff

Role = Membership.Role

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL's row locks and concurrent connections (CI runs the suite on PostgreSQL)",
    ),
]


def test_twenty_simultaneous_receptions_get_twenty_gapless_codes():
    world = build_world()
    with time_machine.travel(MONDAY_8AM, tick=False):
        results, errors = run_together(
            [
                lambda: services.dossier_receive(actor=world.receptionist, data=intake(world))
                for _ in range(20)
            ]
        )
    assert errors == [None] * 20
    codes = sorted(d.code for d in results)
    assert codes == [f"000.01.31.H99-260302-{n:04d}" for n in range(1, 21)]
    assert Dossier.objects.count() == 20
    assert DailySequence.objects.get().last_number == 20


def test_two_officers_on_the_same_version_one_wins_the_other_is_told_to_reload():
    world = build_world()
    with time_machine.travel(MONDAY_8AM, tick=False):
        d = advance(world, services.State.PROCESSING)
        other = make_staff("chuyen_vien_2", world.tree.commune_a, Role.SPECIALIST, full_name="Trần Văn Bình")
        events_before = DossierEvent.objects.filter(dossier=d).count()
        version = d.version
        # Both allowed on the version they saw: the leader hands the step to another specialist
        # while the specialist holding it sends it on.
        results, errors = run_together(
            [
                lambda: services.dossier_assign(
                    actor=world.leader, dossier=d.code, expected_version=version, officer=other
                ),
                lambda: services.dossier_forward(
                    actor=world.specialist, dossier=d.code, expected_version=version
                ),
            ]
        )
    winners = [r for r in results if r is not None]
    losers = [e for e in errors if e is not None]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], Conflict) and losers[0].code == "stale"
    assert "Vui lòng tải lại trang" in losers[0].message
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.version == version + 1
    assert (fresh.state, fresh.current_step_id) == (winners[0].state, winners[0].current_step_id)
    # The winner's whole change is there, the loser's nothing.
    assert DossierEvent.objects.filter(dossier=d).count() == events_before + 1
    won = DossierEvent.objects.filter(dossier=d).last().action
    assert won in ("assign", "forward")
    # A reassignment changes who holds the open step; a forward opens the next one.
    assert fresh.steps.count() == {"assign": 2, "forward": 3}[won]


def _online_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def test_the_citizen_withdraws_while_the_officer_accepts_one_wins_the_other_is_told(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    with time_machine.travel(MONDAY_8AM, tick=False):
        d = services.dossier_submit_online(
            citizen=world.citizen,
            data=intake(world, channel=2),
            files={"TP01": [_online_pdf()], "TP02": [_online_pdf()]},
        )
        version = d.version
        results, errors = run_together(
            [
                lambda: services.dossier_receive(
                    actor=world.receptionist, dossier=d.code, expected_version=version
                ),
                lambda: services.dossier_withdraw_online(
                    citizen=world.citizen, dossier=d.code, expected_version=version, reason="Nộp nhầm"
                ),
            ]
        )
    winners = [r for r in results if r is not None]
    losers = [e for e in errors if e is not None]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], Conflict) and losers[0].code == "stale"
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.version == version + 1 and fresh.state == winners[0].state
    assert fresh.state in (services.State.RECEIVED, services.State.WITHDRAWN)
    # The loser left nothing: one event after the submission, and a withdrawn dossier has no step.
    assert DossierEvent.objects.filter(dossier=d).count() == 2
    assert fresh.steps.count() == (1 if fresh.state == services.State.RECEIVED else 0)


def test_the_same_online_form_sent_twice_at_once_makes_one_dossier(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = build_world()
    with time_machine.travel(MONDAY_8AM, tick=False):
        results, errors = run_together(
            [
                lambda: services.dossier_submit_online(
                    citizen=world.citizen,
                    data=intake(world, channel=2),
                    files={"TP01": [_online_pdf()], "TP02": [_online_pdf()]},
                    idempotency_key="form-abc",
                )
                for _ in range(2)
            ]
        )
    assert errors == [None, None]
    assert results[0].pk == results[1].pk
    assert Dossier.objects.count() == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()).__len__() == 2
