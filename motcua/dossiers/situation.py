"""How a dossier's situation is said to people: one place for the words of a status with its
outcome, and for the reason given when a dossier is not granted.

The national status stays the code the national portal knows (``NationalStatus``, 1–10). A
dossier *not granted* after appraisal (``dossier_reject``: outcome ``rejected``; not the refusal
at reception, status 3) finishes at 9 and is returned at 10 exactly like a granted one, so the
national name alone ("Đã xử lý xong", "Đã trả kết quả") would read as a success. Every page and
API answer that names a dossier's situation for people takes it from ``status_label``: the
public tracking (page and API), the back office's dossier page and the staff API's detail.

The reason is the note of the event that closed the dossier (``DossierEvent.note`` of the
``reject`` event: ``dossier_reject`` requires it and tells it to the applicant, so it is public).
The same holds for the refusal at reception (``refuse``) and a stop (``stop``), whose reasons are
also sent to the applicant; notes of other events may be internal and are never shown here.
"""

from dataclasses import dataclass

from motcua.dossiers.models import Dossier, DossierEvent, NationalStatus, Timeliness

REJECTED = Dossier.Outcome.REJECTED.value
# Events whose note is the reason told to the applicant (the services send it in the notice).
REASON_ACTIONS = ("reject", "refuse", "stop")

_REJECTED_LABELS = {
    NationalStatus.FINISHED: "Không giải quyết — đã có văn bản trả lời",
    NationalStatus.RETURNED: "Không giải quyết — đã trả văn bản trả lời",
}
OUTCOME_LABELS = {
    "": "",
    Dossier.Outcome.APPROVED.value: "Được giải quyết",
    REJECTED: "Không giải quyết (có văn bản trả lời nêu rõ lý do)",
}
REASON_TITLES = {
    "reject": "Lý do không giải quyết",
    "refuse": "Lý do không tiếp nhận",
    "stop": "Lý do dừng xử lý",
}


def status_label(status_code: int, outcome: str = "") -> str:
    """The situation in a few words: the national status's name, except for a dossier not granted
    (finished or returned with outcome ``rejected``), which never reads as a success."""
    if outcome == REJECTED and status_code in _REJECTED_LABELS:
        return _REJECTED_LABELS[NationalStatus(status_code)]
    return NationalStatus(status_code).label


def outcome_label(outcome: str) -> str:
    """ "Được giải quyết", "Không giải quyết (…)", or "" while there is no outcome."""
    return OUTCOME_LABELS.get(outcome or "", "")


def timeliness_label(timeliness: str) -> str:
    return Timeliness(timeliness).label if timeliness else ""


def closing_reason(dossier: Dossier) -> tuple[str, str]:
    """(action, reason) of the event that closed the dossier with a reason told to the applicant
    (not granted, refused at reception, stopped), or ("", "") — one query, only for such a dossier."""
    if not _has_reason(dossier):
        return "", ""
    event = (
        DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.STATUS, action__in=REASON_ACTIONS)
        .order_by("-at", "-pk")
        .values_list("action", "note")
        .first()
    )
    return (event[0], event[1]) if event else ("", "")


def rejection_reason(dossier: Dossier) -> str:
    """Why the dossier was not granted (the note of its ``dossier_reject``), or "" when it was not
    rejected."""
    if dossier.outcome != REJECTED:
        return ""
    action, reason = closing_reason(dossier)
    return reason if action == "reject" else ""


def _has_reason(dossier: Dossier) -> bool:
    return dossier.outcome == REJECTED or dossier.state in (Dossier.State.REFUSED, Dossier.State.STOPPED)


@dataclass(frozen=True)
class Situation:
    """What a staff page or the staff API says of a dossier's situation."""

    label: str
    outcome: str
    outcome_label: str
    reason_title: str
    reason: str

    @property
    def rejected(self) -> bool:
        return self.outcome == REJECTED

    @property
    def outcome_statuses(self) -> tuple[int, ...]:
        """The national statuses whose words depend on the outcome (9 and 10)."""
        return tuple(_REJECTED_LABELS)


def situation_of(dossier: Dossier) -> Situation:
    action, reason = closing_reason(dossier)
    return Situation(
        label=status_label(dossier.status_code, dossier.outcome),
        outcome=dossier.outcome,
        outcome_label=outcome_label(dossier.outcome),
        reason_title=REASON_TITLES.get(action, ""),
        reason=reason,
    )
