"""Writes to the catalogue. Every function is atomic and writes an audit event.

Conventions shared with the importer: ``None`` means "not known" and never erases a stored
value; what is still unknown is recomputed after every write into ``Procedure.missing``.
Every write also calls ``catalog_changed``: the intake reference each process keeps
(``selectors.intake_reference``) is rebuilt on its next use.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Model
from django.utils.text import slugify

from motcua.audit.services import audit_record
from motcua.catalog.models import (
    Channel,
    Fee,
    Field,
    LegalBasis,
    Offering,
    Procedure,
    ProcedureToken,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
    ResultDocument,
    SearchTerm,
)
from motcua.lib.errors import Conflict, InvalidInput
from motcua.lib.text import fold, tokens
from motcua.lib.versioned import VersionedCache
from motcua.org.models import Agency, Membership

if TYPE_CHECKING:
    from motcua.accounts.models import AnyUser

AUDIT_CHAIN = "catalog"

# Keys of ``Procedure.demo_values`` and how pages label them.
DEMO_VALUE_LABELS = {
    "processing_time": "thời hạn giải quyết",
    "time_unit": "đơn vị thời hạn",
    "fees": "phí, lệ phí",
    "documents": "thành phần hồ sơ",
    "results": "kết quả thực hiện",
}

SCALAR_FIELDS = [
    "name",
    "level",
    "levels",
    "applicants",
    "agency_kind",
    "competent_agency",
    "executing_agency",
    "processing_time",
    "time_unit",
    "online_time",
    "counting_rule",
    "supplement_policy",
    "online_level",
    "postal_allowed",
    "requirements",
    "steps_text",
    "publishing_decision",
    "procedure_type",
    "effective_from",
    "effective_to",
    "active",
    "source",
]
CHILD_LISTS = ["fees", "documents", "results", "legal_bases"]

FEE_KEYS = ["kind", "description", "amount_vnd", "currency", "text", "note", "collected_by", "channel"]
DOCUMENT_KEYS = [
    "code",
    "name",
    "original_count",
    "certified_copy_count",
    "photocopy_count",
    "mandatory",
    "condition",
    "present_only",
    "template_name",
    "channels",
    "alternatives",
    "alternative_of",
    "classification_note",
    "classified_manually",
]
# What catalog/channels.py reads from a document's text; an officer's correction
# (``classified_manually``) survives a re-import of the automatic classification.
CLASSIFICATION_KEYS = ["channels", "alternatives", "alternative_of", "classification_note"]
RESULT_KEYS = ["code", "name"]
LEGAL_KEYS = ["number", "title", "issued_on", "issuer"]
COUNT_KEYS = ["original_count", "certified_copy_count", "photocopy_count"]


# What a reception reads of a procedure, kept per process (selectors.intake_reference); a write
# that bypasses the services and the model signals (a bulk update) is seen within a minute.
INTAKE = VersionedCache("catalog:intake-version", max_age=60)


def catalog_changed() -> None:
    """Procedures, their documents, fees, offerings or processes changed (or an agency or a
    schedule they refer to): every process rebuilds its intake reference on next use."""
    INTAKE.changed()


# ---------------------------------------------------------------------------------------------
# Fields


def field_code_for(name: str) -> str:
    """A stable code from the field's name: "Hộ tịch" → "ho-tich"."""
    return slugify(fold(name))[:100] or "khac"


def field_get_or_create(*, name: str, code: str | None = None, managing_ministry: str = "") -> Field:
    code = code or field_code_for(name)
    field = Field.objects.filter(code=code).first()
    if field is None:
        field = Field.objects.create(code=code, name=name, managing_ministry=managing_ministry or "")
    elif managing_ministry and not field.managing_ministry:
        field.managing_ministry = managing_ministry
        field.save(update_fields=["managing_ministry"])
    return field


# ---------------------------------------------------------------------------------------------
# Search index


def _index_words(procedure: Procedure) -> set[str]:
    # Name and code only: a field's name would match all of its procedures (use the field filter).
    words = tokens(procedure.name) + tokens(procedure.code)
    return {w[:60] for w in words}


