"""Public tracking page /tra-cuu/ (no sign-in): dossier code + PIN → the dossier's situation in
plain words, what to do now, and its dated history.

The PIN travels in no address: the form is POSTed (CSRF-protected, complete without JavaScript)
and the answer is rendered in the POST's response, at /tra-cuu/ itself, never stored
(``Cache-Control: no-store``). ``GET ?ma=<code>`` (the QR code on the receipt) fills the code in so
the citizen only types the PIN. An old link or bookmark with ``?pin=`` shows nothing: it is
redirected to the form with the code filled in, and the PIN leaves the address bar.

The lookup, what may be shown and the throttle live in ``motcua/dossiers/tracking.py``, shared
with the API; the words in ``motcua/dossiers/tracking_words.py``.
"""

from typing import Any
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.dossiers import tracking
from motcua.lib.clients import client_ip


def _respond(request, context: dict[str, Any], status: int = 200):
    # The site's Referrer-Policy stays: with "no-referrer" the browser would post the form with
    # "Origin: null", which the CSRF check rightly refuses; the address carries no PIN anyway.
    response = render(request, "dossiers/tracking/lookup.jinja", context, status=status, using="jinja2")
    response["X-Robots-Tag"] = "noindex"
    return response


def _context(code: str) -> dict[str, Any]:
    # Every name the template reads is here, the fields' errors as empty strings: a name missing
    # from the context costs the template engine four exceptions to find out.
    return {
        "code": code,
        "code_example": tracking.CODE_EXAMPLE,
        "result": None,
        "error": None,
        "ma_error": "",
        "pin_error": "",
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def lookup(request):
    if request.method != "POST":
        code = tracking.normalise_code(request.GET.get("ma"))
        if "pin" in request.GET:
            # The PIN no longer travels in an address: out of the address bar and the history.
            query = f"?{urlencode({'ma': code})}" if code else ""
            response = redirect(reverse("tracking:lookup") + query)
            response["Referrer-Policy"] = "no-referrer"
            return response
        return _respond(request, _context(code))
    code = tracking.normalise_code(request.POST.get("ma"))
    pin = tracking.normalise_pin(request.POST.get("pin"))
    context = _context(code)
    if not code:
        context["ma_error"] = "Nhập mã hồ sơ ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
    elif problem := tracking.code_problem(code):
        context["ma_error"] = problem
    if not pin:
        context["pin_error"] = "Nhập mã tra cứu (PIN) gồm 6 ký tự ghi trên giấy tiếp nhận."
    if context["ma_error"] or context["pin_error"]:
        return _respond(request, context, status=400)
    try:
        context["result"] = tracking.track(code, pin, ip=client_ip(request))
    except tracking.Throttled as exc:
        context["error"] = exc.message
        response = _respond(request, context, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if context["result"] is None:
        context["error"] = tracking.NOT_FOUND_MESSAGE
        return _respond(request, context, status=404)
    return _respond(request, context)


urlpatterns = [
    path("", lookup, name="lookup"),
]
