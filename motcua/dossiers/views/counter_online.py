"""The counter's online inbox (/quay/truc-tuyen/): "Hồ sơ trực tuyến chờ tiếp nhận".

The dossiers submitted online (status 1) to the officer's counter, oldest first, with how long
each has waited, who submitted it (and for whom), its files to open, and the three answers:
accept (Mẫu 01: code kept, the appointment counted from this moment, the receipt sent to the
citizen), ask for a supplement (Mẫu 02, which the citizen answers online) or refuse with the
reason (Mẫu 03). Each answer calls the same service as the back office; a wrong answer re-renders
the page with the form as typed and its message; a success goes to the form to print
(``counter:done``). Works without JavaScript; the forms sit in ``<details>``.
"""

from datetime import datetime, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from motcua.dossiers import selectors
from motcua.dossiers.actions import ACTIONS
from motcua.dossiers.forms.backoffice import ActionForm
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import STALE_MESSAGE
from motcua.dossiers.views.counter import _no_agency, current_agency, receptionist_required
from motcua.lib.clients import client_ip
from motcua.lib.errors import Conflict, DomainError, NotFound

# The answers offered, in order: (action name, the id fragment of its form).
ANSWERS = ("receive", "request-supplement", "refuse")


def waited(since: datetime | None, now: datetime) -> str:
    """How long a dossier has waited, as people say it: "2 ngày 3 giờ", "5 giờ 20 phút", "12 phút"."""
    if since is None:
        return "—"
    span = max(now - since, timedelta(0))
    days, rest = span.days, span.seconds
    hours, minutes = rest // 3600, rest % 3600 // 60
    if days:
        return f"{days} ngày {hours} giờ" if hours else f"{days} ngày"
    if hours:
        return f"{hours} giờ {minutes} phút" if minutes else f"{hours} giờ"
    return f"{minutes} phút" if minutes else "Dưới 1 phút"


def _forms(dossier: Dossier, bound: ActionForm | None = None) -> list[ActionForm]:
    """The three answer forms of one dossier, ids unique on the page; ``bound`` replaces its own."""
    forms = []
    for name in ANSWERS:
        if bound is not None and bound.action.name == name:
            forms.append(bound)
            continue
        forms.append(
            ActionForm(
                action=ACTIONS[name], initial={"version": dossier.version}, auto_id=_auto_id(dossier, name)
            )
        )
    return forms


def _auto_id(dossier: Dossier, action: str) -> str:
    return f"id_{dossier.pk}_{action}_%s"


def _page(
    request, agency, *, bound: ActionForm | None = None, bound_for: int | None = None, error="", status=200
):
    now = timezone.now()
    rows = []
    dossiers = list(selectors.online_inbox(request.user, agency=agency))
    for dossier in dossiers:
        mine = bound if bound is not None and bound_for == dossier.pk else None
        rows.append(
            {
                "d": dossier,
                "waited": waited(dossier.submitted_at, now),
                "documents": list(dossier.documents.all()),
                "forms": _forms(dossier, mine),
                "open": mine is not None,
                "error": error if mine is not None else "",
            }
        )
    selectors.online_inbox_viewed(
        request.user, agency=agency, dossiers=dossiers, where="counter", ip=client_ip(request)
    )
    context = {
        "agency": agency,
        "rows": rows,
        "several": len(request.counter_agencies) > 1,
        "error": error if bound_for is None else "",
    }
    return render(request, "dossiers/counter/online_inbox.html", context, status=status)


@require_GET
@receptionist_required
def online_inbox(request):
    agency = current_agency(request)
    if agency is None:
        return _no_agency(request)
    return _page(request, agency)


@require_POST
@receptionist_required
def online_answer(request, code: str, action: str):
    if action not in ANSWERS:
        raise Http404("Không có thao tác này.")
    agency = current_agency(request)
    if agency is None:
        return _no_agency(request)
    try:
        dossier = selectors.dossier_for_staff(request.user, code, ip=client_ip(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    spec = ACTIONS[action]
    form = ActionForm(request.POST, action=spec, auto_id=_auto_id(dossier, action))
    if dossier.state != Dossier.State.SUBMITTED:
        messages.error(
            request,
            f"Hồ sơ {dossier.code} không còn chờ tiếp nhận trực tuyến (trạng thái hiện tại: "
            f"“{dossier.get_state_display()}”).",
        )
        return redirect("counter:online")
    if not form.is_valid():
        message = (
            "Biểu mẫu thiếu phiên bản hồ sơ. Vui lòng tải lại trang."
            if "version" in form.errors
            else "Vui lòng kiểm tra lại thông tin đã nhập."
        )
        return _page(request, agency, bound=form, bound_for=dossier.pk, error=message, status=400)
    try:
        spec.service(
            actor=request.user,
            dossier=dossier,
            expected_version=form.cleaned_data["version"],
            ip=client_ip(request),
            **form.service_kwargs(),
        )
    except Conflict as exc:
        messages.error(request, STALE_MESSAGE if exc.code == "stale" else exc.message)
        return redirect("counter:online")
    except DomainError as exc:
        return _page(request, agency, bound=form, bound_for=dossier.pk, error=exc.message, status=exc.status)
    return redirect("counter:done", uid=dossier.uid)


urlpatterns = [
    path("truc-tuyen/", online_inbox, name="online"),
    path("truc-tuyen/<str:code>/<str:action>/", online_answer, name="online_answer"),
]
