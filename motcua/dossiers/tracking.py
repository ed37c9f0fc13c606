"""Public tracking (tra cứu hồ sơ): code + PIN → what a citizen may see, and the throttle.

Shared by the page (``views/tracking.py``) and the API (``GET /api/v1/tracking/{code}``) so both
show exactly the same thing and count failures the same way.

What is shown: the status (national name and code 1–10), the procedure, when it was received,
the appointment, the agency holding it now (never an officer) and the dated history of statuses.
Nothing else personal: the applicant's name only masked ("Nguyễn V** A**").

A wrong PIN and an unknown code are indistinguishable. Failed lookups are counted per client
address (``REMOTE_ADDR``) in Django's cache, in fixed 10-minute windows: the cache's atomic
``add``/``incr`` work the same with locmem and Redis. After ``MAX_FAILURES`` failures in the
window every lookup from that address is refused with 429 until the window ends (refusing the
right answer too, so a guesser cannot tell a hit while throttled).
"""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import overload

from django.core.cache import cache as django_cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierEvent, NationalStatus
from motcua.org.models import Agency

MAX_FAILURES = 10
WINDOW_SECONDS = 10 * 60
NOT_FOUND_MESSAGE = "Không tìm thấy hồ sơ với mã và mã tra cứu này."
THROTTLED_MESSAGE = (
    "Bạn đã tra cứu sai quá nhiều lần. Vui lòng thử lại sau 10 phút, hoặc liên hệ "
    "Bộ phận Một cửa nơi nộp hồ sơ để được hỗ trợ."
)
CODE_MAX_LENGTH = 60
PIN_MAX_LENGTH = 12


@dataclass
class HistoryEntry:
    at: datetime
    status_code: int
    status_name: str


@dataclass
class PublicDossier:
    code: str
    status_code: int
    status_name: str
    procedure_code: str
    procedure_name: str
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    holder_agency: str | None
    applicant_masked: str
    history: list[HistoryEntry] = field(default_factory=list)


class Throttled(Exception):
    message = THROTTLED_MESSAGE


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


def _key(address: str) -> str:
    window = int(timezone.now().timestamp()) // WINDOW_SECONDS
    return f"tracking-fail:{address}:{window}"


def is_throttled(address: str) -> bool:
    return (django_cache.get(_key(address)) or 0) >= MAX_FAILURES


def record_failure(address: str) -> int:
    key = _key(address)
    django_cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        return django_cache.incr(key)
    except ValueError:  # expired between add and incr
        django_cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        return 1


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
        )
    )
    # Only identifiers from the models are formatted in; the code and the kind are parameters.
    return (
        f"SELECT {dossier_cols}, {p}.{col(Procedure, 'code')}, {p}.{col(Procedure, 'name')}, "  # noqa: S608
        f"{a}.{col(Agency, 'name')}, {e}.{col(DossierEvent, 'at')}, {e}.{col(DossierEvent, 'status_code')}, "
        f"{e}.{col(DossierEvent, 'state')} "
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


def find(code: str, pin: str) -> dict | None:
    """The dossier's public facts and dated statuses for a code and PIN, or None for an unknown
    code or a wrong PIN alike: the PIN is compared in constant time, and an unknown code costs a
    comparison too, so that timing tells nothing."""
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
    for *_, at, status_code, state in rows:
        if at is None:
            continue  # no status event yet
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
        "procedure__code": first[9],
        "procedure__name": first[10],
        "holder_agency__name": first[11],
        "history": history,
    }


def public_view(row: dict) -> PublicDossier:
    return PublicDossier(
        code=row["code"],
        status_code=row["status_code"],
        status_name=NationalStatus(row["status_code"]).label,
        procedure_code=row["procedure__code"],
        procedure_name=row["procedure__name"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        finished_at=row["finished_at"],
        returned_at=row["returned_at"],
        holder_agency=row["holder_agency__name"],
        applicant_masked=mask_name(row["applicant_name"]),
        history=row["history"],
    )


def track(code: str, pin: str, *, ip: str | None) -> PublicDossier | None:
    """The public view of the dossier, or None (counted as a failure against the client's
    address ``ip``); raises Throttled."""
    address = ip or "unknown"
    if is_throttled(address):
        raise Throttled
    row = find(code, pin)
    if row is None:
        record_failure(address)
        return None
    return public_view(row)
