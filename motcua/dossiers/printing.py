"""The printed legal forms of a dossier (Circular 03/2025/TT-VPCP, Appendix I), as PDF.

    render_form("01", dossier, request=request)  -> bytes  # A5 portrait
    available_forms(dossier)  -> [FormInfo]  # what the pages link, titled for this dossier

Forms (``FORMS``): 01 receipt and appointment, 02 supplement request, 03 refusal (at reception,
or, after appraisal, the written rejection "Phiếu từ chối giải quyết hồ sơ"), 04 apology and new
appointment, 05 notice of stopping, 06 process control slip. The register, 07, is
``motcua.dossiers.printing_register``; it shares the helpers and the page layout defined here.
Each is an HTML template under ``dossiers/forms/`` rendered by WeasyPrint in "Noto Serif"
(Debian's fonts-noto-core, installed by ``make``). Dates are shown dd/mm/yyyy and times HH:MM in
Asia/Ho_Chi_Minh. Every form renders even when optional data is missing: a blank stays a dotted
line for the officer to fill in by hand.

Reads only: nothing here writes to the database.
"""

import base64
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import overload
from urllib.parse import urlencode

import qrcode
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierPause, DossierStep
from motcua.lib.errors import InvalidInput
from motcua.workcalendar.calendar import VN_TZ

DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
TRACKING_PATH = "/tra-cuu/"

# The QR code: medium error correction (survives a crease or a stamp over a corner), 8 pixels a
# module, the standard 4-module quiet zone is replaced by 2 (the form leaves white space around).
QR_BOX_SIZE = 8
QR_BORDER = 2


@dataclass(frozen=True)
class FormInfo:
    number: str
    title: str
    template: str
    # What the dossier must have for the form to mean something (see ``form_applies``).
    needs: str

    @property
    def label(self) -> str:
        """What a link to the form says: "Mẫu 01 – Giấy tiếp nhận hồ sơ và hẹn trả kết quả"."""
        return f"Mẫu {self.number} – {self.title}"


FORMS: dict[str, FormInfo] = {
    "01": FormInfo("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "dossiers/forms/mau_01.html", "received"),
    "02": FormInfo(
        "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "dossiers/forms/mau_02.html", "supplement"
    ),
    "03": FormInfo(
        "03", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ", "dossiers/forms/mau_03.html", "refusal"
    ),
    "04": FormInfo(
        "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "dossiers/forms/mau_04.html", "extension"
    ),
    "05": FormInfo("05", "Thông báo dừng giải quyết hồ sơ", "dossiers/forms/mau_05.html", "stop"),
    "06": FormInfo(
        "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "dossiers/forms/mau_06.html", "received"
    ),
}

# The written rejection after appraisal (Decree 61 art. 19(8), "Phiếu từ chối giải quyết hồ sơ"):
# the same form, Mẫu 03, as the refusal at reception (Circular 01/2018 and 03/2025 list one refusal
# form for both), issued by the competent agency and titled for what happened.
REJECTION = replace(FORMS["03"], title="Phiếu từ chối giải quyết hồ sơ")

# Event actions that carry the reason printed on a form (the event's ``note``): ``refuse`` at
# reception (state refused, status 3), ``reject`` after appraisal (dossier_reject: outcome
# rejected, status 9 then 10).
REFUSAL_ACTIONS = ("refuse", "reject")
STOP_ACTIONS = ("stop", "withdraw")


# ---------------------------------------------------------------------------------------------
# Formatting


@overload
def local(value: datetime) -> datetime: ...
@overload
def local(value: None) -> None: ...
def local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, VN_TZ)
    return value.astimezone(VN_TZ)


def fmt_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return f"{value:%d/%m/%Y}"


def fmt_datetime(value: datetime | None) -> str:
    """``22/11/2026 09:30``."""
    if value is None:
        return ""
    value = local(value)
    return f"{value:%d/%m/%Y %H:%M}"


def fmt_time_long(value: datetime | None) -> str:
    """``09 giờ 30 phút, ngày 22/11/2026`` (the receipt's wording: giờ, phút, ngày)."""
    if value is None:
        return ""
    value = local(value)
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}"


