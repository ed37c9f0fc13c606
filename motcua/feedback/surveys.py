"""The periodic survey (SIPAS-style): a round draws a random sample of closed dossiers (returned
in a period, handled in the round's agency and below; reproducible: the same seed draws the same
sample), invites each applicant by SMS link, in-app web link, or on paper, and records anonymous
answers. The result is, per element and overall, the share of "hài lòng" + "rất hài lòng".

Anonymity: an answer row holds the round, the channel, the answers and the day, nothing else;
using an invitation clears its dossier, so no answer leads back to a dossier or a person.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.dossiers.models import Dossier
from motcua.feedback import questionnaires
from motcua.feedback.links import read_survey_token, survey_url
from motcua.feedback.models import SurveyInvitation, SurveyResponse, SurveyRound
from motcua.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from motcua.notifications.messages import sms_text
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_enqueue_to
from motcua.org.models import Agency, Membership
from motcua.org.selectors import agencies_actable_by, agency_subtree
from motcua.workcalendar.calendar import VN_TZ

ORGANISER_ROLES = (Membership.Role.DIRECTOR, Membership.Role.LEADER, Membership.Role.ADMINISTRATOR)
USED_MESSAGE = "Đường dẫn khảo sát này đã được sử dụng. Mỗi lời mời chỉ trả lời được một lần; cảm ơn ông/bà."
MAX_SAMPLE = 5000


def rounds_for(user: Any):
    return SurveyRound.objects.filter(agency__in=agencies_actable_by(user, roles=ORGANISER_ROLES)).order_by(
        "-created_at"
    )


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time.min, tzinfo=VN_TZ),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=VN_TZ),
    )


def draw_sample(*, agency: Agency, closed_from: date, closed_until: date, size: int, seed: int) -> list[int]:
    """Ids of ``size`` dossiers returned between the two days (Vietnam time) and handled in
    ``agency``'s subtree, drawn at random with ``seed``: the same inputs give the same sample."""
    start, end = _day_bounds(closed_from, closed_until)
    ids = list(
        Dossier.objects.filter(
            state=Dossier.State.RETURNED,
            handling_agency__in=agency_subtree(agency),
            returned_at__gte=start,
            returned_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))


def survey_round_create(
    *,
    actor: Any,
    agency_id: int,
    name: str,
    closed_from: date | None,
    closed_until: date | None,
    sample_size: int | None,
    seed: int | None = None,
) -> SurveyRound:
    """Create a round, draw its sample and queue its invitations (SMS when the dossier has a
    phone, an in-app notice when it has an account, else a paper invitation)."""
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Nhập tên đợt khảo sát."
    if closed_from is None:
        errors["closed_from"] = "Nhập ngày bắt đầu (dd/mm/yyyy)."
    if closed_until is None:
        errors["closed_until"] = "Nhập ngày kết thúc (dd/mm/yyyy)."
    elif closed_from is not None and closed_until < closed_from:
        errors["closed_until"] = "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
    if not sample_size or not 1 <= sample_size <= MAX_SAMPLE:
        errors["sample_size"] = f"Cỡ mẫu từ 1 đến {MAX_SAMPLE:,}".replace(",", ".") + "."
    if errors:
        raise InvalidInput("Thông tin đợt khảo sát chưa hợp lệ.", code="survey_round_invalid", details=errors)
    assert closed_from is not None and closed_until is not None and sample_size is not None
    agency = agencies_actable_by(actor, roles=ORGANISER_ROLES).filter(pk=agency_id).first()
    if agency is None:
        raise Forbidden("Ông/bà không tổ chức khảo sát cho cơ quan này.", code="survey_forbidden")
    seed = secrets.randbits(48) if seed is None else int(seed)
    picked = draw_sample(
        agency=agency, closed_from=closed_from, closed_until=closed_until, size=sample_size, seed=seed
    )
    if not picked:
        raise InvalidInput(
            "Không có hồ sơ nào đã trả kết quả trong khoảng thời gian này để chọn mẫu.",
            code="survey_sample_empty",
            details={"closed_from": "Chọn khoảng thời gian có hồ sơ đã trả kết quả."},
        )
    q = questionnaires.current("survey")
    today = timezone.localdate()
    with transaction.atomic():
        rnd = SurveyRound.objects.create(
            name=name.strip()[:200],
            agency=agency,
            questionnaire_version=q.version,
            closed_from=closed_from,
            closed_until=closed_until,
            sample_size=sample_size,
            seed=seed,
            created_by=actor,
            created_at=timezone.now(),
        )
        for dossier in Dossier.objects.filter(pk__in=picked).select_related("owner").order_by("pk"):
            _invite(rnd, dossier, today)
        audit_record(
            action="feedback.survey_round", actor=actor, obj=rnd, after={"sample": len(picked), "seed": seed}
        )
    return rnd


