"""The counter tablet (/danh-gia/quay/): signed in by its own device cookie, never an officer's
session; shows the dossier the officer at that counter has just served and asks the citizen to
rate it with large buttons. And the staff page that issues, pairs and revokes devices."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.feedback import devices, questionnaires, services
from motcua.feedback.models import Rating
from motcua.feedback.views import form_values, staff_required
from motcua.lib.errors import DomainError

IDLE_REFRESH_SECONDS = 10
THANKS_REFRESH_SECONDS = 8


def _device(request):
    return devices.device_for_token(request.COOKIES.get(settings.FEEDBACK_DEVICE_COOKIE))


def _page(request, context, status=200):
    context.setdefault("q", questionnaires.current("rating"))
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return render(request, "feedback/device.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tablet(request):
    device = _device(request)
    if device is None:
        return render(request, "feedback/device_pair.html", {"errors": {}})
    dossier = devices.device_current_dossier(device)
    if request.method != "POST":
        return _page(request, {"device": device, "dossier": dossier, "poll": IDLE_REFRESH_SECONDS})
    # The dossier the citizen saw: rating another one (or one already rated) is refused.
    code = request.POST.get("ma", "")
    if dossier is None or dossier.code != code:
        return _page(
            request,
            {
                "device": device,
                "dossier": dossier,
                "error": "Hồ sơ này không còn chờ đánh giá tại quầy. Mời ông/bà xem lại màn hình.",
                "poll": IDLE_REFRESH_SECONDS,
            },
            status=409,
        )
    values = form_values(request.POST)
    try:
        rating = services.rating_submit(
            dossier=dossier,
            channel=Rating.Channel.COUNTER,
            source=Rating.Source.DEVICE,
            data=values,
            device=device,
        )
    except DomainError as exc:
        return _page(
            request,
            {
                "device": device,
                "dossier": dossier,
                "values": values,
                "errors": exc.details,
                "error": exc.message,
            },
            status=exc.status,
        )
    return _page(request, {"device": device, "done": rating, "poll": THANKS_REFRESH_SECONDS})


@never_cache
@require_POST
def pair(request):
    try:
        device, token = devices.device_pair(code=request.POST.get("code", ""))
    except DomainError as exc:
        return render(
            request,
            "feedback/device_pair.html",
            {"error": exc.message, "errors": exc.details, "code": request.POST.get("code", "")},
            status=exc.status,
        )
    response = redirect("feedback:tablet")
    response.set_cookie(
        settings.FEEDBACK_DEVICE_COOKIE,
        token,
        max_age=int(timedelta(days=int(settings.FEEDBACK_DEVICE_COOKIE_DAYS)).total_seconds()),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def device_list(request):
    """Devices at the counters the officer works at; issuers also issue and revoke."""
    user = request.user
    issued = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "issue":
                try:
                    counter_id = int(request.POST.get("counter", ""))
                except ValueError:
                    raise DomainError("Chọn quầy cần cấp thiết bị.") from None
                device, code = devices.device_issue(
                    actor=user, counter_id=counter_id, label=request.POST.get("label", "")
                )
                issued = {"device": device, "code": f"{code[:4]}-{code[4:]}"}
            elif action == "sit":
                devices.device_sit(actor=user, device_id=int(request.POST.get("device", "0") or 0))
                messages.success(request, "Thiết bị sẽ mời người dân đánh giá các hồ sơ ông/bà vừa phục vụ.")
                return redirect("feedback:devices")
            elif action == "revoke":
                devices.device_revoke(actor=user, device_id=int(request.POST.get("device", "0") or 0))
                messages.success(request, "Đã thu hồi thiết bị.")
                return redirect("feedback:devices")
            else:
                raise DomainError("Thao tác không hợp lệ.")
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
    return render(
        request,
        "feedback/devices.html",
        {
            "devices": devices.devices_visible_to(user),
            "counters": devices.counters_issuable_by(user),
            "issued": issued,
            "tablet_url": request.build_absolute_uri(reverse("feedback:tablet")),
        },
        status=status,
    )