def place_name(agency) -> str:
    """The place in the date line: the agency's administrative unit without its type ("An Bình")."""
    unit = getattr(agency, "admin_unit", None) if agency is not None else None
    name = (unit.name if unit is not None else "") or ""
    prefixes = [getattr(unit, "division_type", "") or ""] if unit is not None else []
    prefixes += ["Thành phố", "Tỉnh", "Xã", "Phường", "Đặc khu", "Thị trấn", "Quận", "Huyện", "Thị xã"]
    for prefix in prefixes:
        if prefix and name.lower().startswith(prefix.lower() + " "):
            return name[len(prefix) + 1 :].strip()
    return name.strip()


def date_line(agency, value: datetime | date | None) -> dict:
    """Parts of "An Bình, ngày 22 tháng 11 năm 2026" (the template lays them out)."""
    if value is None:
        value = timezone.now()
    if isinstance(value, datetime):
        value = local(value).date()
    return {"place": place_name(agency), "day": f"{value:%d}", "month": f"{value:%m}", "year": f"{value:%Y}"}


def person_name(user) -> str:
    """The name an officer signs with: the full name, never the sign-in name. Unknown: blank,
    for the officer to write by hand (``User.get_full_name`` falls back to the username)."""
    if user is None:
        return ""
    full_name = (getattr(user, "full_name", "") or "").strip()
    if full_name:
        return full_name
    return f"{getattr(user, 'first_name', '') or ''} {getattr(user, 'last_name', '') or ''}".strip()


# ---------------------------------------------------------------------------------------------
# Tracking link and QR code


def tracking_url(code: str, *, request=None) -> str:
    """The absolute address of the public tracking page for ``code``.

    ``settings.MOTCUA_PUBLIC_URL`` when set (a deployment behind a proxy knows its public name
    best); otherwise the request's own address; otherwise the development server's.
    """
    query = urlencode({"ma": code})
    public = getattr(settings, "MOTCUA_PUBLIC_URL", "") or ""
    if public:
        return f"{public.rstrip('/')}{TRACKING_PATH}?{query}"
    if request is not None:
        return request.build_absolute_uri(f"{TRACKING_PATH}?{query}")
    return f"{DEFAULT_PUBLIC_URL}{TRACKING_PATH}?{query}"


def qr_code(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX_SIZE, border=QR_BORDER
    )
    qr.add_data(data)
    qr.make(fit=True)
    return qr


def qr_png_data_uri(data: str) -> str:
    """A PNG data URI of the QR code for ``data`` (generated here: no network)."""
    image = qr_code(data).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# ---------------------------------------------------------------------------------------------
# What each form reads


def latest_supplement(dossier: Dossier) -> DossierPause | None:
    return (
        DossierPause.objects.filter(dossier=dossier, reason=DossierPause.Reason.SUPPLEMENT)
        .select_related("requested_by")
        .order_by("-started_at", "-pk")
        .first()
    )


def latest_event(dossier: Dossier, actions: tuple[str, ...]) -> DossierEvent | None:
    return (
        DossierEvent.objects.filter(dossier=dossier, action__in=actions)
        .select_related("actor", "agency", "agency__parent", "agency__admin_unit")
        .order_by("-at", "-pk")
        .first()
    )


def dossier_extension(dossier: Dossier):
    try:
        return dossier.extension
    except Dossier.extension.RelatedObjectDoesNotExist:
        return None


def form_applies(
    form: str,
    dossier: Dossier,
    *,
    events: Sequence[DossierEvent] | None = None,
    pauses: Sequence[DossierPause] | None = None,
) -> bool:
    """Whether the dossier has what form ``form`` reports (a receipt needs a reception, …).

    A page that has already loaded the dossier's ``events`` and ``pauses`` passes them, and
    nothing more is read."""
    info = FORMS.get(form)
    if info is None:
        return False
    if info.needs == "received":
        return dossier.received_at is not None
    if info.needs == "supplement":
        if pauses is not None:
            return any(p.reason == DossierPause.Reason.SUPPLEMENT for p in pauses)
        return DossierPause.objects.filter(dossier=dossier, reason=DossierPause.Reason.SUPPLEMENT).exists()
    if info.needs in ("refusal", "stop"):
        actions = REFUSAL_ACTIONS if info.needs == "refusal" else STOP_ACTIONS
        if events is not None:
            return any(e.action in actions for e in events)
        return DossierEvent.objects.filter(dossier=dossier, action__in=actions).exists()
    if info.needs == "extension":
        return dossier.extension_count > 0 and dossier_extension(dossier) is not None
    return True


