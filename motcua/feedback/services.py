"""Writes of ratings: a citizen rates a dossier (counter tablet, online, paper form typed in by an
officer), an unsatisfied rating alerts the head of the handling unit, who marks it handled.

A dossier can be rated once it is returned, refused at reception or guided to a supplement
(Circular 01/2018 art. 12: the form goes out with Mẫu 01, 02 and 03); once per channel.
Counter devices: ``devices.py``; the survey: ``surveys.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback import questionnaires
from motcua.feedback.models import CounterDevice, Rating
from motcua.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue_to
from motcua.org.models import Membership
from motcua.org.selectors import officers_acting_on, user_can_act

State = Dossier.State
Channel = Rating.Channel
# States after which the citizen has been served and may rate (Mẫu 01 is handed out at reception
# too, but the service is judged once it ends: returned, refused, or guided to a supplement).
RATEABLE_STATES = (State.RETURNED, State.REFUSED, State.INTAKE_SUPPLEMENT)
HEAD_ROLES = (Membership.Role.LEADER, Membership.Role.DIRECTOR)
NOT_RATEABLE = (
    "Hồ sơ {code} chưa thể đánh giá: chỉ đánh giá sau khi hồ sơ đã được trả kết quả, bị từ chối tiếp "
    "nhận hoặc được hướng dẫn bổ sung."
)
RATED_TWICE = (
    "Hồ sơ {code} đã được đánh giá qua kênh “{channel}” lúc {at}. Mỗi hồ sơ chỉ được đánh giá một lần "
    "trên mỗi kênh; đánh giá trước vẫn được giữ nguyên."
)


def served_event(dossier: Dossier) -> DossierEvent | None:
    """The latest event that ended the citizen's visit: returned, refused, or guided to a
    supplement (its actor is the officer who served, the one rated); None if there is none."""
    return (
        DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.STATUS, state__in=RATEABLE_STATES)
        .order_by("-at", "-pk")
        .first()
    )


def rating_submit(
    *,
    dossier: Dossier,
    channel: str,
    source: str,
    data: dict[str, Any],
    device: CounterDevice | None = None,
    entered_by: Any = None,
    now: datetime | None = None,
) -> Rating:
    """Record the rating of ``dossier`` on ``channel`` from the submitted ``data`` (the
    questionnaire's answers and ``satisfied``). Nothing is recorded on any error."""
    now = now or timezone.now()
    if channel not in Channel.values or source not in Rating.Source.values:
        raise InvalidInput("Kênh đánh giá không hợp lệ.", code="rating_channel_invalid")
    served = served_event(dossier)
    if served is None:
        raise Conflict(NOT_RATEABLE.format(code=dossier.code), code="dossier_not_rateable")
    officer_id = served.actor_id
    if channel == Channel.PAPER:
        if entered_by is None or not user_can_act(entered_by, dossier.receiving_agency):
            raise Forbidden("Chỉ cán bộ của cơ quan tiếp nhận hồ sơ được nhập phiếu đánh giá giấy.")
        if entered_by.pk == officer_id:
            raise Forbidden(
                "Cán bộ không nhập phiếu đánh giá về chính mình; đề nghị đồng nghiệp khác nhập phiếu này.",
                code="rating_self_entry",
            )
    q = questionnaires.current("rating")
    satisfied, answers = questionnaires.clean_rating_answers(q, data)
    comment = str(data.get("comment") or "").strip()[:2000]
    _refuse_second(dossier, channel)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                channel=channel,
                source=source,
                agency_id=dossier.handling_agency_id,
                procedure_id=dossier.procedure_id,
                counter_id=device.counter_id if device else None,
                officer_id=officer_id,
                satisfied=satisfied,
                answers=answers,
                questionnaire_version=q.version,
                comment=comment,
                created_at=now,
                entered_by=entered_by if channel == Channel.PAPER else None,
            )
            # The audit names no respondent: only the dossier and the channel.
            audit_record(
                action="feedback.rating",
                actor=entered_by,
                obj=rating,
                after={"dossier": dossier.code, "channel": channel, "satisfied": satisfied},
            )
            if not satisfied:
                _alert_heads(rating, dossier)
    except IntegrityError:
        # Two submissions of one dossier on one channel at once: the unique constraint kept one.
        _refuse_second(dossier, channel)
        raise
    return rating


def duplicate_message(dossier: Dossier, channel: str) -> str | None:
    """What a second rating of ``dossier`` on ``channel`` is told, or None if it is the first."""
    earlier = Rating.objects.filter(dossier=dossier, channel=channel).values_list("created_at", flat=True)
    at = earlier.first()
    if at is None:
        return None
    when = timezone.localtime(at).strftime("%H:%M ngày %d/%m/%Y")
    return RATED_TWICE.format(code=dossier.code, channel=Channel(channel).label, at=when)


def _refuse_second(dossier: Dossier, channel: str) -> None:
    message = duplicate_message(dossier, channel)
    if message is not None:
        raise Conflict(message, code="rating_duplicate")


def _alert_heads(rating: Rating, dossier: Dossier) -> None:
    """An in-app notice to each leader and centre director of the handling agency (and above);
    the rating also waits in their inbox (selectors.unsatisfied_for) until one marks it handled.
    The notice names the dossier and the procedure, never the respondent."""
    heads = officers_acting_on([dossier.handling_agency], HEAD_ROLES)
    body = (
        f"Hồ sơ {dossier.code} ({dossier.procedure.name}) vừa nhận một đánh giá KHÔNG HÀI LÒNG. "
        "Đề nghị xem xét, xử lý và ghi nhận kết quả trong mục “Đánh giá chưa hài lòng”."
    )
    for head in heads:
        outbox_enqueue_to(
            channel=OutboxMessage.Channel.IN_APP,
            recipient=str(head.pk),
            event="feedback.unsatisfied",
            subject=f"Đánh giá không hài lòng: hồ sơ {dossier.code}",
            body=body,
            dossier=dossier,
        )


def rating_mark_handled(*, actor: Any, rating_id: int, note: str, now: datetime | None = None) -> Rating:
    """The head of the unit records how an unsatisfied rating was handled (once: a second head
    acting at the same time is told it is done already, and their note is not lost silently)."""
    from motcua.feedback.selectors import unsatisfied_for

    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            "Vui lòng ghi kết quả xử lý.",
            code="note_required",
            details={"note": "Vui lòng ghi kết quả xử lý."},
        )
    rating = Rating.objects.filter(pk=rating_id, satisfied=False).select_related("dossier").first()
    if rating is None or not unsatisfied_for(actor, include_handled=True).filter(pk=rating_id).exists():
        raise NotFound("Không tìm thấy đánh giá này trong phạm vi của ông/bà.", code="rating_not_found")
    now = now or timezone.now()
    with transaction.atomic():
        changed = Rating.objects.filter(pk=rating_id, handled_at__isnull=True).update(
            handled_at=now, handled_by=actor, handled_note=note[:4000]
        )
        if not changed:
            raise Conflict(
                "Đánh giá này đã được người khác ghi nhận xử lý. Vui lòng tải lại trang.", code="handled"
            )
        audit_record(action="feedback.rating_handled", actor=actor, obj=rating, after={"note": note[:4000]})
    rating.refresh_from_db()
    return rating
