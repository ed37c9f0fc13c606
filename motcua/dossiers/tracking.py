"""Public tracking (tra cứu hồ sơ): code + PIN → what a citizen may see, and the throttle.

Shared by the page (``views/tracking.py``) and the API (``POST /api/v1/tracking``, and the
deprecated ``GET /api/v1/tracking/{code}?pin=``) so both show exactly the same thing and count
failures the same way. The PIN travels in no address: both take it in a request body.

What is shown: the situation in plain words (``situation.status_label``: a dossier not granted
after appraisal never reads as a success) with the reason of a rejection, refusal or stop, what
to do now, what to bring for a supplement and why (the old appointment then no longer stands),
what to pay, early / on time / late once finished, how the appointment was counted (the days off
and make-up days of the working calendar), the procedure, when it was received, the agency
holding it now (never an officer) and the dated history of statuses — the words are in
``tracking_words``. Nothing else personal: the applicant's name only masked ("Nguyễn V** A**"),
and of the events' notes only the reasons the services sent to the applicant; a supplement's
internal note never. A code of the wrong form is refused before any lookup (``code_problem``)
and is not counted as a failure.

A wrong PIN and an unknown code are indistinguishable. Failed lookups are counted in the shared
cache (Redis; motcua/lib/counters.py), in fixed windows, against two limits:

- per client address (``motcua.lib.clients.client_ip``: behind the reverse proxy, the real
  client's): ``MAX_FAILURES`` (10) failures per ``WINDOW_SECONDS`` (10 minutes); then every
  lookup from that address is refused with 429 until the window ends;
- per dossier code, whoever asks: ``CODE_MAX_FAILURES`` (30) failures per ``CODE_WINDOW_SECONDS``
  (an hour), which stops a guess spread over many addresses; then every lookup of that code
  answers "thử lại sau" (429) to everyone until the window ends. An unknown code is counted and
  refused exactly like a real one, so that the limit tells nothing about which codes exist.

Refusals refuse the right answer too, so that a guesser cannot tell a hit while throttled. The
count is exact across processes: once the database has answered, a failure takes its place in
both counts atomically (``INCRBY``, never read-then-write) and is answered only if that place is
within the limits, so that ten wrong lookups sent at once from one address are ten failures and
the eleventh is refused. A success takes no place: it reads both counts (while the database is
asked, to save a wait) and is answered only if no limit has been reached. (A refused lookup has
queried the database too; its answer is dropped.) The
first refusal of an address or a code in a window is recorded in the audit log
("tracking.throttled_address", "tracking.throttled_code"). The messages say what happened and in
how many minutes to try again, without blaming the reader: many people may share one address (an
office, a café), and a code's limit is reached by other people's attempts.
"""

import json
import math
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import overload

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.audit.services import audit_record
from motcua.catalog.models import Procedure
from motcua.dossiers import situation
from motcua.dossiers import tracking_words as words
from motcua.dossiers.models import Consignment, Dossier, DossierEvent, NationalStatus
from motcua.lib.counters import WindowCounter, incr_counters, start_incr_counters
from motcua.org.models import Agency

