"""Steps an app above ``dossiers`` adds to a transition, run inside the transition's transaction.

``dossiers`` imports no app above it (architecture.md); an app that must act when a dossier is
received registers its function here in its ``AppConfig.ready`` (motcua.payments: a procedure
paid at submission asks the online applicant to pay at reception). A hook gets the dossier as
the transition left it and returns it as it leaves it (or None when it changed nothing)."""

from __future__ import annotations

from collections.abc import Callable

from motcua.dossiers.models import Dossier

AFTER_RECEIVE: list[Callable[[Dossier], Dossier | None]] = []


def run_after_receive(dossier: Dossier) -> Dossier:
    for hook in AFTER_RECEIVE:
        dossier = hook(dossier) or dossier
    return dossier