def procedure_reindex(*, procedure: Procedure) -> None:
    """Bring the procedure's search tokens and the term counts up to date (inside a transaction)."""
    wanted = _index_words(procedure)
    folded = fold(procedure.name)[:500]
    if procedure.name_folded != folded:
        Procedure.objects.filter(pk=procedure.pk).update(name_folded=folded)
        procedure.name_folded = folded
    current = set(ProcedureToken.objects.filter(procedure=procedure).values_list("token", flat=True))
    added, removed = wanted - current, current - wanted
    if removed:
        ProcedureToken.objects.filter(procedure=procedure, token__in=removed).delete()
        SearchTerm.objects.filter(term__in=removed, procedure_count__gt=0).update(
            procedure_count=F("procedure_count") - 1
        )
    if added:
        ProcedureToken.objects.bulk_create([ProcedureToken(procedure=procedure, token=t) for t in added])
        existing = set(SearchTerm.objects.filter(term__in=added).values_list("term", flat=True))
        # ignore_conflicts: another import may create the same new term concurrently.
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=t, procedure_count=0) for t in added - existing], ignore_conflicts=True
        )
        SearchTerm.objects.filter(term__in=added).update(procedure_count=F("procedure_count") + 1)


def search_index_rebuild(*, batch_size: int = 5000) -> int:
    """Rebuild every procedure's tokens and the term counts in bulk. Returns the number of tokens."""
    with transaction.atomic():
        ProcedureToken.objects.all().delete()
        SearchTerm.objects.all().delete()
        counts: dict[str, int] = {}
        batch: list[ProcedureToken] = []
        total = 0
        rows = Procedure.objects.values_list("pk", "code", "name", "name_folded")
        renamed: list[Procedure] = []
        for pk, code, name, name_folded in rows.iterator(chunk_size=batch_size):
            stub = Procedure(pk=pk, code=code, name=name)
            if name_folded != fold(name)[:500]:
                renamed.append(Procedure(pk=pk, name_folded=fold(name)[:500]))
            for word in _index_words(stub):
                batch.append(ProcedureToken(procedure_id=pk, token=word))
                counts[word] = counts.get(word, 0) + 1
            if len(batch) >= batch_size:
                ProcedureToken.objects.bulk_create(batch)
                total += len(batch)
                batch = []
        ProcedureToken.objects.bulk_create(batch)
        total += len(batch)
        Procedure.objects.bulk_update(renamed, ["name_folded"], batch_size=batch_size)
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=t, procedure_count=n) for t, n in counts.items()], batch_size=batch_size
        )
        # A rebuild follows a bulk load that bypassed the services: what processes keep of the
        # catalogue (search answers, counts, intake reference) is thrown away now, not in a minute.
        catalog_changed()
    return total


# ---------------------------------------------------------------------------------------------
# Completeness


def compute_missing(procedure: Procedure) -> list[str]:
    """What the procedure still lacks before it can be offered, in Vietnamese."""
    missing: list[str] = []
    if procedure.processing_time is None:
        missing.append("thời hạn giải quyết")
    if not procedure.time_unit:
        missing.append("đơn vị của thời hạn giải quyết")
    fees = list(procedure.fees.all())
    if not fees:
        missing.append("phí, lệ phí")
    for fee in fees:
        if fee.amount_vnd is None and fee.currency in ("", "VND"):
            channel = Channel(fee.channel).label if fee.channel else "mọi hình thức"
            missing.append(f"mức phí, lệ phí ({channel})")
    documents = list(procedure.documents.all())
    if not documents:
        missing.append("thành phần hồ sơ")
    for doc in documents:
        if any(getattr(doc, key) is None for key in COUNT_KEYS):
            missing.append(f"số lượng bản của thành phần hồ sơ {doc.code}")
    if not procedure.results.exists():
        missing.append("kết quả thực hiện")
    return missing


def _refresh_completeness(procedure: Procedure) -> None:
    procedure.missing = compute_missing(procedure)
    procedure.incomplete = bool(procedure.missing)
    Procedure.objects.filter(pk=procedure.pk).update(
        missing=procedure.missing, incomplete=procedure.incomplete
    )
    catalog_changed()


