"""What every oversight page shares: the scope from the query string, errors as pages, XLSX
responses, the sub-navigation and the filter form's choices."""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.catalog.models import Field
from motcua.lib.errors import DomainError
from motcua.org.selectors import agencies_visible_to
from motcua.reports import periods
from motcua.reports.exports import XLSX_TYPE, Table, tables_xlsx
from motcua.reports.scope import CHANNELS, Scope, scope_from_request

# The oversight's pages, in the order of the sub-navigation (url name, label).
SECTIONS = [
    ("reports:dashboard", "Tổng quan"),
    ("reports:rankings", "Xếp hạng đơn vị"),
    ("reports:late", "Ai giữ hồ sơ trễ hạn"),
    ("reports:index766", "Chỉ số 766"),
    ("reports:evaluation", "Đánh giá theo Thông tư 01"),
    ("reports:periodic", "Báo cáo định kỳ"),
]


def error_page(request, exc: DomainError) -> HttpResponse:
    """A bad filter: the message, the page's title, nothing else (400, 403 or 404)."""
    return render(
        request,
        "reports/error.html",
        {"message": exc.message, "status": exc.status, "sections": _sections(request, None)},
        status=exc.status,
    )


def _sections(request, scope: Scope | None) -> list[dict]:
    query = f"?{scope.query()}" if scope is not None else ""
    current = request.resolver_match.view_name if request.resolver_match else ""
    return [
        {"href": reverse(name) + query, "label": label, "current": name == current}
        for name, label in SECTIONS
    ]


def unit_choices(scope: Scope) -> list[dict]:
    """The units the filter offers: the viewer's top agencies and two levels below them."""
    tops = [t.pk for t in scope.tops]
    depth_of_top = {t.pk: t.path.count("/") for t in scope.tops}
    visible = agencies_visible_to(scope.user).filter(active=True)
    chosen = visible.filter(Q(pk__in=tops) | Q(parent_id__in=tops) | Q(parent__parent_id__in=tops))
    top_depth = min(depth_of_top.values())
    units = [
        {"code": a.code, "name": a.name, "indent": "– " * (a.path.count("/") - top_depth)}
        for a in chosen.order_by("path").only("code", "name", "path")
    ]
    if scope.unit.code not in {u["code"] for u in units}:  # a unit deeper down, reached by a link
        units.append({"code": scope.unit.code, "name": scope.unit.name, "indent": ""})
    return units


def filter_context(request, scope: Scope) -> dict:
    """What the filter form offers: the units the viewer may choose, periods, fields, channels."""
    offered = periods.choices()
    if scope.period.key and scope.period.key not in {p.key for p in offered}:
        offered.insert(0, scope.period)
    return {
        "scope": scope,
        "units": unit_choices(scope),
        "period_choices": offered,
        "fields": Field.objects.order_by("name").only("code", "name"),
        "channels": CHANNELS,
        "sections": _sections(request, scope),
        "query": scope.query(),
    }


def scoped_page(view: Callable) -> Callable:
    """A staff page of the oversight: GET only, signed in, never cached, the scope parsed from
    the query string (a bad one answered with its message and status)."""

    @functools.wraps(view)
    @require_GET
    @never_cache
    @login_required
    def wrapper(request, *args, **kwargs):
        try:
            scope = scope_from_request(request)
            return view(request, scope, *args, **kwargs)
        except DomainError as exc:
            return error_page(request, exc)

    return wrapper


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def tables_download(scope: Scope, *, title: str, tables: list[Table], name: str) -> HttpResponse:
    content = tables_xlsx(title=title, subtitle=scope.subtitle, tables=tables)
    return xlsx_response(
        content, f"{name}-{scope.unit.code}-{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}.xlsx"
    )


def wants_xlsx(request) -> bool:
    return request.GET.get("xuat") == "xlsx"
