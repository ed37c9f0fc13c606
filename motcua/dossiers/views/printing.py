"""The legal forms as PDF (mounted at /bieu-mau/, namespace ``printing``).

    {% url 'printing:form' uid=dossier.uid form='01' %}   -> /bieu-mau/<uid>/mau-01.pdf
    {% url 'printing:register_page' %}                       -> /bieu-mau/so-theo-doi/ (choose, then print)
    {% url 'printing:register' %}?agency=<code>&tu=01/11/2026&den=30/11/2026       (PDF)
    {% url 'printing:register_xlsx' %}?agency=<code>&tu=01/11/2026&den=30/11/2026  (XLSX)

Staff only: a form is shown to whoever may see the dossier (``dossier_by_uid_for_staff``, which
also records the view of the applicant's personal data); the register to whoever may see the
agency, and each print or download of it is recorded too. PDFs open in the browser (inline);
nothing is cached.
"""

import re
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, register_converter
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from motcua.dossiers import printing, printing_register
from motcua.dossiers.selectors import dossier_by_uid_for_staff, register_viewed
from motcua.lib.clients import client_ip
from motcua.lib.errors import InvalidInput, NotFound
from motcua.lib.text import thousands
from motcua.org.selectors import agencies_visible_to, agency_by_code, is_staff, user_can_see

# A register covers at most a year: longer periods are reports, not a register to print.
MAX_REGISTER_DAYS = 366
# WeasyPrint lays out some 25–30 register rows a second here: 500 rows take about 20 s, within
# a process server's request timeout (README: gunicorn --timeout 60). A longer register is
# downloaded as a spreadsheet (no such limit) or printed a shorter period at a time.
MAX_REGISTER_ROWS = 500
DAY_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class FormNumberConverter:
    """The two digits of a dossier form, 01–06 (07 is the register, with its own address)."""

    regex = "0[1-6]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return f"{int(value):02d}" if str(value).isdigit() else str(value)


register_converter(FormNumberConverter, "mau_so")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _error(request, message: str, status: int) -> HttpResponse:
    return render(request, "dossiers/forms/error.html", {"message": message, "status": status}, status=status)


@require_GET
@never_cache
@login_required
@csp_override({})  # a PDF, not a page: the browser's PDF viewer must not be constrained
def form_pdf(request, uid, form: str):
    if not is_staff(request.user):  # before any lookup: says nothing of the dossier
        raise PermissionDenied("Biểu mẫu của hồ sơ chỉ dành cho cán bộ, công chức.")
    try:
        dossier = dossier_by_uid_for_staff(request.user, uid, ip=client_ip(request))
    except NotFound as exc:  # unknown, or outside the user's jurisdiction: the same answer
        raise Http404(exc.message) from exc
    if not printing.form_applies(form, dossier):
        info = printing.FORMS[form]
        return _error(
            request,
            f"Hồ sơ {dossier.code} chưa có nội dung cho Mẫu số {form} ({info.title}).",
            404,
        )
    content = printing.render_form(form, dossier, request=request)
    return _pdf_response(content, f"mau-{form}-{dossier.code}.pdf")


def parse_day(value: str, what: str) -> date:
    """A dd/mm/yyyy day from a query string, or InvalidInput with a Vietnamese message."""
    text = (value or "").strip()
    match = DAY_RE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"{what} “{text}” không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 01/11/2026.",
            details={"field": what},
        ) from None


def register_period(tu: str | None, den: str | None) -> tuple[date, date]:
    """The period asked for; by default the current month up to today."""
    today = timezone.localdate()
    date_from = parse_day(tu, "Ngày bắt đầu") if tu else today.replace(day=1)
    date_to = parse_day(den, "Ngày kết thúc") if den else today
    if date_to < date_from:
        raise InvalidInput(
            f"Ngày kết thúc ({date_to:%d/%m/%Y}) phải từ ngày bắt đầu ({date_from:%d/%m/%Y}) trở đi."
        )
    if date_to - date_from > timedelta(days=MAX_REGISTER_DAYS - 1):
        raise InvalidInput(f"Sổ theo dõi in tối đa {MAX_REGISTER_DAYS} ngày một lần; hãy chọn kỳ ngắn hơn.")
    return date_from, date_to