def form_info(form: str, dossier: Dossier) -> FormInfo:
    """Form ``form`` as it is titled for this dossier: Mẫu 03 of a dossier rejected after
    appraisal is the written rejection ("Phiếu từ chối giải quyết hồ sơ")."""
    info = FORMS[form]
    if form == "03" and dossier.outcome == Dossier.Outcome.REJECTED:
        return REJECTION
    return info


def available_forms(
    dossier: Dossier,
    *,
    events: Sequence[DossierEvent] | None = None,
    pauses: Sequence[DossierPause] | None = None,
) -> list[FormInfo]:
    """The forms 01–06 that mean something for this dossier now, in order, each titled for it
    (for links: ``info.number`` in the address, ``info.label`` as the text)."""
    return [
        form_info(number, dossier)
        for number in FORMS
        if form_applies(number, dossier, events=events, pauses=pauses)
    ]


def reception_officer(dossier: Dossier):
    event = latest_event(dossier, ("receive",))
    if event is not None and event.actor is not None:
        return event.actor
    step = (
        DossierStep.objects.filter(dossier=dossier, kind=DossierStep.Kind.RECEPTION)
        .select_related("receiver", "giver")
        .order_by("seq")
        .first()
    )
    if step is not None and (step.receiver or step.giver):
        return step.receiver or step.giver
    return dossier.created_by


def processing_time_text(dossier: Dossier) -> str:
    """ "05 ngày làm việc": from the snapshot taken at reception, else the catalogue."""
    snapshot = dossier.procedure_snapshot or {}
    # The snapshot taken by dossier_receive: {"time": 5, "unit": "working_days", ...}.
    amount, unit = snapshot.get("time"), snapshot.get("unit")
    if isinstance(amount, dict):
        time = amount
        amount, unit = time.get("amount"), time.get("unit") or unit
    amount = amount or snapshot.get("processing_time")
    unit = unit or snapshot.get("time_unit")
    procedure = dossier.procedure
    if not amount or not unit:
        amount, unit = procedure.processing_time, procedure.time_unit
    if not amount or not unit:
        return ""
    labels = dict(procedure.TimeUnit.choices)
    return f"{int(amount):02d} {labels.get(unit, unit)}"


def applicant_context(dossier: Dossier) -> dict:
    is_org = dossier.applicant_kind == Dossier.ApplicantKind.ORGANISATION
    return {
        "is_organisation": is_org,
        "salutation": "Tổ chức" if is_org else "Ông/Bà",
        "name": dossier.applicant_name,
        "citizen_id": dossier.citizen_id,
        "date_of_birth": fmt_date(dossier.date_of_birth),
        "tax_code": dossier.tax_code,
        "representative": dossier.representative,
        "phone": dossier.phone,
        "email": dossier.email,
        "address": dossier.address,
    }


def agency_context(agency) -> dict:
    """The issuing agency as printed top left: its parent (regular) over its own name (bold)."""
    if agency is None:
        return {"parent": "", "name": "", "address": "", "phone": "", "place": ""}
    parent = agency.parent
    # Decree 30/2020: the managing body's name above the issuer's, except for People's
    # Committees, which print their own name alone ("ỦY BAN NHÂN DÂN / XÃ AN BÌNH").
    parent_name = parent.name.upper() if parent is not None else ""
    name = agency.name.upper()
    if agency.kind == agency.Kind.PEOPLES_COMMITTEE:
        parent_name = ""
        for prefix in ("ỦY BAN NHÂN DÂN ", "UỶ BAN NHÂN DÂN "):
            if name.startswith(prefix):
                parent_name, name = prefix.strip(), name[len(prefix) :]
    return {
        "parent": parent_name,
        "name": name,
        "plain_name": agency.name,
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
        "place": place_name(agency),
    }


