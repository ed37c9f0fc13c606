"""Reads of the catalogue: search, procedure detail, fields, where to hand a procedure in, and
what a reception needs of a procedure (``intake_reference``, kept per process)."""

from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Self, TypedDict, overload

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils.text import Truncator

from motcua.catalog.models import (
    Fee,
    Field,
    Offering,
    Procedure,
    ProcedureToken,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
    SearchTerm,
)
from motcua.catalog.services import INTAKE
from motcua.lib.errors import InvalidInput, NotFound
from motcua.lib.text import fold
from motcua.lib.versioned import VersionedCache
from motcua.org.models import Agency

# Folded tokens hold only these characters (motcua.lib.text.fold), in this order under every
# collation (C, ICU, glibc): "starts with w" is the range w <= token < successor(w), with no
# sentinel character whose rank would depend on the database's collation.
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
MAX_QUERY_WORDS = 8


def prefix_successor(word: str) -> str | None:
    """The least string above every string starting with ``word`` ("dang" → "danh", "az" → "b")."""
    chars = list(word)
    while chars:
        index = ALPHABET.find(chars.pop())
        if 0 <= index < len(ALPHABET) - 1:
            return "".join(chars) + ALPHABET[index + 1]
    return None


def _range(column: str, word: str) -> Q:
    upper = prefix_successor(word)
    condition = Q(**{f"{column}__gte": word})
    return condition & Q(**{f"{column}__lt": upper}) if upper else condition


def _token_filter(word: str, prefix: bool) -> Q:
    return _range("token", word) if prefix else Q(token=word)


def _search_terms(q: str) -> list[tuple[str, bool]]:
    words = fold(q).split()[:MAX_QUERY_WORDS]
    terms: dict[tuple[str, bool], None] = {}
    for i, word in enumerate(words):
        # The last word may still be being typed: it matches as a prefix.
        terms.setdefault((word[:60], i == len(words) - 1), None)
    return list(terms)


def _term_frequencies(terms: list[tuple[str, bool]]) -> dict[tuple[str, bool], int]:
    """How many procedures each query word occurs in, from ``SearchTerm`` (one query)."""
    condition = Q()
    for word, prefix in terms:
        condition |= _range("term", word) if prefix else Q(term=word)
    counts = {t: 0 for t in terms}
    exact = {w: t for t in terms for w in [t[0]] if not t[1]}
    prefixes = [t for t in terms if t[1]]
    for term, n in SearchTerm.objects.filter(condition).values_list("term", "procedure_count"):
        if term in exact:
            counts[exact[term]] += n
        for t in prefixes:
            if term.startswith(t[0]):
                counts[t] += n
    return counts


# Answers with many matches — the listing itself, common words such as "thủ tục" or "giấy chứng
# nhận" — are the same for every visitor until the catalogue changes: their size and order (the
# ids) are kept per process under the catalogue's version, so that a page of them reads 20 rows
# instead of counting and ranking thousands. Exact, never an estimate: any catalogue change
# (``catalog_changed``: at once in this process, within a minute in the others, whose kept version
# is trusted that long; a bulk write within a minute) throws them away. Rare answers (the rarest
# query word in fewer than KEEP_FROM procedures) are cheap to compute and are not kept.
SEARCH_ANSWERS = VersionedCache(INTAKE.key, max_items=64, max_age=60, recheck_seconds=60)
KEEP_FROM = 100


