"""The two ways a new reception is written give the same rows.

On PostgreSQL a reception is written in two statements (``receive_new_postgresql``, what
``bench/intake.py`` measures); on every database it can be written through the ORM
(``receive_new_orm``, what SQLite runs). Each database's suite runs only one of them through
``dossier_receive``, so this test, on PostgreSQL, receives the same input through both at the
same frozen moment and compares every row each one wrote, field by field: the dossier, its
documents, its first step, its event, its audit event and its outbox messages. Only what must
differ between two dossiers is left out (keys, the random identifier and PIN, the day's number,
the audit chain's position and hash, which follow from the rest)."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from motcua.audit.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from motcua.dossiers.services.intake import clean_intake, procedure_snapshot
from motcua.dossiers.services.reception import receive_new_orm, receive_new_postgresql
from motcua.dossiers.tests.conftest import intake
from motcua.notifications.models import OutboxMessage

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the two-statement path is PostgreSQL's"),
]

# Fields that differ between any two dossiers, whichever way they were written.
DIFFER = {"id", "uid", "pin", "code", "dossier", "current_step", "object_id", "object_repr", "seq"}
DIFFER_AUDIT = DIFFER | {"hash", "prev_hash"}


def _row(obj, leave_out=DIFFER) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in leave_out}


def _written(dossier: Dossier) -> dict:
    dossier = Dossier.objects.get(pk=dossier.pk)
    audit = AuditEvent.objects.get(object_type="dossiers.dossier", object_id=str(dossier.pk))
    assert audit.after is not None
    after = dict(audit.after)
    after.pop("code")
    assert dossier.current_step is not None
    return {
        "dossier": _row(dossier),
        "current step": dossier.current_step.seq,
        "documents": [_row(d) for d in DossierDocument.objects.filter(dossier=dossier).order_by("order")],
        "steps": [_row(s) for s in DossierStep.objects.filter(dossier=dossier).order_by("seq")],
        "events": [_row(e) for e in DossierEvent.objects.filter(dossier=dossier).order_by("pk")],
        "audit": {**_row(audit, DIFFER_AUDIT), "after": after},
        "outbox": [
            {
                **_row(m),
                "subject": m.subject.replace(dossier.code, "CODE"),
                "body": m.body.replace(dossier.code, "CODE").replace(dossier.pin, "PIN"),
            }
            for m in OutboxMessage.objects.filter(dossier=dossier).order_by("channel", "pk")
        ],
    }


def test_both_ways_of_writing_a_reception_write_the_same_rows(world, frozen):
    data = intake(world)
    data.applicant.phone = "0912345678"
    data.applicant.email = "binh@example.vn"
    data.applicant.address = "Số 1, đường Lê Lợi"
    written = []
    for write in (receive_new_postgresql, receive_new_orm):
        with transaction.atomic():
            checked = clean_intake(world.receptionist, data)
            dossier = write(
                checked,
                procedure_snapshot(checked),
                actor=world.receptionist,
                now=timezone.now(),
                idempotency_key=None,
                ip="192.0.2.10",
            )
        written.append((dossier, _written(dossier)))
    (fast, fast_rows), (orm, orm_rows) = written
    assert fast.code.endswith("-0001") and orm.code.endswith("-0002")  # one day's numbers, in turn
    assert fast_rows["outbox"] and fast_rows["documents"] and fast_rows["audit"]["ip_address"] == "192.0.2.10"
    for part in fast_rows:
        assert fast_rows[part] == orm_rows[part], part
