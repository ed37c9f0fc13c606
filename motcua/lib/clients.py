"""The client's address, as the interfaces (views, API, admin, django-axes) pass it to services,
the throttles and the audit log.

One helper, so that honouring a reverse proxy's forwarded address is decided in one place.
``TRUSTED_PROXY_COUNT`` (README, "Configuration") is the number of reverse proxies in front of
the application, each of which appends the address it received the request from to
``X-Forwarded-For`` (nginx: ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``).

- 0 (the default): the application is reached directly; the address is ``REMOTE_ADDR`` and
  ``X-Forwarded-For`` is ignored, since any client can write it.
- N > 0: the client is the N-th address from the right of ``X-Forwarded-For``, the one written
  by the outermost trusted proxy. Addresses to its left were written by the client or by proxies
  we do not control, and are never believed: a client that sends ``X-Forwarded-For: 1.2.3.4``
  through nginx arrives as ``1.2.3.4, <its real address>`` and is known by the latter.
  A request without enough entries did not come through the proxies (a probe on the
  application's own port): its ``REMOTE_ADDR`` is the truth.

The header is read by python-ipware (the parser behind django-ipware: IPv6, ports, IPv4-mapped
forms), not by hand. It is handed only that header: given the whole ``request.META``, the parser
folds every header's name on every request (a third of its cost) to find the one it is told to
read.
"""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


@cache
def _parser(proxies: int) -> IpWare:
    # ipware counts the proxies listed in the header; the last proxy (the one that connected to
    # us) is not listed there but is REMOTE_ADDR.
    return IpWare(precedence=(FORWARDED_HEADER,), leftmost=True, proxy_count=proxies - 1, algorithm="modern")


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client that sent ``request`` (None without a request or an address)."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get(FORWARDED_HEADER)
    if proxies > 0 and forwarded:
        # Not strict: entries added to the left by the client are allowed, and ignored.
        address, _trusted = _parser(proxies).get_client_ip({FORWARDED_HEADER: forwarded}, strict=False)
        if address is not None:
            return str(address)
    return request.META.get("REMOTE_ADDR") or None
