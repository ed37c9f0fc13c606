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

The header is read by django-ipware (python-ipware's parser: IPv6, ports, IPv4-mapped forms),
not by hand.
"""

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

FORWARDED_HEADER = "HTTP_X_FORWARDED_FOR"


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client that sent ``request`` (None without a request or an address)."""
    if request is None:
        return None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0 and request.META.get(FORWARDED_HEADER):
        # ipware counts the proxies listed in the header; the last proxy (the one that connected
        # to us) is not listed there but is REMOTE_ADDR. Not strict: entries added to the left by
        # the client are allowed, and ignored.
        address, _routable = get_client_ip(
            request,
            proxy_order="left-most",
            proxy_count=proxies - 1,
            request_header_order=[FORWARDED_HEADER],
            strict=False,
        )
        if address:
            return address
    return request.META.get("REMOTE_ADDR") or None
