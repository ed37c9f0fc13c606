"""Public tracking page /tra-cuu/ (no sign-in): dossier code + PIN → status and dated history.

A plain GET form, complete without JavaScript; ``?ma=<code>`` (the QR code on the receipt) fills
the code in so the citizen only types the PIN. The lookup, what may be shown and the throttle
live in ``motcua/dossiers/tracking.py``, shared with the API.
"""

from typing import Any

from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.dossiers import tracking
from motcua.lib.clients import client_ip


@never_cache
@require_GET
def lookup(request):
    code = tracking.normalise_code(request.GET.get("ma"))
    pin = tracking.normalise_pin(request.GET.get("pin"))
    context: dict[str, Any] = {
        "code": code,
        "pin_given": bool(pin),
        "result": None,
        "error": None,
        "field_errors": {},
    }
    status = 200
    submitted = "pin" in request.GET
    if submitted:
        if not code:
            context["field_errors"]["ma"] = "Nhập mã hồ sơ ghi trên giấy tiếp nhận."
        if not pin:
            context["field_errors"]["pin"] = "Nhập mã tra cứu (PIN) gồm 6 ký tự ghi trên giấy tiếp nhận."
        if context["field_errors"]:
            status = 400
        else:
            try:
                context["result"] = tracking.track(code, pin, ip=client_ip(request))
            except tracking.Throttled as exc:
                context["error"] = exc.message
                status = 429
            else:
                if context["result"] is None:
                    context["error"] = tracking.NOT_FOUND_MESSAGE
                    status = 404
    response = render(request, "dossiers/tracking/lookup.html", context, status=status)
    # The PIN travels in the query string: keep it out of other sites' logs.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("", lookup, name="lookup"),
]
