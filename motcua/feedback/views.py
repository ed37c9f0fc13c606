"""Citizen-facing rating pages (no sign-in: a signed link proves the reader may rate) and the
staff pages around ratings: a paper form typed in, the head of unit's unsatisfied ratings, an
officer's own aggregate. Every write is a service call; bad input re-renders the form with a
Vietnamese message beside each field (4xx), nothing recorded."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_for_staff
from motcua.feedback import links, questionnaires, selectors, services
from motcua.feedback.models import Rating
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError
from motcua.org.selectors import agencies_actable_by, is_staff

ONLINE_SOURCES = (Rating.Source.TRACKING, Rating.Source.MY_DOSSIERS, Rating.Source.MESSAGE_LINK)


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_staff(request.user):
            raise PermissionDenied("Trang này dành cho cán bộ.")
        return view(request, *args, **kwargs)

    return wrapper


def form_values(post: Any) -> dict[str, str]:
    return {k: str(post.get(k, "")) for k in post if k != "csrfmiddlewaretoken"}


def _rate_page(request, context: dict[str, Any], status: int = 200):
    context.setdefault("q", questionnaires.current("rating"))
    context.setdefault("values", {})
    context.setdefault("errors", {})
    response = render(request, "feedback/rate.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def rate(request, token: str):
    """The online rating page behind a signed link (tracking page, "Hồ sơ của tôi", message)."""
    try:
        code, source = links.read_rating_token(token)
        if source not in ONLINE_SOURCES:
            raise DomainError(links.FORGED_RATING)
    except DomainError as exc:
        return _rate_page(request, {"error": exc.message}, status=403)
    dossier = Dossier.objects.select_related("procedure").filter(code=code).first()
    if dossier is None:
        return _rate_page(request, {"error": links.FORGED_RATING}, status=404)
    if request.method != "POST":
        duplicate = services.duplicate_message(dossier, Rating.Channel.ONLINE)
        if duplicate is not None:
            return _rate_page(request, {"error": duplicate, "dossier": dossier})
        if services.served_event(dossier) is None:
            return _rate_page(
                request,
                {"error": services.NOT_RATEABLE.format(code=dossier.code), "dossier": dossier},
                status=409,
            )
        return _rate_page(request, {"dossier": dossier})
    values = form_values(request.POST)
    try:
        rating = services.rating_submit(
            dossier=dossier, channel=Rating.Channel.ONLINE, source=source, data=values
        )
    except DomainError as exc:
        if exc.details:
            return _rate_page(
                request,
                {"dossier": dossier, "values": values, "errors": exc.details, "form_error": exc.message},
                status=exc.status,
            )
        return _rate_page(request, {"dossier": dossier, "error": exc.message}, status=exc.status)
    return _rate_page(request, {"dossier": dossier, "done": rating})


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def paper(request):
    """A paper rating form (handed out with Mẫu 01, 02, 03) typed in by an officer."""
    context: dict[str, Any] = {"q": questionnaires.current("rating"), "values": {}, "errors": {}}
    status = 200
    if request.method == "POST":
        values = form_values(request.POST)
        context["values"] = values
        code = values.get("ma", "").strip()
        try:
            if not code:
                raise DomainError(
                    "Nhập mã hồ sơ ghi trên phiếu.", details={"ma": "Nhập mã hồ sơ ghi trên phiếu."}
                )
            dossier = dossier_for_staff(request.user, code, ip=client_ip(request))
            rating = services.rating_submit(
                dossier=dossier,
                channel=Rating.Channel.PAPER,
                source=Rating.Source.PAPER_FORM,
                data=values,
                entered_by=request.user,
            )
        except DomainError as exc:
            context["errors"], context["form_error"] = exc.details, exc.message
            status = exc.status
        else:
            context = {**context, "values": {}, "done": rating}
    return render(request, "feedback/paper.html", context, status=status)


@staff_required
@require_http_methods(["GET", "HEAD"])
def unsatisfied(request):
    rows = list(selectors.unsatisfied_for(request.user, include_handled=True)[:100])
    q = questionnaires.current("rating")
    items = [{"rating": r, "answers": questionnaires.answer_labels(q, r.answers)} for r in rows]
    is_head = agencies_actable_by(request.user, roles=services.HEAD_ROLES).exists()
    if not is_head:
        raise PermissionDenied("Trang này dành cho lãnh đạo cơ quan, giám đốc trung tâm.")
    return render(request, "feedback/unsatisfied.html", {"items": items})


@staff_required
@require_POST
def mark_handled(request, rating_id: int):
    from django.contrib import messages

    try:
        services.rating_mark_handled(
            actor=request.user, rating_id=rating_id, note=request.POST.get("note", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Đã ghi nhận kết quả xử lý.")
    return redirect(reverse("feedback:unsatisfied") + f"#danh-gia-{rating_id}")


@staff_required
@require_http_methods(["GET", "HEAD"])
def mine(request):
    """An officer's own satisfaction: a count and a share, withheld under five ratings."""
    agencies = list(agencies_actable_by(request.user).filter(active=True).order_by("path")[:20])
    return render(
        request,
        "feedback/mine.html",
        {
            "own": selectors.officer_aggregate(request.user),
            "units": [(a, selectors.agency_aggregate(a)) for a in agencies],
            "minimum": selectors.MIN_AGGREGATE,
        },
    )
