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

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent, NationalStatus

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


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR") or "unknown"


def is_throttled(address: str) -> bool:
    return (cache.get(_key(address)) or 0) >= MAX_FAILURES


def record_failure(address: str) -> int:
    key = _key(address)
    cache.add(key, 0, timeout=WINDOW_SECONDS + 60)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS + 60)
        return 1


def public_view(dossier: Dossier) -> PublicDossier:
    history: list[HistoryEntry] = []
    # Status changes only (no comments, no notes, no actors): the dossier's own dated history.
    events = (
        DossierEvent.objects.filter(dossier=dossier, kind=DossierEvent.Kind.STATUS)
        .order_by("at", "pk")
        .values_list("at", "status_code", "state")
    )
    for at, status_code, state in events:
        code = status_code or Dossier.STATUS_OF_STATE.get(state)
        if not code:
            continue
        if history and history[-1].status_code == code:
            continue  # a hand-over inside "Đang xử lý" is not a new status for the citizen
        history.append(HistoryEntry(at=at, status_code=code, status_name=NationalStatus(code).label))
    return PublicDossier(
        code=dossier.code,
        status_code=dossier.status_code,
        status_name=NationalStatus(dossier.status_code).label,
        procedure_code=dossier.procedure.code,
        procedure_name=dossier.procedure.name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        returned_at=dossier.returned_at,
        holder_agency=dossier.holder_agency.name if dossier.holder_agency_id else None,
        applicant_masked=mask_name(dossier.applicant_name),
        history=history,
    )


def track(request, code: str, pin: str) -> PublicDossier | None:
    """The public view of the dossier, or None (counted as a failure); raises Throttled."""
    from motcua.dossiers import selectors

    address = client_address(request)
    if is_throttled(address):
        raise Throttled
    dossier = (
        selectors.dossier_for_tracking(normalise_code(code), normalise_pin(pin)) if code and pin else None
    )
    if dossier is None:
        record_failure(address)
        return None
    return public_view(dossier)