def procedure_refresh(*, procedure: Procedure) -> None:
    """After an edit outside these services (the admin): search index and completeness.

    The admin's own save has written the audit event already.
    """
    with transaction.atomic():
        procedure_reindex(procedure=procedure)
        _refresh_completeness(procedure)


# ---------------------------------------------------------------------------------------------
# Child rows


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def fee_dicts(procedure: Procedure) -> list[dict]:
    return [{k: getattr(f, k) for k in FEE_KEYS} for f in procedure.fees.all()]


def document_dicts(procedure: Procedure) -> list[dict]:
    return [{k: getattr(d, k) for k in DOCUMENT_KEYS} for d in procedure.documents.all()]


def result_dicts(procedure: Procedure) -> list[dict]:
    return [{k: getattr(r, k) for k in RESULT_KEYS} for r in procedure.results.all()]


def legal_dicts(procedure: Procedure) -> list[dict]:
    return [{k: getattr(lb, k) for k in LEGAL_KEYS} for lb in procedure.legal_bases.all()]


def child_dicts(procedure: Procedure, name: str) -> list[dict]:
    return {
        "fees": fee_dicts,
        "documents": document_dicts,
        "results": result_dicts,
        "legal_bases": legal_dicts,
    }[name](procedure)


def normalise_fee(row: dict) -> dict:
    return {
        "kind": _text(row.get("kind")),
        "description": _text(row.get("description")),
        "amount_vnd": row.get("amount_vnd"),
        "currency": _text(row.get("currency")) or ("VND" if row.get("amount_vnd") is not None else ""),
        "text": _text(row.get("text")),
        "note": _text(row.get("note")),
        "collected_by": _text(row.get("collected_by")),
        "channel": _text(row.get("channel")),
    }


def document_channels(value: Any) -> list[str] | None:
    """The channels of a document in canonical order (None: not known); InvalidInput for an
    unknown channel."""
    if value is None:
        return None
    wanted = [value] if isinstance(value, str) else list(value)
    unknown = [c for c in wanted if c not in Channel.values or not c]
    if unknown:
        raise InvalidInput(
            f"Hình thức nộp không hợp lệ: {', '.join(map(str, unknown))} "
            "(chỉ nhận counter – trực tiếp, online – trực tuyến, post – bưu chính).",
            code="document_channel_invalid",
            details={"channels": [str(c) for c in unknown]},
        )
    return [c for c in Channel.values if c and c in wanted]


def normalise_document(row: dict, index: int) -> dict:
    alternatives = row.get("alternatives")
    return {
        "code": _text(row.get("code")) or f"TP{index + 1:02d}",
        "name": _text(row.get("name")),
        "original_count": row.get("original_count", 0),
        "certified_copy_count": row.get("certified_copy_count", 0),
        "photocopy_count": row.get("photocopy_count", 0),
        "mandatory": bool(row.get("mandatory", True)),
        "condition": _text(row.get("condition")),
        "present_only": bool(row.get("present_only", False)),
        "template_name": _text(row.get("template_name")),
        # None: not given (an older spreadsheet): the stored classification stays.
        "channels": document_channels(row.get("channels")),
        "alternatives": None
        if alternatives is None
        else [t for t in (_text(a).strip() for a in alternatives) if t],
        "alternative_of": None if row.get("alternative_of") is None else _text(row.get("alternative_of")),
        "classification_note": None
        if row.get("classification_note") is None
        else _text(row.get("classification_note")),
        "classified_manually": bool(row.get("classified_manually", False)),
    }


def normalise_result(row: dict) -> dict:
    return {"code": _text(row.get("code")), "name": _text(row.get("name"))}


def normalise_legal(row: dict) -> dict:
    return {
        "number": _text(row.get("number")),
        "title": _text(row.get("title")),
        "issued_on": row.get("issued_on"),
        "issuer": _text(row.get("issuer")),
    }


