"""What someone who can write the database, but holds neither the audit key nor the checkpoint
storage, can do: read and write rows with SQL, and compute any hash whose recipe is in the
(public) source code, with any key that is public too (the development key)."""

import hashlib
import hmac
import json

from django.db import connection

from motcua.audit.models import AuditChain, AuditEvent

EVENTS = AuditEvent._meta.db_table
CHAINS = AuditChain._meta.db_table


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def rows(chain: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(chain=chain).order_by("seq"))


def _encoded(event: AuditEvent, *, keyed: bool) -> bytes:
    """The event's content as the hash recipe in the (public) source code lays it out."""
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
        **({"key": event.key_id} if keyed else {}),
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def plain_sha256(event: AuditEvent) -> str:
    """The pre-key recipe (motcua.audit.hashing.legacy_hash), redone from the source code."""
    return hashlib.sha256(_encoded(event, keyed=False)).hexdigest()


def hmac_with(key: str, event: AuditEvent) -> str:
    """The keyed recipe with a key the attacker has (the public development key)."""
    return hmac.new(key.encode(), _encoded(event, keyed=True), hashlib.sha256).hexdigest()


def rehash_from(chain: str, seq: int, *, recipe=plain_sha256, key_id: str | None = None) -> None:
    """Recompute the hashes and links of ``chain`` from event ``seq`` to its end with ``recipe``
    (optionally relabelling the events' key id) and move the head row to the new last hash:
    the log then agrees with itself as far as anyone without the key can make it."""
    events = rows(chain)
    prev = ""
    for event in events:
        if event.seq >= seq:
            event.prev_hash = prev
            if key_id is not None:
                event.key_id = key_id
            event.hash = recipe(event)
            sql(
                f"UPDATE {EVENTS} SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",  # noqa: S608
                [event.prev_hash, event.hash, event.key_id, event.pk],
            )
        prev = event.hash
    last = events[-1]
    sql(f"UPDATE {CHAINS} SET last_seq = %s, last_hash = %s WHERE key = %s", [last.seq, last.hash, chain])  # noqa: S608
