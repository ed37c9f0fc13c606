"""Writes of the mobile app's API: a submission made safe to send again (Idempotency-Key), and
registering the app with the authorisation server. The dossier itself is written only by the
dossier services (``motcua.dossiers.services``)."""

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from oauth2_provider.models import get_application_model

from motcua.accounts.models import User
from motcua.dossiers.models import Dossier
from motcua.lib.errors import Unprocessable
from motcua.me.models import SubmissionKey

KEY_REUSED = (
    "Idempotency-Key này đã được dùng cho một lần nộp khác nội dung: hãy tạo khóa mới cho lần nộp mới."
)


def submission_fingerprint(data: dict[str, Any], files: Iterable[tuple[str, bytes]]) -> str:
    """SHA-256 over the JSON part (keys sorted) and each file's (field, SHA-256 of content)."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    for field, content_hash in sorted(files):
        digest.update(f"\n{field}:".encode() + content_hash)
    return digest.hexdigest()


def submit_once(
    *, citizen: User, key: str | None, fingerprint: str, submit: Callable[[], Dossier]
) -> Dossier:
    """``submit()`` (a call of ``dossier_submit_online``) once per ``key`` of ``citizen``.

    The key's row is written first, in the same transaction as the dossier: a second request
    with the same key waits for the first one's transaction (PostgreSQL's unique index, SQLite's
    write lock) and then finds its row, so two concurrent sends make one dossier. A submission
    refused by the service leaves no key behind, and may be sent again corrected."""
    if key is None:
        return submit()
    existing = SubmissionKey.objects.select_related("dossier").filter(user=citizen, key=key).first()
    if existing is not None:
        return _replayed(existing, fingerprint)
    try:
        with transaction.atomic():
            dossier = submit()
            SubmissionKey.objects.create(user=citizen, key=key, fingerprint=fingerprint, dossier=dossier)
    except IntegrityError:
        # Another request with this key committed meanwhile: its dossier is the answer.
        existing = SubmissionKey.objects.select_related("dossier").filter(user=citizen, key=key).first()
        if existing is None:
            raise
        return _replayed(existing, fingerprint)
    return dossier


def _replayed(existing: SubmissionKey, fingerprint: str) -> Dossier:
    if existing.fingerprint != fingerprint:
        raise Unprocessable(
            KEY_REUSED, code="idempotency_key_reused", details={"dossier": existing.dossier.code}
        )
    return existing.dossier


def mobile_app_register(*, name: str, redirect_uris: list[str], client_id: str | None = None) -> Any:
    """Register (or update, by ``client_id``) the mobile app as a public client of the
    authorisation server: authorization code with PKCE, no secret (an app on a phone cannot
    keep one), asked for the citizen's consent."""
    Application = get_application_model()
    values = {
        "name": name,
        "client_type": Application.CLIENT_PUBLIC,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": " ".join(redirect_uris),
        "skip_authorization": False,
        "client_secret": "",
    }
    with transaction.atomic():
        if client_id:
            app, _ = Application.objects.update_or_create(client_id=client_id, defaults=values)
        else:
            app = Application(**values)
            app.full_clean(exclude=["client_secret", "user"])
            app.save()
    return app