# Mẫu 01 lists the documents received on one A5 page with its signatures. A catalogue name runs
# to 500 characters (conditions, alternatives, legal references: "Giấy tờ có giá trị chứng minh
# thông tin về cư trú trong trường hợp … khoản 2 Điều 14 Nghị định số 104/2022/NĐ-CP …"). The
# receipt prints the full names when they fit; otherwise each name is shortened, more at each try,
# until the page holds them all (``render_form``). The system keeps every full name.
DOCUMENT_NAME_LIMITS: tuple[int | None, ...] = (None, 160, 108, 52)
# A closing parenthesis of conditions: "Tờ khai … theo mẫu (nếu người có yêu cầu lựa chọn nộp …)".
TRAILING_CONDITION_RE = re.compile(r"\s*\((?:nếu|trường hợp|đối với|do người|áp dụng)[^()]*\)[.;]?$", re.I)
FULL_STOP_RE = re.compile(r"\.\s+")


def first_sentence(text: str) -> str:
    """``text`` up to its first full stop that ends a sentence: after a lower-case word, a number or
    a parenthesis and before a capital ("… đăng ký khai sinh. Trường hợp …"), not after an
    abbreviation ("TP. Hồ Chí Minh")."""
    for match in FULL_STOP_RE.finditer(text):
        before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        if (before.islower() or before.isdigit() or before == ")") and after.isupper():
            return text[: match.start()]
    return text


def short_document_name(name: str, limit: int | None) -> str:
    """``name`` for a receipt with little room: its first sentence without a closing condition in
    parentheses, then, if still longer than ``limit`` characters, cut at a word with "…".
    ``limit`` None: the name as it is."""
    name = " ".join(name.split())
    if limit is None or len(name) <= limit:
        return name
    first = first_sentence(name).rstrip(" .;,")
    first = TRAILING_CONDITION_RE.sub("", first).rstrip(" .;,")
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" .;,:(/-") + "…"


def document_rows(dossier: Dossier) -> list[dict]:
    rows = []
    for index, document in enumerate(
        DossierDocument.objects.filter(dossier=dossier).order_by("order", "pk"), start=1
    ):
        kind = document.copy_kind
        rows.append(
            {
                "index": index,
                "name": document.name,
                "full_name": document.name,
                "original": document.count if kind == DossierDocument.CopyKind.ORIGINAL else "",
                "certified": document.count if kind == DossierDocument.CopyKind.CERTIFIED_COPY else "",
                "photocopy": document.count if kind == DossierDocument.CopyKind.PHOTOCOPY else "",
                "copy_kind": document.get_copy_kind_display(),
                "count": document.count,
            }
        )
    return rows


TIMELINESS_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


def step_rows(dossier: Dossier, *, now: datetime) -> list[dict]:
    rows = []
    steps = (
        DossierStep.objects.filter(dossier=dossier)
        .select_related("agency", "giver", "receiver")
        .order_by("seq", "pk")
    )
    for index, step in enumerate(steps, start=1):
        giver = person_name(step.giver)
        if not giver and step.kind == DossierStep.Kind.RECEPTION:
            giver = dossier.applicant_name
        if step.timeliness:
            result = TIMELINESS_LABELS.get(step.timeliness, step.get_timeliness_display())
            result_class = step.timeliness
        elif step.finished_at is None:
            late = step.due_at is not None and now > step.due_at
            result = "Đang xử lý, đã quá hạn" if late else "Đang xử lý"
            result_class = "open_late" if late else "open"
        else:
            result, result_class = "", ""
        rows.append(
            {
                "index": index,
                "name": step.name,
                "kind": step.get_kind_display(),
                "agency": step.agency.name if step.agency_id else "",
                "giver": giver,
                # Handed to an agency before anyone there took it: the agency received it.
                "receiver": person_name(step.receiver)
                or (step.agency.short_name or step.agency.name if step.agency_id else ""),
                "started": fmt_datetime(step.started_at),
                "due": fmt_datetime(step.due_at),
                "finished": fmt_datetime(step.finished_at),
                "result": result,
                "result_class": result_class,
                "note": step.note,
            }
        )
    return rows


