"""Writing the audit log: the only writer of AuditEvent and AuditChain, and of the checkpoints.

``audit_record`` appends an event; ``audit_event`` builds one (hash included) for a writer that
inserts it in a statement of its own, which only the dossier reception on PostgreSQL does.
``audit_checkpoint_write`` signs every chain's head into the checkpoint storage."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils import timezone

from motcua.audit.checkpoints import ChainPin, checkpoint_body, checkpoint_save
from motcua.audit.hashing import keyed_hash
from motcua.audit.keys import checkpoint_key_ring, event_key_ring
from motcua.audit.models import AuditChain, AuditEvent
from motcua.audit.selectors import ChainProblem, audit_verify_log

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser, User

SYSTEM_CHAIN = "system"


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(obj: Model) -> dict[str, Any]:
    """The field values of a model instance as JSON-ready data (for before/after)."""
    return jsonable(model_to_dict(obj))


def audit_event(
    *,
    action: str,
    chain: str,
    seq: int,
    prev_hash: str,
    actor: "AnyUser | None" = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Event number ``seq`` of ``chain`` after the event hashed ``prev_hash``, with its own hash
    (the HMAC with the current audit key, named by ``key_id``); not saved. ``audit_record``
    saves it; the reception's one-statement write on PostgreSQL (``dossiers.services.reception``)
    inserts it with the dossier it records."""
    ring = event_key_ring()  # before anything else: no key, no event (ImproperlyConfigured)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    # Only a signed-in user is recorded (an anonymous visitor is no one).
    user = cast("User", actor) if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        chain=chain,
        seq=seq,
        prev_hash=prev_hash,
        # Stored to the microsecond and hashed from the stored value.
        occurred_at=timezone.now(),
        actor=user,
        actor_name=(user.get_full_name() if user else "")[:200],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        ip_address=ip or None,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        extra=jsonable(extra or {}),
        key_id=ring.current,
    )
    event.hash = keyed_hash(event, ring.current_key)
    return event


def audit_record(
    *,
    action: str,
    actor: "AnyUser | None" = None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    chain: str = SYSTEM_CHAIN,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to ``chain``, inside the caller's transaction when there is one (without
    a savepoint of its own), else in its own.

    The chain head row is locked (select_for_update) so that two writers on the same chain
    take turns; writers on other chains do not wait. ``ip``: the client's address, as the
    interface found it (``motcua.lib.clients.client_ip``).
    """
    event_key_ring()  # no key, no event (ImproperlyConfigured), before any row is locked
    with transaction.atomic(savepoint=False):
        head = AuditChain.objects.select_for_update().filter(key=chain).first()
        if head is None:  # the chain's first event
            AuditChain.objects.get_or_create(key=chain)
            head = AuditChain.objects.select_for_update().get(key=chain)
        event = audit_event(
            action=action,
            chain=chain,
            seq=head.last_seq + 1,
            prev_hash=head.last_hash,
            actor=actor,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            before=before,
            after=after,
            extra=extra,
            ip=ip,
        )
        event.save(force_insert=True)
        AuditChain.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
    return event


class AuditIntegrityError(Exception):
    """The log disagrees with itself or with the latest checkpoint: no new checkpoint is signed."""

    def __init__(self, problems: list[ChainProblem]) -> None:
        super().__init__(f"{len(problems)} lỗi toàn vẹn")
        self.problems = problems


@dataclass
class CheckpointWritten:
    name: str
    chains: int
    events: int  # events verified before signing
    acknowledged: list[ChainProblem]


def audit_checkpoint_write(*, acknowledge: str = "") -> CheckpointWritten:
    """Verify what was written since the latest checkpoint, then sign every chain's head into a
    new checkpoint in the checkpoint storage (outside the database).

    A log that disagrees with the latest checkpoint (a chain deleted, truncated, rolled back,
    rewritten …) is not signed: AuditIntegrityError, so that tampering is never anchored. After
    an incident that cannot be undone (a database restored from a backup older than the latest
    checkpoint), an operator signs the state as it is with ``acknowledge``, the reason: it is
    written into the checkpoint with the problems it accepts."""
    verification = audit_verify_log(since_checkpoint=True)
    reason = acknowledge.strip()
    if verification.problems and not reason:
        raise AuditIntegrityError(verification.problems)
    latest = verification.checkpoint
    chains: dict[str, ChainPin] = {}
    for key, end in verification.ends.items():
        before = latest.chains.get(key) if latest is not None else None
        chains[key] = ChainPin(
            seq=end.seq,
            hash=end.hash,
            at=end.at,
            # Events without a key are never written any more: the mark only ever stays.
            legacy_until=max(before.legacy_until if before is not None else 0, end.legacy_seen),
        )
    acknowledged = (
        {"reason": reason, "problems": [str(p) for p in verification.problems]}
        if verification.problems
        else None
    )
    body = checkpoint_body(
        created_at=timezone.now(),
        chains=chains,
        previous=latest.name if latest is not None else None,
        acknowledged=acknowledged,
    )
    name = checkpoint_save(body, checkpoint_key_ring())
    return CheckpointWritten(
        name=name, chains=len(chains), events=verification.events, acknowledged=verification.problems
    )