def _invite(rnd: SurveyRound, dossier: Dossier, today: date) -> SurveyInvitation:
    phone = dossier.phone or (dossier.owner.phone if dossier.owner_id and dossier.owner else "")
    channel = (
        SurveyInvitation.Channel.SMS
        if phone
        else SurveyInvitation.Channel.WEB
        if dossier.owner_id
        else SurveyInvitation.Channel.PAPER
    )
    invitation = SurveyInvitation.objects.create(
        round=rnd, dossier=dossier, channel=channel, nonce=secrets.token_hex(16), sent_on=today
    )
    text = invitation_text(rnd.agency, survey_url(invitation.nonce))
    if channel == SurveyInvitation.Channel.SMS:
        outbox_enqueue_to(
            channel=OutboxMessage.Channel.SMS, recipient=phone, event="feedback.survey", body=text
        )
    elif channel == SurveyInvitation.Channel.WEB:
        outbox_enqueue_to(
            channel=OutboxMessage.Channel.IN_APP,
            recipient=str(dossier.owner_id),
            event="feedback.survey",
            subject="Mời tham gia khảo sát sự hài lòng",
            body=text,
        )
    return invitation


def invitation_text(agency: Agency, url: str) -> str:
    """The invitation, its link whole: an SMS is cut to its length limit (two parts by default),
    so the agency's name is left out when it would push the link past the cut."""
    name = agency.short_name or agency.name
    text = f"{name} mời ông/bà trả lời phiếu khảo sát sự hài lòng (ẩn danh, 3 phút): {url}"
    if not sms_text(text).endswith(url):
        text = f"Mời ông/bà trả lời phiếu khảo sát sự hài lòng (ẩn danh, 3 phút): {url}"
    return text


def invitation_for_token(token: str) -> SurveyInvitation:
    """The unused invitation a genuine link names; Forbidden for a forged or expired link,
    Conflict for a used one."""
    nonce = read_survey_token(token)
    invitation = SurveyInvitation.objects.select_related("round").filter(nonce=nonce).first()
    if invitation is None:
        raise NotFound("Không tìm thấy lời mời khảo sát này.", code="survey_invitation_not_found")
    if invitation.used_on is not None:
        raise Conflict(USED_MESSAGE, code="survey_link_used")
    return invitation


def survey_answer(*, token: str, data: dict[str, Any]) -> SurveyResponse:
    """Record an anonymous answer through an invitation link (once)."""
    invitation = invitation_for_token(token)
    rnd = invitation.round
    answers = questionnaires.clean_survey_answers(
        questionnaires.questionnaire(rnd.questionnaire_version), data
    )
    today = timezone.localdate()
    with transaction.atomic():
        # Conditional: two submissions of one link at once, one wins, the other is told it is used.
        used = SurveyInvitation.objects.filter(pk=invitation.pk, used_on__isnull=True).update(
            used_on=today, dossier=None
        )
        if not used:
            raise Conflict(USED_MESSAGE, code="survey_link_used")
        return SurveyResponse.objects.create(
            round=rnd, channel=invitation.channel, answers=answers, answered_on=today
        )


def survey_paper_entry(*, actor: Any, round_id: int, data: dict[str, Any]) -> SurveyResponse:
    """A paper questionnaire typed in by an officer of the round's agency (anonymous too)."""
    rnd = SurveyRound.objects.filter(pk=round_id, agency__in=agencies_actable_by(actor)).first()
    if rnd is None:
        raise NotFound("Không tìm thấy đợt khảo sát này.", code="survey_round_not_found")
    answers = questionnaires.clean_survey_answers(
        questionnaires.questionnaire(rnd.questionnaire_version), data
    )
    return SurveyResponse.objects.create(
        round=rnd, channel=SurveyInvitation.Channel.PAPER, answers=answers, answered_on=timezone.localdate()
    )


@dataclass(frozen=True)
class ElementResult:
    key: str
    name: str
    answered: int
    satisfied: int

    @property
    def share(self) -> float | None:
        return round(100 * self.satisfied / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class RoundResult:
    responses: int
    invited: int
    elements: list[ElementResult]

    @property
    def overall(self) -> float | None:
        """The mean of the elements' shares (UNVERIFIED: the common practice, legal-facts §9.1)."""
        shares = [e.share for e in self.elements if e.share is not None]
        return round(sum(shares) / len(shares), 1) if shares else None


def survey_result(rnd: SurveyRound) -> RoundResult:
    q = questionnaires.questionnaire(rnd.questionnaire_version)
    counts = {e["key"]: [0, 0] for e in q.elements}
    responses = 0
    for answers in SurveyResponse.objects.filter(round=rnd).values_list("answers", flat=True).iterator():
        responses += 1
        for key, dims in (answers or {}).items():
            value = dims.get("satisfaction") if isinstance(dims, dict) else None
            if key in counts and isinstance(value, int):
                counts[key][0] += 1
                counts[key][1] += value >= questionnaires.SATISFIED_FROM
    return RoundResult(
        responses=responses,
        invited=SurveyInvitation.objects.filter(round=rnd).count(),
        elements=[ElementResult(e["key"], e["name"], *counts[e["key"]]) for e in q.elements],
    )
