"""Checkpoints: every chain's head, signed, kept outside the database.

A checkpoint is a JSON file in the storage ``audit_checkpoints`` (``AUDIT_CHECKPOINT_DIR`` on
local disk by default; ``AUDIT_CHECKPOINT_STORAGE`` may name an object store). It records, per
chain, the last event's number, hash and time, and ``legacy_until``: the last event of the chain
allowed to carry a plain SHA-256 (written before the log was keyed). It is signed with an
HMAC-SHA256 by the checkpoint key (``motcua.audit.keys.checkpoint_key_ring``), so whoever can
write the database, but holds neither that key nor write access to the storage, can neither
forge one nor make the database agree with one after rewriting, truncating or deleting a chain.

Files are named by the time they were written (``audit-checkpoint-20261122T200000.123456Z.json``),
so the latest is the last name in order; a file is never rewritten.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from motcua.audit.keys import KeyRing

FORMAT = "motcua-audit-checkpoint/1"
PREFIX = "audit-checkpoint-"
SUFFIX = ".json"


@dataclass(frozen=True)
class ChainPin:
    """A chain's head as a checkpoint recorded it."""

    seq: int
    hash: str
    at: str
    legacy_until: int


@dataclass
class Checkpoint:
    name: str
    created_at: datetime
    key_id: str
    chains: dict[str, ChainPin] = field(default_factory=dict)
    previous: str | None = None
    acknowledged: dict[str, Any] | None = None


class CheckpointInvalid(Exception):
    """A checkpoint file that cannot be trusted; the message says why (in Vietnamese)."""


def checkpoint_storage() -> Storage:
    return storages["audit_checkpoints"]


def checkpoint_names() -> list[str]:
    """The names of the checkpoint files, oldest first."""
    try:
        _dirs, files = checkpoint_storage().listdir("")
    except FileNotFoundError:  # nothing written yet
        return []
    return sorted(f for f in files if f.startswith(PREFIX) and f.endswith(SUFFIX))


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _signature(body: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def checkpoint_body(
    *,
    created_at: datetime,
    chains: dict[str, ChainPin],
    previous: str | None,
    acknowledged: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created_at": created_at.astimezone(UTC).isoformat(),
        "previous": previous,
        "chains": {
            key: {"seq": pin.seq, "hash": pin.hash, "at": pin.at, "legacy_until": pin.legacy_until}
            for key, pin in sorted(chains.items())
        },
        "acknowledged": acknowledged,
    }


def checkpoint_save(body: dict[str, Any], ring: KeyRing) -> str:
    """Sign ``body`` with the current checkpoint key and store it under a new name."""
    signed = {**body, "key_id": ring.current}
    signed["signature"] = _signature(signed, ring.current_key)
    created = datetime.fromisoformat(body["created_at"])
    name = f"{PREFIX}{created:%Y%m%dT%H%M%S.%f}Z{SUFFIX}"
    content = json.dumps(signed, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    # The storage picks another name rather than overwrite one that exists.
    return checkpoint_storage().save(name, ContentFile(content.encode("utf-8")))


def checkpoint_read(name: str, ring: KeyRing) -> Checkpoint:
    """The checkpoint stored as ``name``, its signature checked (CheckpointInvalid otherwise)."""
    try:
        with checkpoint_storage().open(name, "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckpointInvalid(f"không đọc được ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointInvalid("không đúng định dạng điểm neo")
    signature = data.pop("signature", None)
    key = ring.keys.get(str(data.get("key_id")))
    if key is None:
        raise CheckpointInvalid(
            f"được ký bằng khóa {data.get('key_id')!r} không có trong khóa điểm neo (AUDIT_CHECKPOINT_KEY)"
        )
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _signature(data, key)):
        raise CheckpointInvalid("chữ ký không hợp lệ: tệp đã bị sửa hoặc giả mạo")
    try:
        return Checkpoint(
            name=name,
            created_at=datetime.fromisoformat(data["created_at"]),
            key_id=data["key_id"],
            previous=data.get("previous"),
            acknowledged=data.get("acknowledged"),
            chains={
                str(key): ChainPin(
                    seq=int(pin["seq"]),
                    hash=str(pin["hash"]),
                    at=str(pin["at"]),
                    legacy_until=int(pin["legacy_until"]),
                )
                for key, pin in data["chains"].items()
            },
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CheckpointInvalid(f"không đúng định dạng điểm neo ({exc})") from exc