class KeptAnswer(QuerySet[Procedure]):
    """A search answer whose ids, in order, are kept (``SEARCH_ANSWERS``, built on first use):
    ``count()`` is their number and a page (a slice) reads the page's rows by id, in the kept
    order. Anything else — iteration, a further filter (a new queryset) — runs the SQL as usual."""

    kept_key: tuple | None = None

    def _kept_ids(self) -> "array[int] | None":
        if self.kept_key is None or self._result_cache is not None:
            return None
        return SEARCH_ANSWERS.get(self.kept_key, lambda: array("q", self.values_list("pk", flat=True)))

    def count(self) -> int:
        ids = self._kept_ids()
        return len(ids) if ids is not None else super().count()

    @overload
    def __getitem__(self, k: int) -> Any: ...
    @overload
    def __getitem__(self, k: slice) -> Self: ...
    def __getitem__(self, k: int | slice) -> Any:
        ids = self._kept_ids() if isinstance(k, slice) else None
        if ids is not None and isinstance(k, slice):
            page = ids[k].tolist()
            rows = {p.pk: p for p in self.filter(pk__in=page)}
            return [rows[i] for i in page if i in rows]
        return super().__getitem__(k)


def _kept(qs: QuerySet[Procedure], key: tuple) -> KeptAnswer:
    answer = KeptAnswer(model=Procedure, query=qs.query)
    answer.kept_key = key
    return answer


