"""Due-tomorrow reminders: the officer holding a dossier whose step or appointment falls due on
the next working day is told once that day, on working days, from the configured hour."""

from datetime import datetime, timedelta

import pytest
import time_machine

from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.reminders import due_next_working_day, send_due_tomorrow_reminders
from motcua.dossiers.tests.conftest import MONDAY_8AM, advance, build_world
from motcua.notifications.models import OutboxMessage
from motcua.workcalendar.calendar import VN_TZ

pytestmark = pytest.mark.django_db
FRIDAY_3PM = datetime(2026, 3, 6, 15, 0, tzinfo=VN_TZ)
MONDAY_10AM = datetime(2026, 3, 9, 10, 0, tzinfo=VN_TZ)


@pytest.fixture
def held():
    """A dossier held by the specialist, whose step falls due on Monday 9 March at 10:00 and
    whose appointment is later."""
    world = build_world()
    with time_machine.travel(MONDAY_8AM, tick=False):
        d = advance(world, Dossier.State.PROCESSING)
    DossierStep.objects.filter(pk=d.current_step_id).update(due_at=MONDAY_10AM)
    Dossier.objects.filter(pk=d.pk).update(due_at=MONDAY_10AM + timedelta(days=4))
    d.refresh_from_db()
    return world, d


def reminders() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event="reminder.due_tomorrow"))


def test_on_friday_the_holder_is_reminded_of_a_step_due_on_monday(held):
    world, d = held
    with time_machine.travel(FRIDAY_3PM, tick=False):
        assert send_due_tomorrow_reminders() == {"queued": 1, "officers": 1}
    [message] = reminders()
    officer = world.specialist
    assert (message.channel, message.recipient) == (
        ("email", officer.email)
        if officer.email
        else ("sms", officer.phone)
        if officer.phone
        else ("in_app", str(officer.pk))
    )
    assert message.key == f"reminder.due:{officer.pk}:2026-03-06"
    assert f"- {d.code} (Nguyễn Thị Hoa): bước “{d.current_step.name}”, hạn 09/03/2026 10:00" in message.body
    assert message.body.startswith("Ông/bà có 1 hồ sơ đến hạn vào ngày làm việc tiếp theo:")


def test_one_reminder_per_officer_per_day_however_often_the_job_runs(held):
    with time_machine.travel(FRIDAY_3PM, tick=False) as clock:
        send_due_tomorrow_reminders()
        clock.move_to(FRIDAY_3PM + timedelta(hours=2))
        assert send_due_tomorrow_reminders() == {"queued": 0, "officers": 1}
    assert len(reminders()) == 1


def test_not_before_the_hour_not_on_a_day_off_and_not_two_working_days_ahead(held):
    with time_machine.travel(FRIDAY_3PM - timedelta(hours=2), tick=False):  # 13:00
        assert send_due_tomorrow_reminders() == {"queued": 0, "officers": 0}
    with time_machine.travel(FRIDAY_3PM + timedelta(days=1), tick=False):  # Saturday
        assert due_next_working_day() == {}
    with time_machine.travel(FRIDAY_3PM - timedelta(days=1), tick=False):  # Thursday: Monday is 2 days on
        assert due_next_working_day() == {}
    assert reminders() == []


def test_the_appointment_due_next_working_day_is_reminded_too(held):
    _, d = held
    Dossier.objects.filter(pk=d.pk).update(due_at=MONDAY_10AM + timedelta(hours=6))
    with time_machine.travel(FRIDAY_3PM, tick=False):
        [items] = due_next_working_day().values()
    assert [(i.dossier.pk, i.what) for i in items] == [
        (d.pk, f"bước “{d.current_step.name}”"),
        (d.pk, "hẹn trả kết quả"),
    ]


def test_a_closed_dossier_is_not_reminded(held):
    _, d = held
    Dossier.objects.filter(pk=d.pk).update(state=Dossier.State.FINISHED)
    with time_machine.travel(FRIDAY_3PM, tick=False):
        assert due_next_working_day() == {}