def merge_children(name: str, rows: list[dict], current: list[dict]) -> list[dict]:
    """Normalise incoming rows; where a row's value is unknown (None), keep the stored one."""
    if name == "fees":
        rows = [normalise_fee(r) for r in rows]
        by_key = {(c["channel"], c["text"], c["note"], c["description"]): c for c in current}
        for row in rows:
            old = by_key.get((row["channel"], row["text"], row["note"], row["description"]))
            if old and row["amount_vnd"] is None:
                row["amount_vnd"] = old["amount_vnd"]
        return rows
    if name == "documents":
        rows = [normalise_document(r, i) for i, r in enumerate(rows)]
        by_code = {c["code"]: c for c in current}
        for row in rows:
            old = by_code.get(row["code"])
            if old and old["name"] == row["name"]:
                for key in COUNT_KEYS:
                    if row[key] is None:
                        row[key] = old[key]
                if not row["template_name"]:
                    row["template_name"] = old["template_name"]
                # An officer's classification is kept against an automatic one (a re-import).
                keep = old["classified_manually"] and not row["classified_manually"]
                if keep:
                    row["classified_manually"] = True
                for key in CLASSIFICATION_KEYS:
                    if keep or row[key] is None:
                        row[key] = old[key]
            for key in CLASSIFICATION_KEYS:
                if row[key] is None:
                    row[key] = "" if key in ("alternative_of", "classification_note") else []
        codes = {row["code"] for row in rows}
        for row in rows:
            if row["alternative_of"] and (
                row["alternative_of"] not in codes or row["alternative_of"] == row["code"]
            ):
                raise InvalidInput(
                    f"Thành phần {row['code']} ghi thay thế cho “{row['alternative_of']}”, "
                    "không phải một thành phần khác của thủ tục.",
                    code="document_alternative_invalid",
                    details={"document": row["code"], "alternative_of": row["alternative_of"]},
                )
        return rows
    if name == "results":
        return [normalise_result(r) for r in rows]
    return [normalise_legal(r) for r in rows]


def _write_children(procedure: Procedure, name: str, rows: list[dict]) -> None:
    if name == "documents":
        # Upsert by code so that uploaded form templates survive a re-import.
        existing = {d.code: d for d in procedure.documents.all()}
        keep = set()
        for order, row in enumerate(rows):
            doc = existing.get(row["code"]) or RequiredDocument(procedure=procedure, code=row["code"])
            for key, value in row.items():
                setattr(doc, key, value)
            doc.order = order
            doc.save()
            keep.add(row["code"])
        procedure.documents.exclude(code__in=keep).delete()
        return
    # One code path for three models: _default_manager is Django's handle for generic code.
    model: type[Model] = {"fees": Fee, "results": ResultDocument, "legal_bases": LegalBasis}[name]
    model._default_manager.filter(procedure=procedure).delete()
    model._default_manager.bulk_create(
        [model(procedure=procedure, order=i, **row) for i, row in enumerate(rows)]
    )


# ---------------------------------------------------------------------------------------------
# Procedures


def _check_scalars(values: dict) -> None:
    for key in ("processing_time", "online_time"):
        value = values.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise InvalidInput(
                f"Thời hạn phải là số nguyên dương (nhận được {value}).",
                details={"field": key, "value": value},
            )
    checks = {
        "level": Procedure.Level,
        "time_unit": Procedure.TimeUnit,
        "online_level": Procedure.OnlineLevel,
        "counting_rule": Procedure.CountingRule,
        "supplement_policy": Procedure.SupplementPolicy,
        "agency_kind": Agency.Kind,
    }
    for key, choices in checks.items():
        value = values.get(key)
        if value and value not in choices.values:
            raise InvalidInput(
                f"Giá trị không hợp lệ cho {key}: {value}.", details={"field": key, "value": value}
            )
    unknown = set(values) - set(SCALAR_FIELDS) - set(CHILD_LISTS) - {"field"}
    if unknown:
        raise InvalidInput("Trường không được hỗ trợ: " + ", ".join(sorted(unknown)) + ".")


