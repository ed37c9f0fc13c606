"""The interface every channel adapter follows, and what a send attempt can end in."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.notifications.models import OutboxMessage


class Outcome(StrEnum):
    DELIVERED = "delivered"  # delivery is known (SMTP took it; the notice is on the portal)
    SENT = "sent"  # the provider accepted it; no receipt comes back
    TEMPORARY = "temporary"  # 5xx, timeout, connection refused: try again later
    PERMANENT = "permanent"  # the provider refused this message (4xx): trying again cannot help
    TECHNICAL = "technical"  # our side cannot send it (channel not configured): a person must act


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    error: str = ""
    reference: str = ""  # the provider's id for the message, when it gives one


class Adapter:
    """Sends messages of one channel. ``idempotent``: the provider recognises our reference
    (``OutboxMessage.idempotency_reference``) and never delivers one message twice, so a message
    whose worker died mid-send may simply be sent again."""

    idempotent = False

    def send(self, message: "OutboxMessage") -> Result:
        raise NotImplementedError

    def send_batch(self, messages: Sequence["OutboxMessage"]) -> dict[int, Result]:
        """One result per message id. Adapters that can share a connection override this."""
        return {m.pk: self.send(m) for m in messages}


def adapter_for(channel: str) -> Adapter:
    from django.conf import settings
    from django.utils.module_loading import import_string

    from motcua.notifications.channels.email import EmailAdapter
    from motcua.notifications.channels.in_app import InAppAdapter
    from motcua.notifications.channels.national_portal import NationalPortalAdapter
    from motcua.notifications.channels.sms import SmsGatewayAdapter
    from motcua.notifications.channels.zalo import ZaloZnsAdapter

    adapters: dict[str, type[Adapter]] = {
        "email": EmailAdapter,
        "sms": SmsGatewayAdapter,
        "zalo": ZaloZnsAdapter,
        "in_app": InAppAdapter,
        "dvcqg": NationalPortalAdapter,
    }
    # Channels whose adapter belongs to another app (the postal operator's: dossiers), by setting,
    # so that this app imports nothing above it.
    if channel in settings.OUTBOX_ADAPTERS:
        return import_string(settings.OUTBOX_ADAPTERS[channel])()
    return adapters[channel]()
