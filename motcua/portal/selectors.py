"""Reads of the portal: a citizen's own drafts, and "Hồ sơ của tôi" in the words of the public
tracking (``motcua.dossiers.situation``, ``motcua.dossiers.tracking_words``). Dossiers are read
only through ``citizen_dossiers`` / ``citizen_dossier`` (nobody else's)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from motcua.dossiers.models import Dossier, DossierEvent, DossierPause, NationalStatus
from motcua.dossiers.selectors import citizen_dossiers
from motcua.dossiers.situation import status_label
from motcua.lib.errors import NotFound
from motcua.notifications.models import OutboxMessage
from motcua.portal.models import Draft

# What the citizen must do, in a few words, for the list (the detail says it in full), and the
# page (URL name, by the dossier's code) where it is done.
CITIZEN_NEXT_STEPS = {
    NationalStatus.SUPPLEMENT: ("Bổ sung giấy tờ", "portal:detail"),
    NationalStatus.PAYMENT: ("Nộp phí, lệ phí", "payments:pay"),
    NationalStatus.FINISHED: ("Nhận kết quả", "portal:detail"),
}


def draft_for(user: Any, uid: uuid.UUID | str) -> Draft:
    """The user's own draft with this id; NotFound for another's, as for one that does not exist."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound("Không tìm thấy hồ sơ nháp này.", code="draft_not_found") from None
    draft = (
        Draft.objects.select_related("procedure", "dossier", "owner")
        .filter(uid=key, owner_id=getattr(user, "pk", None))
        .first()
    )
    if draft is None:
        raise NotFound("Không tìm thấy hồ sơ nháp này.", code="draft_not_found")
    return draft


def drafts_in_progress(user: Any) -> QuerySet[Draft]:
    return (
        Draft.objects.select_related("procedure")
        .filter(owner_id=user.pk, submitted_at__isnull=True)
        .order_by("-updated_at", "-pk")
    )


@dataclass(frozen=True)
class DossierRow:
    code: str
    procedure: str
    status: str
    status_code: int
    submitted_at: datetime | None
    due_at: datetime | None
    todo: str
    todo_page: str  # the URL name of the page where it is done


def _row(dossier: Dossier) -> DossierRow:
    todo, todo_page = CITIZEN_NEXT_STEPS.get(NationalStatus(dossier.status_code), ("", ""))
    return DossierRow(
        code=dossier.code,
        procedure=dossier.procedure.name,
        status=status_label(dossier.status_code, dossier.outcome),
        status_code=dossier.status_code,
        submitted_at=dossier.submitted_at or dossier.received_at or dossier.created_at,
        due_at=dossier.due_at,
        todo=todo,
        todo_page=todo_page,
    )


def my_dossier_rows(user: Any) -> list[DossierRow]:
    """The user's dossiers, newest first: code, procedure, status in words, appointment, what to do."""
    rows = (
        citizen_dossiers(user)
        .select_related(None)
        .select_related("procedure")
        .only(
            "code",
            "status_code",
            "outcome",
            "submitted_at",
            "received_at",
            "created_at",
            "due_at",
            "procedure__name",
        )
    )
    return [_row(d) for d in rows]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    note: str


# Events whose note is told to the applicant (the services send it in the notice); the notes
# of other events may be internal and are never shown.
# What happened that changes no status (or not the one shown), said in the applicant's words:
# what the citizen did, and what the agency recorded or issued for them.
ACTION_LABELS = {
    "request-withdraw": "Đã gửi yêu cầu rút hồ sơ",
    "supplement-online": "Đã gửi hồ sơ bổ sung trực tuyến",
    "record-payment": "Đã nộp phí, lệ phí",
    "issue-e-result": "Đã có kết quả điện tử (văn bản có chữ ký số)",
}
PUBLIC_NOTE_ACTIONS = ("reject", "refuse", "stop", "withdraw", "request-withdraw", "close-guidance")


def timeline(dossier: Dossier) -> list[TimelineEntry]:
    """Every change of the dossier's situation, oldest first, in the national status's words; an
    event that leaves the status as it was (a hand-over inside processing) adds nothing."""
    events = DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.STATUS).order_by("at", "pk")
    entries: list[TimelineEntry] = []
    for event in events:
        note = event.note if event.action in PUBLIC_NOTE_ACTIONS else ""
        if event.action in ACTION_LABELS:
            label = ACTION_LABELS[event.action]
        elif event.status_code:
            label = status_label(event.status_code, dossier.outcome if event.status_code >= 9 else "")
        else:
            continue
        if entries and entries[-1].label == label and not note:
            continue
        entries.append(TimelineEntry(at=event.at, label=label, note=note))
    return entries


def open_supplement(dossier: Dossier) -> DossierPause | None:
    if dossier.state not in (Dossier.State.SUPPLEMENT, Dossier.State.INTAKE_SUPPLEMENT):
        return None
    return (
        dossier.pauses.filter(reason=DossierPause.Reason.SUPPLEMENT, ended_at__isnull=True)
        .order_by("-started_at", "-pk")
        .first()
    )


def supplement_requests(dossier: Dossier) -> list[DossierPause]:
    return list(dossier.pauses.filter(reason=DossierPause.Reason.SUPPLEMENT).order_by("started_at", "pk"))


@dataclass(frozen=True)
class AgencyMessage:
    at: datetime
    subject: str
    body: str


# The channels whose message carries the whole text (an SMS is shortened).
FULL_TEXT_CHANNELS = (OutboxMessage.Channel.EMAIL, OutboxMessage.Channel.IN_APP)


def agency_messages(dossier: Dossier) -> list[AgencyMessage]:
    """What the agency told the applicant about this dossier (the outbox), oldest first: one
    entry per message, whichever channels it went through — in the words of its e-mail or in-app
    notice where it had one (an SMS is shortened, perhaps without diacritics)."""
    chosen: dict[tuple[str, int], OutboxMessage] = {}
    for row in OutboxMessage.objects.filter(dossier=dossier).order_by("created_at", "pk"):
        # One event's messages to every channel are written together, within the same second.
        key = (row.event, int(row.created_at.timestamp()))
        kept = chosen.get(key)
        if kept is None or (kept.channel not in FULL_TEXT_CHANNELS and row.channel in FULL_TEXT_CHANNELS):
            chosen[key] = row
    return [AgencyMessage(at=row.created_at, subject=row.subject, body=row.body) for row in chosen.values()]


def not_found(what: str = "hồ sơ") -> NotFound:
    return NotFound(f"Không tìm thấy {what} này trong tài khoản của ông/bà.", code="not_found")