def procedure_apply(*, procedure: Procedure, values: dict, demo_values: list[str] | None = None) -> list[str]:
    """Apply known values (None = unknown: keep) and child lists. Returns the names of changed fields.

    The caller holds the transaction and writes the audit event.
    """
    changed: list[str] = []
    for key in SCALAR_FIELDS:
        if key not in values or values[key] is None:
            continue
        value = values[key]
        if getattr(procedure, key) != value:
            setattr(procedure, key, value)
            changed.append(key)
    field = values.get("field")
    if field is not None and procedure.field_id != field.pk:
        procedure.field = field
        changed.append("field")
    new_demo = list(procedure.demo_values) if demo_values is None else list(demo_values)
    is_new = procedure.pk is None
    if is_new or changed:
        procedure.save()
    child_changes: dict[str, list[dict]] = {}
    for name in CHILD_LISTS:
        rows = values.get(name)
        if rows is None:
            continue
        current = [] if is_new else child_dicts(procedure, name)
        merged = merge_children(name, rows, current)
        if merged != current:
            child_changes[name] = merged
    for name, rows in child_changes.items():
        _write_children(procedure, name, rows)
        changed.append(name)
    if demo_values is None:
        # A real value replaces a demo one: it is no longer labelled as such.
        for key in ("processing_time", "time_unit", *CHILD_LISTS):
            if values.get(key) is not None and key in new_demo and key in changed:
                new_demo.remove(key)
    if new_demo != list(procedure.demo_values):
        procedure.demo_values = new_demo
        Procedure.objects.filter(pk=procedure.pk).update(demo_values=new_demo)
        changed.append("demo_values")
    if is_new or "name" in changed:
        procedure_reindex(procedure=procedure)
    _refresh_completeness(procedure)
    return changed


def procedure_create(
    *, actor: "AnyUser | None", code: str, name: str, field: Field, level: str, **values: Any
) -> Procedure:
    """Create a procedure. Child lists (fees, documents, results, legal_bases) as lists of dicts."""
    code = (code or "").strip()
    if not code:
        raise InvalidInput("Mã thủ tục không được để trống.")
    if not (name or "").strip():
        raise InvalidInput("Tên thủ tục không được để trống.")
    values = {**values, "name": name.strip(), "level": level, "field": field}
    _check_scalars(values)
    with transaction.atomic():
        if Procedure.objects.filter(code=code).exists():
            raise Conflict(f"Đã có thủ tục mã {code}.", details={"code": code})
        procedure = Procedure(code=code, field=field, name=name.strip(), level=level)
        procedure_apply(procedure=procedure, values=values)
        audit_record(action="catalog.procedure_create", actor=actor, obj=procedure, chain=AUDIT_CHAIN)
    return procedure


def procedure_update(*, procedure: Procedure, actor: "AnyUser | None", **values: Any) -> Procedure:
    """Change known values of a procedure (None leaves a value as it is)."""
    _check_scalars(values)
    with transaction.atomic():
        changed = procedure_apply(procedure=procedure, values=values)
        if changed:
            audit_record(
                action="catalog.procedure_update",
                actor=actor,
                obj=procedure,
                extra={"changed": changed},
                chain=AUDIT_CHAIN,
            )
    return procedure


