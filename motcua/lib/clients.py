"""The client's address, as the interfaces (views, API, admin) pass it to services and the audit log.

One helper, so that honouring a reverse proxy's forwarded address is decided in one place.
"""

from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the client that sent ``request`` (None without a request)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