def _common(dossier: Dossier, info: FormInfo, *, issuer, issued_at) -> dict:
    procedure = dossier.procedure
    return {
        "form": info,
        "dossier": dossier,
        "code": dossier.code,
        "agency": agency_context(issuer),
        "date_line": date_line(issuer, issued_at),
        "applicant": applicant_context(dossier),
        "procedure_name": procedure.name,
        "procedure_code": procedure.code,
        "received_at": fmt_time_long(dossier.received_at),
        "received_date": fmt_date(dossier.received_at),
        "due_at": fmt_time_long(dossier.due_at),
        "due_date": fmt_date(dossier.due_at),
        "receiving_agency": dossier.receiving_agency.name,
        "handling_agency": dossier.handling_agency.name,
        "result_delivery": dossier.get_result_delivery_display() if dossier.result_delivery else "",
        "channel": dossier.get_channel_display() if dossier.channel else "",
    }


def _context_01(dossier: Dossier, info: FormInfo, request) -> dict:
    context = _common(dossier, info, issuer=dossier.receiving_agency, issued_at=dossier.received_at)
    url = tracking_url(dossier.code, request=request)
    officer = reception_officer(dossier)
    documents = document_rows(dossier)
    context.update(
        documents=documents,
        document_total=sum(d["count"] for d in documents),
        processing_time=processing_time_text(dossier),
        tracking_url=url,
        qr_data_uri=qr_png_data_uri(url),
        pin=dossier.pin,
        officer=person_name(officer),
        delivery_place=dossier.receiving_agency.address
        if dossier.result_delivery == Dossier.ResultDelivery.COUNTER
        else "",
    )
    return context


def contact_phone(agency) -> tuple[str, str]:
    """The telephone to call about a dossier at ``agency``, and whose it is: the agency's own
    number (whose: ""), else the nearest agency above it that has one (whose: that agency's
    name, e.g. the commune's committee over its one-stop unit); ("", "") when none has one."""
    seen = set()
    current, own = agency, True
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        if (current.phone or "").strip():
            return current.phone.strip(), "" if own else current.name
        current, own = current.parent, False
    return "", ""


def _context_02(dossier: Dossier, info: FormInfo, request) -> dict:
    pause = latest_supplement(dossier)
    issued_at = pause.started_at if pause is not None else None
    context = _common(dossier, info, issuer=dossier.receiving_agency, issued_at=issued_at)
    items = []
    for index, item in enumerate((pause.items if pause is not None else None) or [], start=1):
        if isinstance(item, dict):
            items.append({"index": index, "name": item.get("name", ""), "reason": item.get("reason", "")})
        else:
            items.append({"index": index, "name": str(item), "reason": ""})
    during_processing = dossier.state == Dossier.State.SUPPLEMENT or (
        dossier.transfer_at is not None and pause is not None and pause.started_at >= dossier.transfer_at
    )
    unit = dossier.receiving_agency
    phone, phone_of = contact_phone(unit)
    context.update(
        items=items,
        note=pause.note if pause is not None else "",
        officer=person_name(pause.requested_by) if pause is not None else "",
        contact={"unit": unit.name, "address": unit.address, "phone": phone, "phone_of": phone_of},
        supplement_number=dossier.supplement_count or (1 if pause is not None else 0),
        during_processing=during_processing,
    )
    return context


def _context_03(dossier: Dossier, info: FormInfo, request) -> dict:
    event = latest_event(dossier, REFUSAL_ACTIONS)
    after_appraisal = event is not None and event.action == "reject"
    # At the counter the one-stop unit refuses; after appraisal the competent agency rejects in
    # writing, signed by the leader who decided (the event's actor), and the one-stop unit
    # returns the answer and the documents like a result.
    issuer = dossier.handling_agency if after_appraisal else dossier.receiving_agency
    if after_appraisal:
        info = REJECTION
    context = _common(dossier, info, issuer=issuer, issued_at=event.at if event is not None else None)
    context.update(
        reason=event.note if event is not None else "",
        after_appraisal=after_appraisal,
        officer=person_name(event.actor) if event is not None else "",
        issuer_name=issuer.name,
    )
    return context


