"""Fixtures of the roll-up tests: the dossier tests' province, procedure and people."""

from datetime import date

from motcua.dossiers import services
from motcua.dossiers.tests.conftest import frozen, world  # noqa: F401 — the dossier tests' fixtures

MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}
ITEMS = [services.SupplementItem("Tờ khai", "Thiếu chữ ký của người yêu cầu")]


def to_finished(w, d):
    """A dossier being processed by the specialist, approved by the leader and finished now."""
    d = services.dossier_forward(actor=w.specialist, dossier=d, expected_version=d.version, officer=w.leader)
    d = services.dossier_approve(actor=w.leader, dossier=d, expected_version=d.version)
    return services.dossier_finish(actor=w.receptionist, dossier=d, expected_version=d.version)


def supplement(w, d):
    d = services.dossier_request_supplement(
        actor=w.specialist, dossier=d, expected_version=d.version, items=ITEMS
    )
    return d


def supplied(w, d):
    return services.dossier_receive_supplement(actor=w.receptionist, dossier=d, expected_version=d.version)
