"""A transition with the e-result's part in the same transaction, for the back office and the
API alike: approval with the result to sign (an attached PDF — the page's field ``ket_qua`` —,
or one drawn up from the template — the page's ``lap_tu_mau``, the API's ``render_result``), and
the signed results issued when the dossier is finished or returned."""

from typing import Any

from django.db import transaction

from motcua.dossiers.models import Dossier
from motcua.signing.services import dossier_approve_with_result, dossier_issue_results

ISSUING_ACTIONS = frozenset({"finish", "return-result"})


def run_action(spec: Any, *, result_file: Any = None, render: bool = False, **kwargs: Any) -> Dossier:
    """``spec.service(**kwargs)``; for an approval, with the result to sign (``result_file`` or,
    with ``render``, the template's), which other actions ignore."""
    if spec.name == "approve":
        approved, _ = dossier_approve_with_result(**kwargs, result_file=result_file, render=render)
        return approved
    if spec.name not in ISSUING_ACTIONS:
        return spec.service(**kwargs)
    with transaction.atomic():
        dossier = spec.service(**kwargs)
        dossier_issue_results(dossier=dossier, actor=kwargs.get("actor"), ip=kwargs.get("ip"))
        return dossier