def procedure_complete(
    *,
    procedure: Procedure,
    actor: "AnyUser | None",
    processing_time: int | None = None,
    time_unit: str | None = None,
    fees: list[dict] | None = None,
    documents: list[dict] | None = None,
    results: list[dict] | None = None,
    document_counts: dict[str, dict[str, int]] | None = None,
    demo: bool = False,
) -> Procedure:
    """Fill values the source left missing. ``incomplete`` clears once nothing is missing.

    ``document_counts`` maps a document code to its counts (``{"TP03": {"original_count": 1}}``).
    With ``demo=True`` the filled values are recorded in ``demo_values`` (shown as
    "giá trị minh họa"); otherwise an officer's value replaces a demo one.
    """
    values: dict[str, Any] = {}
    if processing_time is not None:
        values["processing_time"] = processing_time
    if time_unit:
        values["time_unit"] = time_unit
    for name, rows in (("fees", fees), ("documents", documents), ("results", results)):
        if rows is not None:
            values[name] = rows
    _check_scalars(values)
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        if document_counts:
            current = document_dicts(procedure)
            codes = {d["code"] for d in current}
            for code, counts in document_counts.items():
                if code not in codes:
                    raise InvalidInput(f"Thủ tục {procedure.code} không có thành phần hồ sơ {code}.")
                for key, count in counts.items():
                    if key not in COUNT_KEYS or not isinstance(count, int) or count < 0:
                        raise InvalidInput(f"Số lượng bản không hợp lệ cho {code}: {key}={count}.")
            for row in current:
                row.update(document_counts.get(row["code"], {}))
            values["documents"] = current
        demo_values = list(procedure.demo_values)
        filled = [k for k in values if k in DEMO_VALUE_LABELS]
        for key in filled:
            if demo and key not in demo_values:
                demo_values.append(key)
            if not demo and key in demo_values:
                demo_values.remove(key)
        changed = procedure_apply(procedure=procedure, values=values, demo_values=demo_values)
        if changed:
            audit_record(
                action="catalog.procedure_complete",
                actor=actor,
                obj=procedure,
                extra={"changed": changed, "demo": demo, "missing": procedure.missing},
                chain=AUDIT_CHAIN,
            )
    return procedure


# ---------------------------------------------------------------------------------------------
# Offerings


def offering_create(
    *, agency: Agency, procedure: Procedure, local_time: int | None = None, actor: "AnyUser | None"
) -> Offering:
    """An agency starts handling a procedure. Refused for an incomplete procedure."""
    if procedure.incomplete:
        raise InvalidInput(
            f"Thủ tục {procedure.code} còn thiếu thông tin ({', '.join(procedure.missing)}), "
            "chưa thể đưa vào danh mục của cơ quan. Hãy bổ sung trước.",
            details={"procedure": procedure.code, "missing": procedure.missing},
        )
    if local_time is not None:
        if not isinstance(local_time, int) or isinstance(local_time, bool) or local_time < 1:
            raise InvalidInput(f"Thời hạn tại địa phương phải là số nguyên dương (nhận được {local_time}).")
        if procedure.processing_time and local_time > procedure.processing_time:
            raise InvalidInput(
                f"Thời hạn tại địa phương ({local_time}) không được dài hơn thời hạn của thủ tục "
                f"({procedure.processing_time} {procedure.get_time_unit_display()})."
            )
    with transaction.atomic():
        if Offering.objects.filter(agency=agency, procedure=procedure).exists():
            raise Conflict(f"{agency.name} đã giải quyết thủ tục {procedure.code}.")
        offering = Offering.objects.create(agency=agency, procedure=procedure, local_time=local_time)
        catalog_changed()
        audit_record(
            action="catalog.offering_create",
            actor=actor,
            obj=offering,
            extra={"agency": agency.code, "procedure": procedure.code, "local_time": local_time},
            chain=AUDIT_CHAIN,
        )
    return offering


# ---------------------------------------------------------------------------------------------
# Process templates


