"""The hash of an audit event: an HMAC-SHA256 with the audit key over the event's content and
the previous event's hash; for events written before the log was keyed, a plain SHA-256."""

import hashlib
import hmac
import json

from motcua.audit.models import AuditEvent


def _canonical(event: AuditEvent, *, keyed: bool) -> bytes:
    """The bytes an event's hash is computed over: all of its content and the previous hash (and
    for a keyed event the id of its key), as JSON with sorted keys."""
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
    if keyed:
        payload["key"] = event.key_id
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return encoded.encode("utf-8")


def legacy_hash(event: AuditEvent) -> str:
    """The plain SHA-256 of an event written before the log was keyed (``key_id`` empty)."""
    return hashlib.sha256(_canonical(event, keyed=False)).hexdigest()


def keyed_hash(event: AuditEvent, key: bytes) -> str:
    """The HMAC-SHA256 of an event with the audit key ``key`` (whose id is ``event.key_id``)."""
    return hmac.new(key, _canonical(event, keyed=True), hashlib.sha256).hexdigest()
