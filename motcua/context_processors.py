from django.conf import settings

from motcua.org.models import Membership
from motcua.org.selectors import user_acts_somewhere


def _receives(user) -> bool:
    """Whether the signed-in user works at a counter (a receptionist role somewhere)."""
    return user_acts_somewhere(user, roles={Membership.Role.RECEPTIONIST})


def site(request):
    user = getattr(request, "user", None)
    return {
        # The menu's current entry (aria-current): the address's first segment, read once.
        "nav_section": request.path.split("/", 2)[1],
        "SITE_NAME": settings.MOTCUA_SITE_NAME,
        "PROVINCE_NAME": settings.MOTCUA_PROVINCE_NAME,
        # Called by the template only where the menu is drawn: one query, for staff only.
        "user_receives": (lambda: _receives(user)) if user is not None else False,
    }
