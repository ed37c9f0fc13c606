""" "Due tomorrow" reminders to the officer holding a dossier: its current step, or its appointment
(the date the result is promised), falls due on the next working day of the holding agency's
calendar. One reminder per officer per day, listing all such dossiers, whatever how often the
scheduler runs the job (settings SCHEDULER_JOBS); sent on working days only, from
NOTIFY_REMINDER_HOUR (local time) on.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.notifications.messages import local_time
from motcua.notifications.services import outbox_enqueue_once
from motcua.workcalendar.calendar import VN_TZ, WorkCalendar, next_working_moment
from motcua.workcalendar.selectors import calendars_by_schedule

# Far enough ahead to cross the longest run of days off (Tết: up to 9 days).
HORIZON = timedelta(days=16)


@dataclass(frozen=True)
class DueItem:
    dossier: Dossier
    what: str  # "bước …" or "hẹn trả kết quả"
    due_at: datetime


def next_working_day(cal: WorkCalendar, today: date) -> date:
    start = datetime.combine(today + timedelta(days=1), time.min, tzinfo=cal.tz)
    return next_working_moment(cal, start).date()


def is_working_day(cal: WorkCalendar, day: date) -> bool:
    return next_working_moment(cal, datetime.combine(day, time.min, tzinfo=cal.tz)).date() == day


def due_next_working_day(now: datetime | None = None) -> dict[int, list[DueItem]]:
    """By officer id: the open dossiers they hold whose step or appointment falls due on the next
    working day (each counted on its holding agency's calendar), when today is a working day."""
    now = now or timezone.now()
    window = Q(due_at__gt=now, due_at__lte=now + HORIZON) | Q(
        current_step__due_at__gt=now, current_step__due_at__lte=now + HORIZON
    )
    dossiers = list(
        Dossier.objects.filter(window, state__in=Dossier.OPEN_STATES, holder__isnull=False)
        .select_related("current_step", "holder_agency", "handling_agency")
        .order_by("due_at", "pk")
    )

    def agency(d: Dossier):
        return d.holder_agency if d.holder_agency_id else d.handling_agency

    calendars = calendars_by_schedule({agency(d).schedule_id for d in dossiers})
    today = now.astimezone(VN_TZ).date()
    found: dict[int, list[DueItem]] = defaultdict(list)
    for d in dossiers:
        assert d.holder_id is not None  # the query asks for held dossiers
        cal = calendars[agency(d).schedule_id]
        if not is_working_day(cal, today):
            continue
        target = next_working_day(cal, today)
        step = d.current_step
        if (
            step is not None
            and step.due_at
            and step.finished_at is None
            and step.due_at.astimezone(VN_TZ).date() == target
        ):
            found[d.holder_id].append(DueItem(d, f"bước “{step.name}”", step.due_at))
        if d.due_at and d.due_at.astimezone(VN_TZ).date() == target:
            found[d.holder_id].append(DueItem(d, "hẹn trả kết quả", d.due_at))
    return dict(found)


def reminder_text(items: list[DueItem]) -> str:
    lines = [f"Ông/bà có {len({i.dossier.pk for i in items})} hồ sơ đến hạn vào ngày làm việc tiếp theo:"]
    lines += [
        f"- {i.dossier.code} ({i.dossier.applicant_name}): {i.what}, hạn {local_time(i.due_at)}"
        for i in items
    ]
    lines.append("Vui lòng xử lý trước hạn, hoặc báo lãnh đạo nếu cần gia hạn.")
    return "\n".join(lines)


def send_due_tomorrow_reminders(now: datetime | None = None) -> dict[str, int]:
    """Queue today's reminder for each officer who has dossiers due on the next working day
    (e-mail when the account has an address, else SMS, else an in-app notice). A second run on
    the same day queues nothing new for an officer already reminded (the message's key)."""
    from motcua.accounts.models import User

    now = now or timezone.now()
    local = now.astimezone(VN_TZ)
    if local.hour < settings.NOTIFY_REMINDER_HOUR:
        return {"queued": 0, "officers": 0}
    due = due_next_working_day(now)
    officers = User.objects.in_bulk(list(due))
    queued = 0
    for officer_id, items in due.items():
        officer = officers[officer_id]
        if officer.email:
            channel, recipient = "email", officer.email
        elif officer.phone:
            channel, recipient = "sms", officer.phone
        else:
            channel, recipient = "in_app", str(officer.pk)
        message = outbox_enqueue_once(
            channel=channel,
            recipient=recipient,
            event="reminder.due_tomorrow",
            subject=f"Nhắc việc: {len(items)} hạn xử lý vào ngày làm việc tiếp theo",
            body=reminder_text(items),
            key=f"reminder.due:{officer_id}:{local:%Y-%m-%d}",
        )
        queued += message is not None
    return {"queued": queued, "officers": len(due)}