def _context_04(dossier: Dossier, info: FormInfo, request) -> dict:
    extension = dossier_extension(dossier)
    issuer = dossier.handling_agency
    context = _common(
        dossier, info, issuer=issuer, issued_at=extension.created_at if extension is not None else None
    )
    previous = (
        extension.previous_due_at if extension is not None else (dossier.original_due_at or dossier.due_at)
    )
    context.update(
        # Decided before the appointment (what dossier_extend allows): the result will be late,
        # it is not yet; written after it (an older record): it is late already.
        late=extension is not None and extension.created_at >= extension.previous_due_at,
        reason=extension.reason if extension is not None else "",
        previous_due=fmt_time_long(previous),
        new_due=fmt_time_long(extension.new_due_at) if extension is not None else "",
        officer=person_name(extension.created_by) if extension is not None else "",
        issuer_name=issuer.name,
    )
    return context


def _context_05(dossier: Dossier, info: FormInfo, request) -> dict:
    event = latest_event(dossier, STOP_ACTIONS)
    # The competent agency stops processing, whoever held the dossier at the time.
    issuer = dossier.handling_agency
    context = _common(dossier, info, issuer=issuer, issued_at=event.at if event is not None else None)
    context.update(
        reason=event.note if event is not None else "",
        withdrawn=event is not None and event.action == "withdraw",
        stopped_on=fmt_date(event.at) if event is not None else "",
        officer=person_name(event.actor) if event is not None else "",
        issuer_name=issuer.name,
    )
    return context


def _context_06(dossier: Dossier, info: FormInfo, request) -> dict:
    context = _common(dossier, info, issuer=dossier.receiving_agency, issued_at=dossier.received_at)
    rows = step_rows(dossier, now=timezone.now())
    agencies = []
    for row in rows:
        if row["agency"] and row["agency"] not in agencies and row["agency"] != dossier.handling_agency.name:
            agencies.append(row["agency"])
    extension = dossier_extension(dossier)
    context.update(
        steps=rows,
        cooperating=[a for a in agencies if a != dossier.receiving_agency.name],
        extended_from=fmt_datetime(extension.previous_due_at) if extension is not None else "",
        due_short=fmt_datetime(dossier.due_at),
        finished=fmt_datetime(dossier.finished_at),
        returned=fmt_datetime(dossier.returned_at),
        outcome=TIMELINESS_LABELS.get(dossier.timeliness, ""),
    )
    return context


CONTEXTS = {
    "01": _context_01,
    "02": _context_02,
    "03": _context_03,
    "04": _context_04,
    "05": _context_05,
    "06": _context_06,
}


def form_context(form: str, dossier: Dossier, *, request=None) -> dict:
    """What the template of form ``form`` prints for ``dossier``."""
    info = FORMS.get(form)
    if info is None:
        raise InvalidInput(
            f"Không có biểu mẫu số “{form}”; chọn một trong: {', '.join(FORMS)}.", details={"form": form}
        )
    dossier = (
        Dossier.objects.select_related(
            "procedure",
            "receiving_agency__parent",
            "receiving_agency__admin_unit",
            "handling_agency__parent",
            "handling_agency__admin_unit",
            "created_by",
        )
        .filter(pk=dossier.pk)
        .first()
        or dossier
    )
    return CONTEXTS[form](dossier, info, request)


def form_html(form: str, dossier: Dossier, *, request=None) -> str:
    """The HTML of form ``form`` before it becomes a PDF (tests look at it; so can a preview)."""
    context = form_context(form, dossier, request=request)
    return render_to_string(context["form"].template, context)


def html_document(html: str, *, base_url: str | None = None):
    """The laid-out pages (a WeasyPrint document: ``.pages``, ``.write_pdf()``)."""
    # Imported here: WeasyPrint loads Pango at import, which only printing needs.
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render()


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    return html_document(html, base_url=base_url).write_pdf()


def render_form(form: str, dossier: Dossier, *, request=None) -> bytes:
    """Form ``form`` ("01"–"06") of ``dossier`` as an A5 PDF.

    Mẫu 01 is laid out with the full document names, then with shorter ones
    (``DOCUMENT_NAME_LIMITS``) until it fits one page with its signatures."""
    context = form_context(form, dossier, request=request)
    template = context["form"].template
    if form != "01":
        return html_to_pdf(render_to_string(template, context))
    documents = context["documents"]
    for limit in DOCUMENT_NAME_LIMITS:
        context["documents"] = [
            {**row, "name": short_document_name(row["full_name"], limit)} for row in documents
        ]
        document = html_document(render_to_string(template, context))
        if len(document.pages) == 1:
            break
    return document.write_pdf()
