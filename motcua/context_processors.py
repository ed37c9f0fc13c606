from django.conf import settings

from motcua.org.models import Membership
from motcua.org.selectors import user_acts_somewhere


def _receives(user) -> bool:
    """Whether the signed-in user works at a counter (a receptionist role somewhere)."""
    return user_acts_somewhere(user, roles={Membership.Role.RECEPTIONIST})


def site_words() -> dict[str, str]:
    """The site's name and its default description, from settings alone (also for the error pages
    rendered without a request)."""
    site_name, province = settings.MOTCUA_SITE_NAME, settings.MOTCUA_PROVINCE_NAME
    return {
        "SITE_NAME": site_name,
        "PROVINCE_NAME": province,
        "SITE_DESCRIPTION": (
            f"{site_name} – {province}: tra cứu thủ tục hành chính, hồ sơ cần nộp, lệ phí, "
            "thời hạn giải quyết và tình trạng hồ sơ."
        ),
    }


def site(request):
    user = getattr(request, "user", None)
    return {
        # The menu's current entry (aria-current): the address's first segment, read once.
        "nav_section": request.path.split("/", 2)[1],
        **site_words(),
        # Called by the layout only where the menu is drawn: one query, for staff only.
        "user_receives": lambda: user is not None and _receives(user),
    }