class _RegisterAsk:
    """What the register's query string asks for, checked: agency, period and the dossiers."""

    def __init__(self, request):
        code = (request.GET.get("agency") or "").strip().upper()
        if not code:
            raise InvalidInput("Chọn cơ quan (tham số agency là mã định danh của cơ quan).")
        self.date_from, self.date_to = register_period(request.GET.get("tu"), request.GET.get("den"))
        try:
            self.agency = agency_by_code(code)
        except NotFound as exc:
            raise Http404(exc.message) from None
        if not user_can_see(request.user, self.agency):
            raise PermissionDenied(f"Bạn không có quyền xem sổ theo dõi hồ sơ của {self.agency.name}.")
        self.dossiers = printing_register.register_dossiers(
            agency=self.agency,
            date_from=self.date_from,
            date_to=self.date_to,
            visible_agencies=agencies_visible_to(request.user),
        )

    def filename(self, extension: str) -> str:
        return f"so-theo-doi-{self.agency.code}-{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}.{extension}"

    def too_long_for_pdf(self, count: int) -> str:
        return (
            f"Kỳ đã chọn có {thousands(count)} hồ sơ, vượt quá {thousands(MAX_REGISTER_ROWS)} hồ sơ "
            "mỗi lần in bản PDF: hãy chọn kỳ ngắn hơn, hoặc tải sổ dạng bảng tính Excel "
            "(không giới hạn số hồ sơ)."
        )


@require_GET
@never_cache
@login_required
def register_page(request):
    """Choose the agency and the period; see how many dossiers the register holds; print it."""
    agencies = list(agencies_visible_to(request.user).filter(active=True).order_by("path"))
    if not agencies:
        raise PermissionDenied("Trang này dành cho cán bộ có phạm vi theo dõi hồ sơ.")
    context = {"agencies": agencies, "max_rows": MAX_REGISTER_ROWS, "error": "", "ask": None}
    today = timezone.localdate()
    context["tu"] = request.GET.get("tu") or f"{today.replace(day=1):%d/%m/%Y}"
    context["den"] = request.GET.get("den") or f"{today:%d/%m/%Y}"
    context["code"] = (request.GET.get("agency") or "").strip().upper() or agencies[0].code
    status = 200
    if "agency" in request.GET:
        try:
            ask = _RegisterAsk(request)
        except InvalidInput as exc:
            context["error"], status = exc.message, 400
        else:
            count = ask.dossiers.count()
            query = f"?agency={ask.agency.code}&tu={ask.date_from:%d/%m/%Y}&den={ask.date_to:%d/%m/%Y}"
            context.update(
                ask=ask,
                count=count,
                count_text=thousands(count),
                query=query,
                pdf_refused=ask.too_long_for_pdf(count) if count > MAX_REGISTER_ROWS else "",
            )
    return render(request, "dossiers/forms/register_page.html", context, status=status)


@require_GET
@never_cache
@login_required
@csp_override({})
def register_pdf(request):
    try:
        ask = _RegisterAsk(request)
    except InvalidInput as exc:
        return _error(request, exc.message, 400)
    count = ask.dossiers.count()
    if count > MAX_REGISTER_ROWS:
        return _error(request, ask.too_long_for_pdf(count), 400)
    content = printing_register.render_register(
        agency=ask.agency,
        date_from=ask.date_from,
        date_to=ask.date_to,
        dossiers=ask.dossiers,
        prepared_by=request.user,
    )
    register_viewed(
        request.user,
        agency=ask.agency,
        date_from=ask.date_from,
        date_to=ask.date_to,
        count=count,
        output="pdf",
        ip=client_ip(request),
    )
    return _pdf_response(content, ask.filename("pdf"))


@require_GET
@never_cache
@login_required
def register_xlsx(request):
    try:
        ask = _RegisterAsk(request)
    except InvalidInput as exc:
        return _error(request, exc.message, 400)
    content = printing_register.render_register_xlsx(
        agency=ask.agency, date_from=ask.date_from, date_to=ask.date_to, dossiers=ask.dossiers.iterator(2000)
    )
    register_viewed(
        request.user,
        agency=ask.agency,
        date_from=ask.date_from,
        date_to=ask.date_to,
        count=ask.dossiers.count(),
        output="xlsx",
        ip=client_ip(request),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{ask.filename("xlsx")}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("<uuid:uid>/mau-<mau_so:form>.pdf", form_pdf, name="form"),
    path("so-theo-doi/", register_page, name="register_page"),
    path("so-theo-doi.pdf", register_pdf, name="register"),
    path("so-theo-doi.xlsx", register_xlsx, name="register_xlsx"),
]
