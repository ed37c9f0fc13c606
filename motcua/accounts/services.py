"""Account services: API tokens (``Authorization: Bearer <token>``).

A token is shown once, when it is made; only its SHA-256 is stored (``ApiToken.key_hash``), so a
leaked database does not leak usable tokens. Making and revoking a token is audited.
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import AnyUser, ApiToken, User
from motcua.audit.services import audit_record
from motcua.lib.errors import InvalidInput

TOKEN_PREFIX = "mc_"  # noqa: S105 — a visible prefix, not a secret
# last_used_at is written at most this often per token: a busy integration does not turn every
# read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(
    *,
    user: User,
    name: str = "",
    actor: AnyUser | None = None,
    ip: str | None = None,
) -> str:
    """Make a token for ``user``; return the raw token (the only time it exists in clear)."""
    if not user.is_active:
        raise InvalidInput("Tài khoản đã bị khóa, không thể cấp khóa API.")
    name = (name or "").strip()
    limit = ApiToken._meta.get_field("name").max_length
    if limit is not None and len(name) > limit:
        raise InvalidInput("Tên khóa API quá dài (tối đa 100 ký tự).")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, key_hash=token_hash(raw))
        audit_record(
            action="accounts.api_token_create",
            actor=actor,
            obj=token,
            after={"user": user.username, "name": name},
            ip=ip,
        )
    return raw


def api_token_revoke(*, token: ApiToken, actor: AnyUser | None = None, ip: str | None = None) -> ApiToken:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked=True)
        token.revoked = True
        audit_record(
            action="accounts.api_token_revoke",
            actor=actor,
            obj=token,
            before={"revoked": False},
            after={"revoked": True},
            ip=ip,
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user owning this live token, or None. Touches ``last_used_at`` (≤ 1/minute)."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A conditional UPDATE: concurrent requests do not all write.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token.user
