"""Bookkeeping done once the answer has been sent.

The WSGI server closes a response after writing its last byte, and Django then runs the
response's closers: work registered here runs in the same process, right after the client has
its answer, so the client does not wait for bookkeeping it does not need (the payment gateway's
notification settles its payment this way). Work that must not be lost does not belong here:
a worker killed in between drops it.
"""

from collections.abc import Callable

from django.http import HttpResponseBase


def after_response(response: HttpResponseBase, work: Callable[[], object]) -> HttpResponseBase:
    """Run ``work()`` when ``response`` is closed (Django's resource closers, which the server
    triggers through ``response.close()``)."""
    response._resource_closers.append(work)  # type: ignore[attr-defined]  # what close() runs
    return response
