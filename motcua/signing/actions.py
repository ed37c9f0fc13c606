"""The back office's call of a transition with the e-result's part in the same transaction:
approval with the result to sign (the attached PDF, field ``ket_qua``, or the template, field
``lap_tu_mau``), and the signed results issued when the dossier is finished or returned."""

from typing import Any

from django.db import transaction

from motcua.dossiers.models import Dossier
from motcua.signing.services import dossier_approve_with_result, dossier_issue_results

ISSUING_ACTIONS = frozenset({"finish", "return-result"})


def run_action(spec: Any, *, files: Any, post: Any, **kwargs: Any) -> Dossier:
    if spec.name == "approve":
        approved, _ = dossier_approve_with_result(
            **kwargs, result_file=files.get("ket_qua") or None, render=post.get("lap_tu_mau") == "1"
        )
        return approved
    with transaction.atomic():
        dossier = spec.service(**kwargs)
        if spec.name in ISSUING_ACTIONS:
            dossier_issue_results(dossier=dossier, actor=kwargs.get("actor"), ip=kwargs.get("ip"))
        return dossier
