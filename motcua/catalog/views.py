"""Public catalogue pages (no sign-in): search with filters, and one page per procedure.

Server-rendered and complete without JavaScript (the filter form is a plain GET form); with
htmx the results region alone is swapped in as the filters change.
"""

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from motcua.catalog import selectors
from motcua.catalog.fees import fee_lines
from motcua.catalog.models import Procedure
from motcua.catalog.places import places_for
from motcua.lib.errors import DomainError, NotFound
from motcua.lib.planning import planned_for_their_values
from motcua.workcalendar.calendar import WEEKDAY_NAMES, add_working_time
from motcua.workcalendar.selectors import calendar_for_schedule

PAGE_SIZE = 20
WEEKEND_REASONS = {"Thứ Bảy", "Chủ nhật"}
LEVELS = [(v, label) for v, label in Procedure.Level.choices]
ONLINE_LEVELS = [(v, label) for v, label in Procedure.OnlineLevel.choices]


@require_GET
def home(request):
    fields = selectors.fields_with_counts()
    return render(request, "catalog/home.html", {"fields": fields})


def _filters(request) -> dict:
    get = request.GET
    return {
        "q": get.get("q", "").strip()[:200],
        "field": get.get("field", "").strip() or None,
        "level": get.get("level", "").strip() or None,
        "agency": get.get("agency", "").strip() or None,
        "online_level": get.get("online_level", "").strip() or None,
    }


@require_GET
@vary_on_headers("HX-Request")
@planned_for_their_values()  # the search, the page's count and its rows (lib/planning.py)
def procedure_list(request):
    filters = _filters(request)
    error = None
    try:
        results = selectors.procedure_search(**filters)
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    except DomainError as exc:
        error = exc.message
        page = Paginator([], PAGE_SIZE).get_page(1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "error": error,
        "querystring": query.urlencode(),
        "fields": selectors.fields_with_counts(),
        "levels": LEVELS,
        "online_levels": ONLINE_LEVELS,
        "agencies": selectors.agencies_offering_procedures(),
    }
    template = "catalog/procedure_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context, status=400 if error else 200)


def _appointment_now(procedure):
    """The appointment a citizen would get handing a complete dossier in now (default calendar)."""
    time = selectors.procedure_time_for(procedure)
    if time is None:
        return None
    amount, unit = time
    received = timezone.now()
    result = add_working_time(
        calendar_for_schedule(None), received, amount, unit, rule=procedure.counting_rule
    )
    holidays = [(day, reason) for day, reason in result.skipped if reason not in WEEKEND_REASONS]
    return {
        "received": received,
        "due": result.due_at,
        "skipped": result.skipped,
        "holidays": holidays,
        "amount": amount,
        "unit": unit,
    }


@require_GET
def procedure_page(request, code: str):
    try:
        procedure, agencies = selectors.procedure_for_page(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    places = places_for(agencies)
    context = {
        "procedure": procedure,
        "places": places,
        # Some places open on Saturday mornings: the page says the clock still waits for Monday.
        "saturday_open": any(line.startswith(WEEKDAY_NAMES[5]) for p in places for line in p.hours),
        "fees": fee_lines(procedure.fees.all()),
        "steps": selectors.default_process_steps(procedure),
        "appointment": _appointment_now(procedure),
    }
    return render(request, "catalog/procedure_detail.html", context)


@require_GET
def form_template(request, code: str, document_code: str):
    try:
        procedure = selectors.procedure_detail(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    for document in procedure.documents.all():
        if document.code == document_code and document.template:
            name = document.template_name or (document.template.name or "").rsplit("/", 1)[-1]
            return FileResponse(document.template.open("rb"), as_attachment=True, filename=name)
    raise Http404("Không có mẫu đơn, tờ khai này.")