def _apply_text_search(qs: QuerySet[Procedure], q: str) -> tuple[QuerySet[Procedure], int]:
    """The search on ``qs``, and the frequency of its rarest word (the answer's upper bound)."""
    terms = _search_terms(q)
    if not terms:  # only punctuation: nothing to search for
        return qs.order_by("name_folded", "code"), 0
    frequencies = _term_frequencies(terms)
    if any(n == 0 for n in frequencies.values()):
        return qs.none(), 0
    # Start from the rarest word (its postings are few), then check the others on those
    # candidates only through the (procedure, token) index: the cost follows the answer's size.
    terms.sort(key=lambda t: frequencies[t])
    driver, others = terms[0], terms[1:]
    qs = qs.filter(pk__in=ProcedureToken.objects.filter(_token_filter(*driver)).values("procedure_id"))
    exact = [word for word, prefix in others if not prefix]
    if exact:
        # One correlated count for all the other whole words (a procedure holds a token once),
        # rather than one semi-join each: PostgreSQL's planning time grows fast with joins.
        matched = (
            ProcedureToken.objects.filter(procedure_id=OuterRef("pk"), token__in=exact)
            .order_by()
            .values("procedure_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        qs = qs.alias(matched_words=Subquery(matched, output_field=IntegerField())).filter(
            matched_words=len(exact)
        )
    for word, prefix in others:
        if prefix:
            qs = qs.filter(
                Exists(
                    ProcedureToken.objects.filter(_token_filter(word, prefix), procedure_id=OuterRef("pk"))
                )
            )
    phrase = " ".join(fold(q).split())
    ranked = qs.annotate(
        relevance=Case(
            # The exact name first, with or without the "Thủ tục" official names begin with.
            When(Q(name_folded=phrase) | Q(name_folded=f"thu tuc {phrase}"), then=Value(0)),
            When(name_folded__contains=phrase, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("relevance", "name_folded", "code")
    return ranked, frequencies[driver]


def procedure_search(
    *,
    q: str = "",
    field: str | None = None,
    level: str | None = None,
    agency: str | None = None,
    online_level: str | None = None,
) -> QuerySet[Procedure]:
    """Active procedures matching an accent-insensitive query and filters.

    ``field``: a field code; ``agency``: an agency code (the procedures it offers). Unknown
    codes raise NotFound, an unknown level or online level InvalidInput. Ordered by relevance
    (the exact name first, "Thủ tục" in front or not; then the query as a phrase in the name)
    then name without accents (so that "Đăng ký …" sorts among the d's); paginate with Django's
    Paginator. Answers with many matches are kept per process (``KeptAnswer``).
    """
    qs = Procedure.objects.filter(active=True).select_related("field")
    if level:
        if level not in Procedure.Level.values:
            raise InvalidInput(
                f"Cấp thực hiện không hợp lệ: {level}. Chọn một trong: {', '.join(Procedure.Level.values)}.",
                details={"level": level},
            )
        qs = qs.filter(level=level)
    if online_level:
        if online_level not in Procedure.OnlineLevel.values:
            raise InvalidInput(
                f"Mức độ trực tuyến không hợp lệ: {online_level}. "
                f"Chọn một trong: {', '.join(Procedure.OnlineLevel.values)}.",
                details={"online_level": online_level},
            )
        qs = qs.filter(online_level=online_level)
    if field:
        field_id = Field.objects.filter(code=field).values_list("pk", flat=True).first()
        if field_id is None:
            raise NotFound(f"Không có lĩnh vực mã {field}.", details={"field": field})
        if q and q.strip():
            # "+ 0" keeps the planner from walking the field's index instead of the (fewer)
            # search candidates; without a query the index is the right path.
            qs = qs.alias(field_plain=F("field_id") + 0).filter(field_plain=field_id)
        else:
            qs = qs.filter(field_id=field_id)
    if agency:
        agency_id = Agency.objects.filter(code=agency).values_list("pk", flat=True).first()
        if agency_id is None:
            raise NotFound(f"Không có cơ quan mã {agency}.", details={"agency": agency})
        qs = qs.filter(
            Exists(Offering.objects.filter(procedure_id=OuterRef("pk"), agency_id=agency_id, active=True))
        )
    key = ("search", tuple(_search_terms(q or "")), field, level, agency, online_level)
    if q and q.strip():
        qs, rarest = _apply_text_search(qs, q)
        return _kept(qs, key) if rarest >= KEEP_FROM else qs
    return _kept(qs.order_by("name_folded", "code"), key)


def _default_steps_prefetch() -> Prefetch:
    return Prefetch(
        "process_templates",
        queryset=ProcessTemplate.objects.filter(agency__isnull=True, active=True).prefetch_related(
            Prefetch("steps", queryset=ProcessStep.objects.select_related("agency").order_by("order"))
        ),
        to_attr="default_templates",
    )


def _documents_mandatory_first() -> QuerySet[RequiredDocument]:
    """Documents every applicant hands in first, then those that depend on the case (not
    mandatory, or under a case heading), each part in the published order."""
    return RequiredDocument.objects.order_by(
        Case(
            When(Q(mandatory=True, condition=""), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "order",
        "pk",
    )


def with_documents_in_order(procedure: Procedure) -> Procedure:
    """``procedure`` with its documents loaded in the order every page lists them (mandatory
    for everyone first), as ``procedure_detail`` gives them."""
    prefetch_related_objects([procedure], Prefetch("documents", queryset=_documents_mandatory_first()))
    return procedure


def procedure_detail(code: str) -> Procedure:
    """An active procedure with everything a citizen needs, prefetched (the documents
    mandatory for everyone first).

    ``procedure.default_templates`` is a list with the default process template (steps
    prefetched in order), or empty; ``default_process_steps(procedure)`` gives the steps.
    """
    procedure = (
        Procedure.objects.filter(code=code, active=True)
        .select_related("field")
        .prefetch_related(
            Prefetch("documents", queryset=_documents_mandatory_first()),
            "fees",
            "results",
            "legal_bases",
            _default_steps_prefetch(),
        )
        .first()
    )
    if procedure is None:
        raise NotFound(f"Không tìm thấy thủ tục mã {code}.", details={"code": code})
    return procedure


# The public procedure page reads the same for every visitor until the catalogue changes: the
# procedure (``procedure_detail``) and the agencies offering it, kept per process. Only codes that
# exist are kept (an unknown code raises before anything is stored), at most PAGES_KEPT of them.
# A change is seen at once in this process, within a minute in the others.
PAGES_KEPT = 512
PAGES = VersionedCache(INTAKE.key, max_items=PAGES_KEPT, max_age=60, recheck_seconds=60)


def procedure_for_page(code: str) -> tuple[Procedure, list[Agency]]:
    """``procedure_detail(code)`` and ``procedure_offering_agencies`` of it, kept (read-only)."""

    def build() -> tuple[Procedure, list[Agency]]:
        procedure = procedure_detail(code)
        return procedure, list(procedure_offering_agencies(procedure))

    return PAGES.get(code, build)


def default_process_steps(procedure: Procedure) -> list[ProcessStep]:
    templates = getattr(procedure, "default_templates", None)
    if templates is None:
        templates = list(procedure.process_templates.filter(agency__isnull=True, active=True))
    return list(templates[0].steps.all()) if templates else []


# What the public catalogue's filters list, kept per process under the catalogue's version (as the
# intake reference, but trusted a minute before asking the shared cache again: a page's filter
# list may show a change a minute late, a reception may not).
FILTER_LISTS = VersionedCache(INTAKE.key, max_items=8, max_age=60, recheck_seconds=60)


def fields_with_counts() -> list[Field]:
    """Fields with ``procedure_count``: their active procedures; fields without any are left out.

    Counting reads every procedure, so the list is built once per process and kept until the
    catalogue changes (``catalog_changed``), like the intake reference: a public page does not
    pay for the size of the catalogue on every request."""
    return FILTER_LISTS.get(
        "fields-with-counts",
        lambda: list(
            Field.objects.annotate(procedure_count=Count("procedures", filter=Q(procedures__active=True)))
            .filter(procedure_count__gt=0)
            .order_by("code")
        ),
    )


def agencies_offering_procedures() -> list[Agency]:
    """Active agencies with at least one active offering, by name (the catalogue's "where to
    submit" filter); kept like ``fields_with_counts``."""
    return FILTER_LISTS.get(
        "agencies-offering",
        lambda: list(Agency.objects.filter(active=True, offerings__active=True).distinct().order_by("name")),
    )


def procedure_offering_agencies(procedure: Procedure) -> QuerySet[Agency]:
    """The active agencies where the procedure can be handed in, with ``local_time`` annotated."""
    return (
        Agency.objects.filter(active=True, offerings__procedure=procedure, offerings__active=True)
        .annotate(local_time=Sum("offerings__local_time", filter=Q(offerings__procedure=procedure)))
        .select_related("admin_unit")
        .order_by("name")
    )


def procedure_time_for(procedure: Procedure, *, agency: Agency | None = None) -> tuple[int, str] | None:
    """(amount, unit) of the processing time, the agency's shorter local time where set.

    None while the procedure's time or unit is unknown.
    """
    if not procedure.has_time or procedure.processing_time is None:
        return None
    if agency is not None:
        local = (
            Offering.objects.filter(procedure=procedure, agency=agency, active=True)
            .values_list("local_time", flat=True)
            .first()
        )
        if local:
            return local, procedure.time_unit
    return procedure.processing_time, procedure.time_unit


def agency_by_code(code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise NotFound(f"Không có cơ quan mã {code}.", details={"agency": code})
    return agency


def agency_offerings(agency: Agency) -> QuerySet[Offering]:
    """What an agency offers: active offerings of active procedures, with the local time."""
    return (
        Offering.objects.filter(agency=agency, active=True, procedure__active=True)
        .select_related("procedure", "procedure__field")
        .order_by("procedure__name_folded", "procedure__code")
    )


class ProcedureIdRow(TypedDict):
    procedure_id: int


def procedures_offered_under(agency: Agency) -> QuerySet[Offering, ProcedureIdRow]:
    """Ids (``procedure_id``) of the procedures offered by an active agency in ``agency``'s subtree:
    what a public service centre can receive for the agencies it serves."""
    return Offering.objects.filter(
        active=True, agency__active=True, agency__path__startswith=agency.path
    ).values("procedure_id")


# Procedures offered by a set of agencies, as a back-office filter lists them: kept per process
# under the catalogue's version (an offering, procedure or agency changed: rebuilt; at once in this
# process, within a minute in the others).
PROCEDURE_CHOICES = VersionedCache(INTAKE.key, max_items=256, max_age=60, recheck_seconds=60)
CHOICE_LABEL_LENGTH = 90


def procedure_choices(agency_ids: Iterable[int]) -> list[tuple[str, str]]:
    """(code, name shortened to ``CHOICE_LABEL_LENGTH`` characters) of the procedures with an
    active offering at one of ``agency_ids``, by name."""
    key = tuple(sorted(set(agency_ids)))

    def build() -> list[tuple[str, str]]:
        rows = (
            Procedure.objects.filter(offerings__agency__in=key, offerings__active=True)
            .distinct()
            .order_by("name")
            .values_list("code", "name")
        )
        return [(code, Truncator(name).chars(CHOICE_LABEL_LENGTH)) for code, name in rows]

    return PROCEDURE_CHOICES.get(key, build) if key else []


def incomplete_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(incomplete=True).select_related("field").order_by("code")


# ---------------------------------------------------------------------------------------------
# Intake: what a reception reads of a procedure, kept per process until the catalogue changes.


@dataclass(frozen=True)
class IntakeReference:
    """A procedure as a reception uses it. Shared by every caller in the process: read-only.

    ``offerings``: its active offerings, each with ``procedure`` and ``agency`` (with its
    ``schedule``) loaded, in agency-path order. ``documents``: required documents in order.
    ``fees``: ``{"kind", "amount_vnd", "text", "description", "note", "channel"}`` in order.
    ``steps_by_agency``:
    the active process templates' steps as dicts (``order``, ``name``, ``performer``, ``role``,
    ``agency`` code or None, ``agency_id``, ``budget_hours`` as "8.00"), keyed by the template's
    agency id (None: the procedure's default process).
    """

    procedure: Procedure
    offerings: tuple[Offering, ...]
    documents: tuple[RequiredDocument, ...]
    fees: tuple[dict, ...]
    steps_by_agency: dict[int | None, tuple[dict, ...]]


def _build_intake_reference(code: str) -> IntakeReference | None:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        return None
    offerings = tuple(
        Offering.objects.filter(procedure=procedure, active=True)
        .select_related("agency__schedule")
        .order_by("agency__path")
    )
    for offering in offerings:
        Offering.procedure.field.set_cached_value(offering, procedure)
    documents = tuple(RequiredDocument.objects.filter(procedure=procedure).order_by("order", "pk"))
    for document in documents:
        RequiredDocument.procedure.field.set_cached_value(document, procedure)
    fees = tuple(
        {
            "kind": f.kind,
            "amount_vnd": f.amount_vnd,
            "text": f.text,
            "description": f.description,
            "note": f.note,  # issue 12: payments reads whether the amount defers to a local tariff
            "channel": f.channel,  # issue 12: the fee of the dossier's channel, where it differs
        }
        for f in Fee.objects.filter(procedure=procedure).order_by("order", "pk")
    )
    steps: dict[int | None, list[dict]] = {}
    for step in (
        ProcessStep.objects.filter(template__procedure=procedure, template__active=True)
        .select_related("template", "agency")
        .order_by("order", "pk")
    ):
        steps.setdefault(step.template.agency_id, []).append(
            {
                "order": step.order,
                "name": step.name,
                "performer": step.performer,
                "role": step.role,
                "agency": step.agency.code if step.agency else None,
                "agency_id": step.agency_id,
                "budget_hours": str(Decimal(step.budget_hours).quantize(Decimal("0.01"))),
            }
        )
    return IntakeReference(
        procedure=procedure,
        offerings=offerings,
        documents=documents,
        fees=fees,
        steps_by_agency={agency_id: tuple(rows) for agency_id, rows in steps.items()},
    )


def intake_reference(code: str) -> IntakeReference | None:
    """What a reception needs of the procedure coded ``code`` (None when there is none), built
    once per process and kept until a catalogue, agency or schedule change (``catalog_changed``)."""
    code = (code or "").strip()
    return INTAKE.get(code, lambda: _build_intake_reference(code)) if code else None
