"""Counter devices: a tablet at a counter on which citizens rate the service they just had.

Issued by an administrator or the centre director of the counter's agency (a pairing code, shown
once, valid ``FEEDBACK_PAIRING_MINUTES``); the tablet enters the code and receives its own random
token as a cookie (``FEEDBACK_DEVICE_COOKIE``). Only SHA-256 digests of code and token are stored;
a revoked device's cookie opens nothing. The officer at the counter says "I work at this counter
now" from the device list; the tablet then shows the dossier that officer has just returned,
refused or guided (within ``FEEDBACK_DEVICE_RECENT_MINUTES``) and not yet rated at a counter.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback.models import CounterDevice, Rating
from motcua.feedback.services import RATEABLE_STATES
from motcua.lib.errors import Forbidden, InvalidInput, NotFound
from motcua.org.models import Counter, Membership
from motcua.org.selectors import agencies_actable_by

ISSUER_ROLES = (Membership.Role.ADMINISTRATOR, Membership.Role.DIRECTOR)
SERVING_ROLES = (Membership.Role.RECEPTIONIST, Membership.Role.DIRECTOR, Membership.Role.LEADER)
# A pairing code: 8 characters without look-alikes (0/O, 1/I/L), easy to type on a tablet.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
BAD_CODE = "Mã ghép không đúng hoặc đã hết hạn. Đề nghị quản trị viên cấp mã mới cho thiết bị."


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().upper().encode()).hexdigest()


def _token_digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def counters_issuable_by(user: Any) -> QuerySet[Counter]:
    agencies = agencies_actable_by(user, roles=ISSUER_ROLES)
    return Counter.objects.filter(service_point__agency__in=agencies, active=True).select_related(
        "service_point__agency"
    )


def devices_visible_to(user: Any) -> QuerySet[CounterDevice]:
    """Devices at counters of agencies where ``user`` acts (any acting role): the officers of the
    one-stop unit see them to sit at one; issuers see them to revoke."""
    agencies = agencies_actable_by(user)
    return (
        CounterDevice.objects.filter(counter__service_point__agency__in=agencies, revoked_at__isnull=True)
        .select_related("counter__service_point__agency", "officer")
        .order_by("counter__service_point_id", "counter__number", "pk")
    )


def device_issue(*, actor: Any, counter_id: int, label: str = "") -> tuple[CounterDevice, str]:
    """A new device for a counter and its one-time pairing code (returned once, stored hashed)."""
    counter = counters_issuable_by(actor).filter(pk=counter_id).first()
    if counter is None:
        raise Forbidden("Ông/bà không được cấp thiết bị đánh giá cho quầy này.", code="device_forbidden")
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    now = timezone.now()
    with transaction.atomic():
        device = CounterDevice.objects.create(
            counter=counter,
            label=(label or "").strip()[:100] or f"Máy đánh giá {counter}",
            pairing_hash=_digest(code),
            pairing_expires_at=now + timedelta(minutes=int(settings.FEEDBACK_PAIRING_MINUTES)),
            issued_by=actor,
            issued_at=now,
        )
        audit_record(action="feedback.device_issued", actor=actor, obj=device, after={"counter": counter.pk})
    return device, code


def device_pair(*, code: str) -> tuple[CounterDevice, str]:
    """Exchange a valid pairing code for the device's token (the code is then spent)."""
    code = (code or "").strip().upper().replace(" ", "").replace("-", "")
    if not code:
        raise InvalidInput(
            "Nhập mã ghép gồm 8 ký tự.", code="pairing_required", details={"code": "Nhập mã ghép."}
        )
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = (
            CounterDevice.objects.select_for_update()
            .filter(pairing_hash=_digest(code), revoked_at__isnull=True, pairing_expires_at__gt=now)
            .first()
        )
        if device is None:
            raise Forbidden(BAD_CODE, code="pairing_invalid")
        device.pairing_hash = ""
        device.pairing_expires_at = None
        device.token_hash = _token_digest(token)
        device.paired_at = now
        device.save(update_fields=["pairing_hash", "pairing_expires_at", "token_hash", "paired_at"])
        audit_record(action="feedback.device_paired", obj=device)
    return device, token


def device_for_token(token: str | None) -> CounterDevice | None:
    if not token:
        return None
    return (
        CounterDevice.objects.filter(token_hash=_token_digest(token), revoked_at__isnull=True)
        .select_related("counter__service_point__agency", "officer")
        .first()
    )


def device_sit(*, actor: Any, device_id: int) -> CounterDevice:
    """``actor`` works at the device's counter now (and at no other device's)."""
    device = devices_visible_to(actor).filter(pk=device_id).first()
    agencies = agencies_actable_by(actor, roles=SERVING_ROLES)
    if device is None or not agencies.filter(pk=device.counter.service_point.agency_id).exists():
        raise NotFound("Không tìm thấy thiết bị đánh giá này.", code="device_not_found")
    with transaction.atomic():
        CounterDevice.objects.filter(officer=actor).exclude(pk=device.pk).update(officer=None)
        CounterDevice.objects.filter(pk=device.pk).update(officer=actor)
    device.officer = actor
    return device


def device_revoke(*, actor: Any, device_id: int) -> None:
    device = CounterDevice.objects.filter(
        pk=device_id, counter__in=counters_issuable_by(actor), revoked_at__isnull=True
    ).first()
    if device is None:
        raise NotFound("Không tìm thấy thiết bị đánh giá này.", code="device_not_found")
    with transaction.atomic():
        CounterDevice.objects.filter(pk=device.pk).update(
            revoked_at=timezone.now(), token_hash="", pairing_hash=""
        )
        audit_record(action="feedback.device_revoked", actor=actor, obj=device)


def device_current_dossier(device: CounterDevice, now: datetime | None = None) -> Dossier | None:
    """The dossier the officer at this counter has just returned, refused or guided, not yet rated
    on a counter device: what the tablet asks the citizen to rate."""
    if device.officer_id is None:
        return None
    now = now or timezone.now()
    since = now - timedelta(minutes=int(settings.FEEDBACK_DEVICE_RECENT_MINUTES))
    event = (
        DossierEvent.objects.filter(
            actor_id=device.officer_id,
            kind=DossierEvent.Kind.STATUS,
            state__in=RATEABLE_STATES,
            at__gte=since,
            at__lte=now,
        )
        .exclude(dossier__ratings__channel=Rating.Channel.COUNTER)
        .order_by("-at", "-pk")
        .select_related("dossier__procedure", "dossier__handling_agency")
        .first()
    )
    return event.dossier if event else None