MAX_FAILURES = 10
WINDOW_SECONDS = 10 * 60
CODE_MAX_FAILURES = 30
CODE_WINDOW_SECONDS = 60 * 60
NOT_FOUND_MESSAGE = "Không tìm thấy hồ sơ với mã và mã tra cứu này."
# Neither message says the reader made the attempts: many people share one address (an office, a
# café, a mobile network), and a code's limit is reached by other people's guesses.
ADDRESS_THROTTLED_MESSAGE = (
    "Có quá nhiều lượt tra cứu không thành công từ địa chỉ mạng này (nhiều người dùng chung một "
    "mạng, như ở cơ quan hay quán cà phê, cũng có thể dẫn đến điều này). Để bảo vệ thông tin hồ "
    "sơ, việc tra cứu từ địa chỉ này tạm dừng; vui lòng thử lại sau {minutes} phút (từ {until}), "
    "hoặc liên hệ Bộ phận Một cửa nơi nộp hồ sơ để được hỗ trợ."
)
CODE_THROTTLED_MESSAGE = (
    "Có quá nhiều lượt tra cứu không thành công cho hồ sơ này, từ nhiều nơi khác nhau. Để bảo vệ "
    "thông tin hồ sơ, việc tra cứu hồ sơ này tạm dừng; vui lòng thử lại sau {minutes} phút (từ "
    "{until}), hoặc liên hệ Bộ phận Một cửa nơi nộp hồ sơ để được hỗ trợ."
)
CODE_EXAMPLE = "000.00.31.H99-260115-0042"
MALFORMED_CODE_MESSAGE = (
    "Mã hồ sơ “{code}” không đúng dạng. Mã hồ sơ in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả "
    "gồm mã cơ quan, ngày tiếp nhận (năm, tháng, ngày) và số thứ tự, cách nhau bởi dấu gạch "
    f"ngang, ví dụ {CODE_EXAMPLE}."
)
# ``{receiving agency code}-{YYMMDD}-{NNNN}`` (services/reception.py), after ``normalise_code``.
CODE_PATTERN = re.compile(r"\S{1,45}-\d{6}-\d{4,6}")
SUPPLEMENT_ACTIONS = ("request-supplement", "request_supplement")
# The statuses at which the closing event's reason still describes the dossier.
REASON_STATUSES: dict[str, tuple[int, ...]] = {
    "reject": (NationalStatus.FINISHED, NationalStatus.RETURNED),
    "refuse": (NationalStatus.REFUSED,),
    "stop": (NationalStatus.STOPPED,),
}
# The statuses at which the appointment stands (and is explained).
APPOINTMENT_STATUSES = (
    NationalStatus.RECEIVED,
    NationalStatus.PROCESSING,
    NationalStatus.PAYMENT,
    NationalStatus.FINISHED,
    NationalStatus.RETURNED,
)
UNKNOWN_ADDRESS = "unknown"
CODE_MAX_LENGTH = 60
PIN_MAX_LENGTH = 12


@dataclass
class HistoryEntry:
    at: datetime
    status_code: int
    status_name: str  # the national status's name
    label: str = ""  # what it meant for the applicant ("Không giải quyết — …" for a rejection)


@dataclass
class PublicDossier:
    code: str
    status_code: int
    status_name: str  # the national name of the status (the API keeps it for integrations)
    procedure_code: str
    procedure_name: str
    received_at: datetime | None
    due_at: datetime | None  # None while a supplement is awaited: the old appointment no longer holds
    finished_at: datetime | None
    returned_at: datetime | None
    holder_agency: str | None
    applicant_masked: str
    history: list[HistoryEntry] = field(default_factory=list)
    status_label: str = ""  # the situation in plain words (motcua/dossiers/situation.py)
    outcome: str = ""
    outcome_label: str = ""
    reason_title: str = ""
    reason: str = ""  # why not granted / not received / stopped (told to the applicant)
    timeliness: str = ""
    timeliness_label: str = ""
    timeliness_sentence: str = ""
    guidance: str = ""  # what to do now
    supplement: words.SupplementAsk | None = None
    payment: words.PaymentAsk | None = None
    appointment: words.AppointmentNote | None = None
    consignment: "ConsignmentNote | None" = None


@dataclass
class ConsignmentNote:
    """The result's (or the dossier's) consignment, as the applicant sees it."""

    number: str
    status: str
    status_label: str
    direction: str
    at: datetime


def consignment_note(post: tuple[datetime, dict] | None) -> ConsignmentNote | None:
    if post is None:
        return None
    at, data = post
    status = data.get("status", "")
    if status not in Consignment.Status.values:
        return None
    return ConsignmentNote(
        number=str(data.get("consignment") or ""),
        status=status,
        status_label=Consignment.Status(status).label,
        direction=str(data.get("direction") or ""),
        at=at,
    )


class Throttled(Exception):
    """A lookup refused by a throttle; ``message`` says in how many minutes and from when (Hà Nội
    time) to try again; ``retry_after`` is that wait in seconds (the ``Retry-After`` header)."""

    def __init__(self, message: str, *, until: datetime, reason: str, retry_after: int = 0):
        super().__init__(message)
        self.message = message
        self.until = until
        self.reason = reason  # "address" or "code"
        self.retry_after = retry_after


def code_problem(code: str) -> str | None:
    """What is wrong with a (normalised) dossier code's form, or None: such a code is answered 400
    at once, neither looked up nor counted as a failed lookup (its form is public knowledge)."""
    if CODE_PATTERN.fullmatch(code):
        return None
    shown = code if len(code) <= 40 else code[:40] + "…"
    return MALFORMED_CODE_MESSAGE.format(code=shown)


