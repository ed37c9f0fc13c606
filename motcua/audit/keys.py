"""The keys of the audit log, read from the settings (``AUDIT_KEY`` / ``AUDIT_KEY_FILE`` and
``AUDIT_CHECKPOINT_KEY`` / ``AUDIT_CHECKPOINT_KEY_FILE``), never from the database.

A key ring is the text of such a setting: one key per line (blank lines and lines starting
with ``#`` are skipped), each at least 32 characters (``secrets.token_hex(32)`` gives 64). The
last key signs what is written now; the earlier ones only verify what they signed before a
rotation. A key is named by its identifier, a fingerprint of the key itself (``key_id``): it
is stored beside every event, so nobody has to name keys, and it reveals nothing of the key.
"""

import functools
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]  # key id → key
    current: str  # the id of the key that signs what is written now

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current]


def key_id(key: bytes) -> str:
    """The fingerprint that names a key: 16 hex digits of a hash of it (domain-separated)."""
    return hashlib.sha256(b"motcua-audit-key-id\x00" + key).hexdigest()[:16]


@functools.lru_cache(maxsize=16)
def parse_key_ring(text: str, setting: str) -> KeyRing:
    """The key ring written in ``text`` (the value of ``setting``, named in errors)."""
    keys: dict[str, bytes] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for token in line.split():
            if len(token) < MIN_KEY_LENGTH:
                raise ImproperlyConfigured(
                    f"{setting}: a key is shorter than {MIN_KEY_LENGTH} characters "
                    "(create one with: python -c 'import secrets; print(secrets.token_hex(32))')."
                )
            key = token.encode("utf-8")
            keys.pop(key_id(key), None)  # a key listed twice counts where it was listed last
            keys[key_id(key)] = key
    if not keys:
        raise ImproperlyConfigured(
            f"{setting} is not set: the audit log cannot be signed or verified without its key "
            "(README, “Audit log”)."
        )
    return KeyRing(keys=keys, current=next(reversed(keys)))


def event_key_ring() -> KeyRing:
    """The keys of the events' HMAC chain (``AUDIT_KEY``)."""
    return parse_key_ring(settings.AUDIT_KEY, "AUDIT_KEY")


def checkpoint_key_ring() -> KeyRing:
    """The keys that sign the checkpoints: ``AUDIT_CHECKPOINT_KEY`` when set (better: kept only
    on the machine that writes and verifies checkpoints), else keys derived from ``AUDIT_KEY``."""
    if settings.AUDIT_CHECKPOINT_KEY.strip():
        return parse_key_ring(settings.AUDIT_CHECKPOINT_KEY, "AUDIT_CHECKPOINT_KEY")
    return _derived_ring(settings.AUDIT_KEY)


@functools.lru_cache(maxsize=16)
def _derived_ring(text: str) -> KeyRing:
    ring = parse_key_ring(text, "AUDIT_KEY")
    derived: dict[str, bytes] = {}
    current = ""
    for kid, key in ring.keys.items():
        sub = hmac.new(key, b"motcua-audit-checkpoint", hashlib.sha256).hexdigest().encode("ascii")
        derived[key_id(sub)] = sub
        if kid == ring.current:
            current = key_id(sub)
    return KeyRing(keys=derived, current=current)
