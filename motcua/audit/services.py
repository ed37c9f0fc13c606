"""Writing the audit log. The only write path for AuditEvent."""

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone

from motcua.audit.models import AuditChain, AuditEvent

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


def event_hash(event: AuditEvent) -> str:
    payload = {
        "chain": event.chain,
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": event.occurred_at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "type": event.object_type,
        "id": event.object_id,
        "repr": event.object_repr,
        "ip": event.ip_address,
        "before": event.before,
        "after": event.after,
        "extra": event.extra,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to ``chain``. Joins the caller's transaction when there is one.

    The chain head row is locked (select_for_update) so that two writers on the same chain
    take turns; writers on other chains do not wait.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    # Only a signed-in user is recorded (an anonymous visitor is no one).
    user = cast("User", actor) if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditChain.objects.get_or_create(key=chain)
        head = AuditChain.objects.select_for_update().get(pk=head.pk)
        event = AuditEvent(
            chain=chain,
            seq=head.last_seq + 1,
            prev_hash=head.last_hash,
            # Stored to the microsecond and hashed from the stored value.
            occurred_at=timezone.now(),
            actor=user,
            actor_name=(user.get_full_name() if user else "")[:200],
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:300],
            ip_address=client_ip(request),
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
            extra=jsonable(extra or {}),
        )
        event.hash = event_hash(event)
        event.save()
        head.last_seq = event.seq
        head.last_hash = event.hash
        head.save(update_fields=["last_seq", "last_hash"])
    return event
