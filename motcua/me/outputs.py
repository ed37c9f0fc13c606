"""What the citizen's API answers (``motcua/me/api.py``): a dossier as its owner sees it."""

from typing import Any

from motcua.accounts.models import Profile, User
from motcua.dossiers import selectors, situation, tracking
from motcua.dossiers.models import Dossier, NationalStatus

SUPPLEMENT_STATES = {Dossier.State.SUPPLEMENT, Dossier.State.INTAKE_SUPPLEMENT}
# Withdrawn at once (not yet received), or asked for (the officer confirms): the online services'
# states (``dossier_withdraw_online``).
WITHDRAW_AT_ONCE_STATES = {Dossier.State.SUBMITTED, Dossier.State.INTAKE_SUPPLEMENT}


def profile_of(user: User) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def _ref(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def summary(d: Dossier) -> dict[str, Any]:
    return {
        "code": d.code,
        "version": d.version,
        "procedure": _ref(d.procedure),
        "receiving_agency": _ref(d.receiving_agency),
        "status_code": d.status_code,
        "status_name": NationalStatus(d.status_code).label,
        "status_label": situation.status_label(d.status_code, d.outcome),
        "outcome": d.outcome,
        "channel": d.channel,
        "result_delivery": d.result_delivery,
        "applicant_name": d.applicant_name,
        "submitted_at": d.submitted_at,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "finished_at": d.finished_at,
        "timeliness": d.timeliness,
    }


def actions(d: Dossier) -> list[str]:
    """What the app offers now; the services decide when it is asked (409 otherwise)."""
    actions = ["supplement"] if d.state in SUPPLEMENT_STATES else []
    if d.state in WITHDRAW_AT_ONCE_STATES or (
        d.state in Dossier.OPEN_STATES and d.withdrawal_requested_at is None
    ):
        actions.append("withdraw")
    return actions


def told(d: Dossier) -> dict[str, Any]:
    """What the applicant is told of the dossier (the tracking page's rule, ``tracking``): its
    statuses, what to do now, the supplement or payment asked, the reason of a refusal — never
    the officers' notes."""
    row = tracking.find(d.code, d.pin)
    if row is None:  # not possible for a dossier just read; said plainly all the same
        return {"timeline": [], "guidance": "", "supplement": None, "payment": None, "reason": None}
    view = tracking.public_view(row)
    supplement, payment = view.supplement, view.payment
    return {
        "timeline": [
            {"at": h.at, "status_code": h.status_code, "status_name": h.status_name, "label": h.label}
            for h in view.history
        ],
        "guidance": view.guidance,
        "supplement": {
            "items": [{"name": i.name, "reason": i.reason} for i in supplement.items],
            "requested_at": supplement.requested_at,
            "due_by": supplement.due_by,
            "at_intake": supplement.at_intake,
            "policy": supplement.policy,
            "appointment_text": supplement.appointment_sentence,
        }
        if supplement
        else None,
        "payment": {
            "amount_vnd": payment.amount_vnd,
            "amount_text": payment.amount_text,
            "requested_at": payment.requested_at,
        }
        if payment
        else None,
        "reason": {"title": view.reason_title, "text": view.reason} if view.reason else None,
    }


def detail(d: Dossier) -> dict[str, Any]:
    return {
        **summary(d),
        "applicant": {
            "kind": d.applicant_kind,
            "name": d.applicant_name,
            "citizen_id": d.citizen_id,
            "tax_code": d.tax_code,
            "phone": d.phone,
            "email": d.email,
            "address": d.address,
        },
        "submitter": {"relation": d.submitter_relation, "name": d.submitter_name}
        if d.submitter_relation not in ("", Dossier.SubmitterRelation.SELF)
        else None,
        "documents": [
            {
                "requirement": doc.requirement_code,
                "name": doc.name,
                "copy_kind": doc.copy_kind,
                "count": doc.count,
                "files": [
                    {
                        "id": f.pk,
                        "original_name": f.original_name,
                        "content_type": f.content_type,
                        "size": f.size,
                        "uploaded_at": f.uploaded_at,
                    }
                    for f in doc.files.all()
                ],
            }
            for doc in selectors.dossier_documents(d)
        ],
        "national_identity": d.national_identity,
        **told(d),
        "actions": actions(d),
    }