def format_hours(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def process_target_hours(*, procedure: Procedure, agency: Agency | None = None) -> tuple[Decimal, str]:
    """The working hours a template's steps must add up to, and how that figure was reached."""
    amount = procedure.processing_time
    if agency is not None:
        local = (
            Offering.objects.filter(agency=agency, procedure=procedure)
            .values_list("local_time", flat=True)
            .first()
        )
        amount = local or amount
    hours = procedure.time_in_working_hours(amount)
    if hours is None:
        raise InvalidInput(
            f"Thủ tục {procedure.code} chưa có đủ thời hạn giải quyết (số và đơn vị), "
            "chưa thể lập quy trình.",
            details={"procedure": procedure.code},
        )
    unit = procedure.time_unit
    if unit == Procedure.TimeUnit.WORKING_HOURS:
        explained = f"{format_hours(hours)} giờ làm việc"
    elif unit == Procedure.TimeUnit.WORKING_DAYS:
        explained = f"{format_hours(hours)} giờ làm việc = {amount} ngày làm việc"
    else:
        days = int(hours) // 8
        label = "ngày" if unit == Procedure.TimeUnit.DAYS else "tháng"
        explained = (
            f"{format_hours(hours)} giờ làm việc = {days} ngày làm việc ít nhất có trong {amount} {label}"
        )
    return hours, explained


def process_template_save(
    *,
    procedure: Procedure,
    steps: Sequence[dict],
    agency: Agency | None = None,
    name: str | None = None,
    actor: "AnyUser | None",
) -> ProcessTemplate:
    """Create or replace the active template of the procedure (or of ``agency``'s variant).

    Each step: ``{"name", "performer", "role"?, "agency"?, "budget_hours"}``. The budgets must
    add up to the procedure's time in working hours (``Procedure.time_in_working_hours``).
    """
    if not steps:
        raise InvalidInput("Quy trình phải có ít nhất một bước.")
    cleaned: list[dict] = []
    for index, step in enumerate(steps, start=1):
        cleaned.append(_clean_step(index, step))
    target, explained = process_target_hours(procedure=procedure, agency=agency)
    total = sum((s["budget_hours"] for s in cleaned), Decimal(0))
    if total != target:
        raise InvalidInput(
            f"Tổng thời gian các bước ({format_hours(total)} giờ làm việc) khác thời hạn giải quyết "
            f"của thủ tục ({explained}).",
            code="budget_mismatch",
            details={"steps_total_hours": str(total), "procedure_hours": str(target)},
        )
    with transaction.atomic():
        template = (
            ProcessTemplate.objects.select_for_update(of=("self",))
            .filter(procedure=procedure, agency=agency, active=True)
            .order_by("pk")
            .first()
        )
        before = None
        if template is None:
            template = ProcessTemplate(procedure=procedure, agency=agency, active=True)
        else:
            before = [
                {"name": s.name, "performer": s.performer, "role": s.role, "hours": str(s.budget_hours)}
                for s in template.steps.all()
            ]
        template.name = (
            name or template.name or f"Quy trình {procedure.code}" + (f" tại {agency.name}" if agency else "")
        )
        template.save()
        template.steps.all().delete()
        ProcessStep.objects.bulk_create(
            [ProcessStep(template=template, order=i, **s) for i, s in enumerate(cleaned, 1)]
        )
        catalog_changed()
        audit_record(
            action="catalog.process_template_save",
            actor=actor,
            obj=template,
            before={"steps": before} if before is not None else None,
            after={
                "steps": [
                    {
                        "name": s["name"],
                        "performer": s["performer"],
                        "role": s["role"],
                        "hours": s["budget_hours"],
                    }
                    for s in cleaned
                ]
            },
            chain=AUDIT_CHAIN,
        )
    return template


def _clean_step(index: int, step: dict) -> dict:
    where = f"Bước {index}"
    name = (step.get("name") or "").strip()
    if not name:
        raise InvalidInput(f"{where}: tên bước không được để trống.")
    performer = step.get("performer") or ""
    if performer not in ProcessStep.Performer.values:
        raise InvalidInput(f"{where}: người thực hiện không hợp lệ ({performer}).")
    role = step.get("role") or ""
    if role and role not in Membership.Role.values:
        raise InvalidInput(f"{where}: vai trò không hợp lệ ({role}).")
    agency = step.get("agency")
    if performer == ProcessStep.Performer.NAMED_AGENCY and agency is None:
        raise InvalidInput(f"{where}: bước liên thông phải chỉ rõ cơ quan thực hiện.")
    if performer != ProcessStep.Performer.NAMED_AGENCY and not role:
        raise InvalidInput(f"{where}: phải chọn vai trò thực hiện.")
    try:
        hours = Decimal(str(step.get("budget_hours")))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{where}: thời gian không hợp lệ ({step.get('budget_hours')}).") from None
    if not hours.is_finite() or hours <= 0:
        raise InvalidInput(f"{where}: thời gian phải lớn hơn 0 giờ làm việc.")
    return {"name": name, "performer": performer, "role": role, "agency": agency, "budget_hours": hours}


def procedures_by_code(codes: Iterable[str]) -> dict[str, Procedure]:
    return {p.code: p for p in Procedure.objects.filter(code__in=list(codes))}
