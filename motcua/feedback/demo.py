"""Demo ratings and survey rounds (``manage.py demo_load``): every returned, refused or guided
demo dossier may be rated (about half are, on the counter tablet, online or on paper), its
officer the one who served it. Satisfaction rises over the weeks the demo covers and differs by
commune (a few communes well below the rest), as the reports this project grew from describe;
two survey rounds (the first and the second half of the period) show the same rise.

Written in bulk, like the demo dossiers: no notices to the heads of unit, no SMS invitations
(their outbox rows would only fail to send on a developer's machine). Deterministic for a seed;
running it again when demo ratings exist changes nothing.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback import questionnaires
from motcua.feedback.models import Rating, SurveyInvitation, SurveyResponse, SurveyRound
from motcua.feedback.services import RATEABLE_STATES

RATED_SHARE = 0.5
# (channel, source, weight): most ratings on the counter tablets, then online, a few on paper.
CHANNELS = (
    (Rating.Channel.COUNTER, Rating.Source.DEVICE, 5),
    (Rating.Channel.ONLINE, Rating.Source.TRACKING, 3),
    (Rating.Channel.ONLINE, Rating.Source.MY_DOSSIERS, 1),
    (Rating.Channel.PAPER, Rating.Source.PAPER_FORM, 1),
)


def demo_ratings_exist() -> bool:
    return Rating.objects.exists()


def _answers(rng: random.Random, satisfied: bool) -> dict[str, Any]:
    good = 0.85 if satisfied else 0.35
    return {
        "contacts": "none" if rng.random() < good else rng.choice(["one", "more"]),
        "agencies": rng.choice(["none", "one_stop"]) if rng.random() < good else "more",
        "misconduct": "no" if satisfied or rng.random() < 0.8 else "yes",
    }


def build_demo_feedback(*, org: Any, seed: int = 2026, stdout: Any = None) -> dict[str, int]:
    if demo_ratings_exist():
        return {"ratings": 0, "responses": 0}
    rng = random.Random(seed)
    version = questionnaires.current("rating").version
    served = (
        DossierEvent.objects.filter(kind=DossierEvent.Kind.STATUS, state__in=RATEABLE_STATES)
        .order_by("dossier_id", "-at", "-pk")
        .values_list("dossier_id", "at", "actor_id")
    )
    last_served: dict[int, tuple[Any, Any]] = {}
    for dossier_id, at, actor_id in served.iterator():
        last_served.setdefault(dossier_id, (at, actor_id))
    dossiers = Dossier.objects.filter(pk__in=list(last_served)).values_list(
        "pk", "handling_agency_id", "procedure_id", "receiving_agency__parent_id"
    )
    if not last_served:
        return {"ratings": 0, "responses": 0}
    now = timezone.now()
    first = min(at for at, _ in last_served.values())
    span = max((now - first).total_seconds(), 1.0)
    # Each commune (by its committee) its own level: most well above 80%, a few far below.
    communes = sorted({c.committee.pk for c in org.communes})
    level = {pk: rng.choice([0.62, 0.72, 0.8, 0.85, 0.88, 0.9]) for pk in communes}
    ratings = []
    for pk, agency_id, procedure_id, parent_id in dossiers.order_by("pk"):
        if rng.random() > RATED_SHARE:
            continue
        at, officer_id = last_served[pk]
        progress = (at - first).total_seconds() / span  # 0 at the first dossier served, 1 now
        base = level.get(agency_id) or level.get(parent_id) or 0.82
        satisfied = rng.random() < min(0.98, base - 0.15 + 0.25 * progress)
        channel, source, _ = rng.choices(CHANNELS, weights=[w for *_, w in CHANNELS])[0]
        created = min(
            now, at + timedelta(minutes=rng.randint(1, 60 * 24 * (3 if channel != "counter" else 0) + 5))
        )
        ratings.append(
            Rating(
                dossier_id=pk,
                channel=channel,
                source=source,
                agency_id=agency_id,
                procedure_id=procedure_id,
                officer_id=officer_id,
                satisfied=satisfied,
                answers=_answers(rng, satisfied),
                questionnaire_version=version,
                created_at=created,
                # Older unsatisfied ratings were handled; the recent ones wait in the heads' inboxes.
                handled_at=created + timedelta(days=2) if not satisfied and progress < 0.8 else None,
                handled_note="Đã liên hệ người dân, giải thích và khắc phục."
                if not satisfied and progress < 0.8
                else "",
            )
        )
    responses = 0
    with transaction.atomic():
        Rating.objects.bulk_create(ratings, batch_size=1000)
        responses = _survey_rounds(org, rng, first, now)
    if stdout is not None:
        unsatisfied = sum(not r.satisfied for r in ratings)
        stdout.write(
            f"Đánh giá mức độ hài lòng: {len(ratings)} lượt ({unsatisfied} không hài lòng); "
            f"2 đợt khảo sát, {responses} phiếu. Xem /danh-gia/ket-qua/, /danh-gia/khao-sat/, "
            "máy đánh giá tại quầy /danh-gia/quay/ (cấp mã ghép ở /danh-gia/thiet-bi/)."
        )
    return {"ratings": len(ratings), "responses": responses}


def _satisfaction(rng: random.Random, lift: float) -> int:
    if rng.random() < 0.3 + lift:
        return 5
    return 4 if rng.random() < 0.6 + lift else rng.choice([1, 2, 3])


def _survey_rounds(org: Any, rng: random.Random, first: Any, now: Any) -> int:
    """Two rounds over the province, the first and the second half of the period; answers to
    about 60% of the invitations, anonymous, more satisfied in the second round."""
    q = questionnaires.current("survey")
    middle = first + (now - first) / 2
    total = 0
    for number, (start, end, lift) in enumerate(((first, middle, 0.0), (middle, now, 0.12)), start=1):
        returned = list(
            Dossier.objects.filter(state=Dossier.State.RETURNED, returned_at__gte=start, returned_at__lt=end)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        seed = rng.randrange(1 << 40)
        sample = sorted(random.Random(seed).sample(returned, min(120, len(returned))))
        if not sample:
            continue
        rnd = SurveyRound.objects.create(
            name=f"Khảo sát sự hài lòng đợt {number}",
            agency=org.province_committee,
            questionnaire_version=q.version,
            closed_from=timezone.localdate(start),
            closed_until=timezone.localdate(end),
            sample_size=len(sample),
            seed=seed,
            created_at=end,
        )
        invitations, answers = [], []
        for pk in sample:
            answered = rng.random() < 0.6
            invitations.append(
                SurveyInvitation(
                    round=rnd,
                    dossier_id=None if answered else pk,
                    channel=SurveyInvitation.Channel.SMS,
                    nonce=secrets.token_hex(16),
                    sent_on=timezone.localdate(end),
                    used_on=timezone.localdate(end) if answered else None,
                )
            )
            if answered:
                answers.append(
                    SurveyResponse(
                        round=rnd,
                        channel=SurveyInvitation.Channel.SMS,
                        answers={
                            e["key"]: {
                                "assessment": rng.choice([3, 4, 4, 5]),
                                "satisfaction": 5
                                if rng.random() < 0.3 + lift
                                else (4 if rng.random() < 0.65 + lift else rng.choice([1, 2, 3])),
                                "expectation": rng.choice([1, 2, 3, 4]),
                            }
                            for e in q.elements
                        },
                        answered_on=timezone.localdate(end),
                    )
                )
        SurveyInvitation.objects.bulk_create(invitations)
        SurveyResponse.objects.bulk_create(answers)
        total += len(answers)
    return total
