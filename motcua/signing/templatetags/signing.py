"""Template tags other apps' pages use to show the e-results: the citizen's dossier page
(``citizen_e_results``) and the leader's approval form (``approval_result_fields``)."""

from django import template

from motcua.dossiers.files import _megabytes
from motcua.signing import selectors, services, stamping

register = template.Library()


@register.inclusion_tag("signing/_citizen_results.html", takes_context=True)
def citizen_e_results(context, dossier):
    user = context["request"].user
    return {"results": list(selectors.citizen_results(user, dossier)), "verify_url": "signing:verify"}


@register.inclusion_tag("signing/_approval_fields.html", takes_context=True)
def approval_result_fields(context, dossier):
    """The result PDF to attach, or the template to use, when the approving leader has his own
    key at the dossier's handling agency; nothing otherwise (the approval stays as it was)."""
    user = context["request"].user
    signer = services.leader_signer(agency_id=dossier.handling_agency_id, user=user)
    return {"signer": signer, "limit": _megabytes(stamping.result_max_bytes())}