def normalise_code(raw: str | None) -> str:
    return (raw or "").strip().upper()[:CODE_MAX_LENGTH]


def normalise_pin(raw: str | None) -> str:
    # PINs are printed in capitals without look-alike letters; accept what people type.
    return (raw or "").strip().replace(" ", "").upper()[:PIN_MAX_LENGTH]


def mask_name(name: str) -> str:
    """Keep the family name, reduce every other word to its first letter: "Nguyễn V** A**"."""
    words = name.split()
    if not words:
        return ""
    return " ".join([words[0], *(w[0] + "**" for w in words[1:])])


ADDRESS_FAILURES = WindowCounter("tracking-fail-ip", WINDOW_SECONDS)
CODE_FAILURES = WindowCounter("tracking-fail-code", CODE_WINDOW_SECONDS)


def _clock(moment: datetime) -> str:
    """ "10:20" (Hà Nội time), or "10:20 ngày 03/03/2026" when that is not today."""
    local, today = timezone.localtime(moment), timezone.localdate()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def _wait(until: datetime, now: datetime) -> tuple[int, int]:
    """(seconds, whole minutes rounded up, at least 1) from ``now`` to ``until``."""
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return seconds, max(1, math.ceil(seconds / 60))


def _refuse_address(address: str, now: datetime) -> Throttled:
    until = ADDRESS_FAILURES.ends_at(now)
    seconds, minutes = _wait(until, now)
    if ADDRESS_FAILURES.first_time(address, "audited", now):
        audit_record(
            action="tracking.throttled_address",
            ip=address if address != UNKNOWN_ADDRESS else None,
            extra={"failures": MAX_FAILURES, "window_minutes": WINDOW_SECONDS // 60, "until": until},
        )
    return Throttled(
        ADDRESS_THROTTLED_MESSAGE.format(minutes=minutes, until=_clock(until)),
        until=until,
        reason="address",
        retry_after=seconds,
    )


def _refuse_code(code: str, address: str, now: datetime) -> Throttled:
    until = CODE_FAILURES.ends_at(now)
    seconds, minutes = _wait(until, now)
    if CODE_FAILURES.first_time(code, "audited", now):
        # In the dossier's own history when the code is a dossier's; a made-up code is named.
        dossier = Dossier.objects.filter(code=code).only("pk", "code").first()
        audit_record(
            action="tracking.throttled_code",
            obj=dossier,
            object_type="" if dossier else "tracking.code",
            object_id="" if dossier else code[:80],
            object_repr="" if dossier else code,
            ip=address if address != UNKNOWN_ADDRESS else None,
            extra={
                "code": code,
                "failures": CODE_MAX_FAILURES,
                "window_minutes": CODE_WINDOW_SECONDS // 60,
                "until": until,
            },
        )
    return Throttled(
        CODE_THROTTLED_MESSAGE.format(minutes=minutes, until=_clock(until)),
        until=until,
        reason="code",
        retry_after=seconds,
    )


def _sql() -> str:
    """One SELECT: the dossier's public columns, its procedure, the holding agency and its status
    events in date order (a LEFT JOIN: one row per event, or one row without any).

    Written out rather than built by the ORM on every request: a lookup must cost about what
    the health check costs, and building the query was most of its time. Portable SQL (SQLite
    and PostgreSQL), names taken from the models."""
    q = connection.ops.quote_name

    def col(model, name):
        return q(model._meta.get_field(name).column)

    d, p, a, e = (q(m._meta.db_table) for m in (Dossier, Procedure, Agency, DossierEvent))
    dossier_cols = ", ".join(
        f"{d}.{col(Dossier, name)}"
        for name in (
            "id",
            "code",
            "pin",
            "status_code",
            "received_at",
            "due_at",
            "finished_at",
            "returned_at",
            "applicant_name",
            "state",
            "outcome",
            "timeliness",
            "fee_due_vnd",
            "clock_started_at",
            "result_delivery",
        )
    )
    # Only identifiers from the models are formatted in; the code and the kind are parameters.
    return (
        f"SELECT {dossier_cols}, {p}.{col(Procedure, 'code')}, {p}.{col(Procedure, 'name')}, "  # noqa: S608
        f"{p}.{col(Procedure, 'time_unit')}, {a}.{col(Agency, 'name')}, "
        f"{e}.{col(DossierEvent, 'at')}, {e}.{col(DossierEvent, 'status_code')}, "
        f"{e}.{col(DossierEvent, 'state')}, {e}.{col(DossierEvent, 'action')}, "
        f"{e}.{col(DossierEvent, 'note')}, {e}.{col(DossierEvent, 'data')} "
        f"FROM {d} INNER JOIN {p} ON {p}.{col(Procedure, 'id')} = {d}.{col(Dossier, 'procedure')} "
        f"LEFT OUTER JOIN {a} ON {a}.{col(Agency, 'id')} = {d}.{col(Dossier, 'holder_agency')} "
        f"LEFT OUTER JOIN {e} ON {e}.{col(DossierEvent, 'dossier')} = {d}.{col(Dossier, 'id')} "
        f"AND {e}.{col(DossierEvent, 'kind')} = %s "
        f"WHERE {d}.{col(Dossier, 'code')} = %s "
        f"ORDER BY {e}.{col(DossierEvent, 'at')}, {e}.{col(DossierEvent, 'id')}"
    )


@cache
def _cached_sql(vendor: str) -> str:
    return _sql()


@overload
def _moment(value: None) -> None: ...
@overload
def _moment(value: datetime | str) -> datetime: ...
def _moment(value: datetime | str | None) -> datetime | None:
    """A stored UTC time as an aware datetime (SQLite's raw cursor hands back text)."""
    if value is None:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"Not a stored time: {value!r}")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def _json(value: object) -> dict:
    """An event's data as a dict (SQLite and psycopg's raw cursors hand back the JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def find(code: str, pin: str) -> dict | None:
    """The dossier's public facts and dated statuses for a code and PIN, or None for an unknown
    code or a wrong PIN alike: the PIN is compared in constant time, and an unknown code costs a
    comparison too, so that timing tells nothing.

    From its status events it keeps, besides the history, only what the applicant was told: the
    last supplement request (its items and the clock's policy; never its note, which may be
    internal), the last payment request (its amount) and the reason of a rejection, refusal or
    stop (``situation.REASON_ACTIONS``)."""
    code, pin = normalise_code(code), normalise_pin(pin)
    if not code or not pin:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_cached_sql(connection.vendor), [DossierEvent.Kind.STATUS.value, code])
        rows = cursor.fetchall()
    if not rows:
        secrets.compare_digest(b"XXXXXX", pin.encode())
        return None
    first = rows[0]
    if not secrets.compare_digest(str(first[2]).encode(), pin.encode()):
        return None
    history: list[HistoryEntry] = []
    supplement = payment = reason = post = None
    for *_, at, status_code, state, action, note, data in rows:
        if at is None:
            continue  # no status event yet
        if action in SUPPLEMENT_ACTIONS:
            supplement = (at, data)
        elif action == "request-payment":
            payment = (at, data)
        elif action in situation.REASON_ACTIONS:
            reason = (action, note)
        elif action == "post-consignment":
            post = (at, data)
        number = status_code or Dossier.STATUS_OF_STATE.get(state)
        # A hand-over inside "Đang xử lý" is not a new status for the citizen.
        if not number or (history and history[-1].status_code == number):
            continue
        history.append(
            HistoryEntry(at=_moment(at), status_code=number, status_name=NationalStatus(number).label)
        )
    return {
        "code": first[1],
        "status_code": first[3],
        "received_at": _moment(first[4]),
        "due_at": _moment(first[5]),
        "finished_at": _moment(first[6]),
        "returned_at": _moment(first[7]),
        "applicant_name": first[8],
        "state": first[9],
        "outcome": first[10] or "",
        "timeliness": first[11] or "",
        "fee_due_vnd": first[12],
        "clock_started_at": _moment(first[13]),
        "result_delivery": first[14],
        "procedure__code": first[15],
        "procedure__name": first[16],
        "procedure__time_unit": first[17] or "",
        "holder_agency__name": first[18],
        "history": history,
        "supplement": (_moment(supplement[0]), _json(supplement[1])) if supplement else None,
        "payment": (_moment(payment[0]), _json(payment[1])) if payment else None,
        "reason": reason,
        "post": (_moment(post[0]), _json(post[1])) if post else None,
    }


def public_view(row: dict) -> PublicDossier:
    status_code, outcome, state = row["status_code"], row["outcome"], row["state"]
    for entry in row["history"]:
        entry.label = situation.status_label(entry.status_code, outcome)
    supplement = payment = None
    due_at = row["due_at"]
    if state in (Dossier.State.SUPPLEMENT, Dossier.State.INTAKE_SUPPLEMENT) and row["supplement"]:
        at, data = row["supplement"]
        supplement = words.supplement_ask(
            data=data, requested_at=at, at_intake=state == Dossier.State.INTAKE_SUPPLEMENT
        )
        due_at = None  # recounted (or moved) when the supplement is received
    if state == Dossier.State.PAYMENT:
        asked: tuple[datetime | None, dict] = row["payment"] or (None, {})
        at, data = asked
        amount = data.get("amount_vnd") or row["fee_due_vnd"]
        payment = words.payment_ask(amount_vnd=amount if isinstance(amount, int) else None, requested_at=at)
    action, reason = row["reason"] or ("", "")
    if status_code not in REASON_STATUSES.get(action, ()):
        action, reason = "", ""  # a later status replaced the closing one (never, today)
    appointment = None
    if due_at is not None and status_code in APPOINTMENT_STATUSES:
        appointment = words.appointment_note(
            row["clock_started_at"] or row["received_at"], due_at, row["procedure__time_unit"]
        )
    return PublicDossier(
        code=row["code"],
        status_code=status_code,
        status_name=NationalStatus(status_code).label,
        procedure_code=row["procedure__code"],
        procedure_name=row["procedure__name"],
        received_at=row["received_at"],
        due_at=due_at,
        finished_at=row["finished_at"],
        returned_at=row["returned_at"],
        holder_agency=row["holder_agency__name"],
        applicant_masked=mask_name(row["applicant_name"]),
        history=row["history"],
        status_label=situation.status_label(status_code, outcome),
        outcome=outcome,
        outcome_label=situation.outcome_label(outcome),
        reason_title=situation.REASON_TITLES.get(action, ""),
        reason=reason,
        timeliness=row["timeliness"],
        timeliness_label=situation.timeliness_label(row["timeliness"]),
        timeliness_sentence=words.timeliness_sentence(row["timeliness"], row["finished_at"], due_at, outcome),
        guidance=words.guidance(
            status_code=status_code,
            outcome=outcome,
            result_delivery=row["result_delivery"],
            reason=reason,
            supplement=supplement,
            payment=payment,
        ),
        supplement=supplement,
        payment=payment,
        appointment=appointment,
        consignment=consignment_note(row.get("post")),
    )


def track(code: str, pin: str, *, ip: str | None) -> PublicDossier | None:
    """The public view of the dossier, or None (a failure, counted against the client's address
    ``ip`` and against the code); raises Throttled."""
    address = ip or UNKNOWN_ADDRESS
    code = normalise_code(code)
    now = timezone.now()
    # The counts are read while the database is asked, so that the two waits overlap: a success
    # takes no place in them and needs nothing more. A failure then takes its place in both,
    # atomically (one more round trip).
    counted = start_incr_counters({(ADDRESS_FAILURES, address): 0, (CODE_FAILURES, code): 0}, now)
    try:
        row = find(code, pin)
    finally:
        by_address, by_code = counted()
    failed = row is None
    if failed:
        by_address, by_code = incr_counters({(ADDRESS_FAILURES, address): 1, (CODE_FAILURES, code): 1}, now)
    if _refused(by_address, MAX_FAILURES, failed):
        if failed:
            incr_counters({(CODE_FAILURES, code): -1}, now)  # refused before trying this code
        raise _refuse_address(address, now)
    if _refused(by_code, CODE_MAX_FAILURES, failed):
        if failed:
            incr_counters({(ADDRESS_FAILURES, address): -1}, now)  # not this address's failure
        raise _refuse_code(code, address, now)
    return None if row is None else public_view(row)


def _refused(count: int, limit: int, failed: bool) -> bool:
    """A failure is answered while its own place is within the limit (the 10th of 10 is); a
    success while the failures have not reached it (after 10 of 10, nothing is answered)."""
    return count > limit if failed else count >= limit
