"""Reading the outbox: a citizen's notices in "Hồ sơ của tôi"."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from motcua.notifications.models import OutboxMessage

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def citizen_notices(user: "AbstractBaseUser") -> QuerySet[OutboxMessage]:
    """The in-app notices sent to ``user``, newest first (only theirs: by their account id)."""
    return OutboxMessage.objects.filter(
        channel=OutboxMessage.Channel.IN_APP,
        recipient=str(user.pk),
        status=OutboxMessage.Status.DELIVERED,
    ).order_by("-created_at", "-pk")
