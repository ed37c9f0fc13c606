"""Reading and checking the audit log."""

import hmac
from dataclasses import dataclass, field

from django.db.models import QuerySet

from motcua.audit.checkpoints import Checkpoint, CheckpointInvalid, checkpoint_names, checkpoint_read
from motcua.audit.hashing import keyed_hash, legacy_hash
from motcua.audit.keys import KeyRing, checkpoint_key_ring, event_key_ring
from motcua.audit.models import AuditChain, AuditEvent


@dataclass
class ChainProblem:
    chain: str  # empty: a problem of a checkpoint file, not of a chain
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"chuỗi {self.chain}, sự kiện {self.seq}: {self.problem}" if self.chain else self.problem


@dataclass(frozen=True)
class ChainEnd:
    """The last event of a chain as the verification found it (what a checkpoint records)."""

    seq: int
    hash: str
    at: str
    legacy_seen: int  # the last event without a key (0: none) among those verified


@dataclass
class Verification:
    problems: list[ChainProblem] = field(default_factory=list)
    ends: dict[str, ChainEnd] = field(default_factory=dict)
    events: int = 0  # events verified
    checkpoint: Checkpoint | None = None  # the latest valid checkpoint, compared with


def checkpoints_load(*, every: bool = False) -> tuple[list[Checkpoint], list[ChainProblem]]:
    """The latest checkpoint whose signature holds (with ``every``, each one), oldest first; and a
    problem for each file that does not hold, among those read."""
    names = checkpoint_names()
    if not names:
        return [], []
    ring = checkpoint_key_ring()
    valid: list[Checkpoint] = []
    problems: list[ChainProblem] = []
    for name in reversed(names):
        try:
            valid.append(checkpoint_read(name, ring))
        except CheckpointInvalid as exc:
            problems.append(ChainProblem("", 0, f"điểm neo {name}: {exc}"))
            continue
        if not every:
            break
    valid.reverse()
    return valid, problems


def _verify_chain(
    key: str,
    *,
    start: int,
    pins: dict[int, tuple[str, str]],
    legacy_until: int | None,
    ring: KeyRing,
    result: Verification,
) -> None:
    """Verify the events of chain ``key`` from number ``start`` on, and its head row.

    ``pins``: event number → (hash, checkpoint name) that the checkpoints recorded;
    ``legacy_until``: the last event allowed without a key (None: no checkpoint yet, then events
    without a key are accepted only as the beginning of the chain)."""

    def flag(seq: int, text: str) -> None:
        result.problems.append(ChainProblem(key, seq, text))

    expected = start
    prev_hash: str | None = "" if start == 1 else None  # before ``start``: not read
    keyed_seen = False
    legacy_seen = 0
    last: AuditEvent | None = None
    events = AuditEvent.objects.filter(chain=key)
    if start > 1:
        events = events.filter(seq__gte=start)
    for event in events.order_by("seq").iterator(chunk_size=2000):
        result.events += 1
        if event.seq < expected:
            flag(event.seq, "số thứ tự không hợp lệ")
        elif event.seq > expected:
            missing = f"{expected}–{event.seq - 1}" if event.seq - 1 > expected else str(expected)
            flag(expected, f"thiếu sự kiện {missing}")
        if prev_hash is not None and event.prev_hash != prev_hash:
            flag(event.seq, "liên kết với sự kiện trước bị sai")
        if event.key_id:
            keyed_seen = True
            secret = ring.keys.get(event.key_id)
            if secret is None:
                flag(event.seq, f"được ký bằng khóa {event.key_id} không có trong AUDIT_KEY")
            elif not hmac.compare_digest(keyed_hash(event, secret), event.hash):
                flag(event.seq, "nội dung đã bị sửa")
        else:
            legacy_seen = event.seq
            if keyed_seen:
                flag(event.seq, "sự kiện kiểu cũ (không có khóa HMAC) nằm sau một sự kiện đã ký bằng khóa")
            elif legacy_until is not None and event.seq > legacy_until:
                flag(
                    event.seq,
                    f"sự kiện kiểu cũ (không có khóa HMAC) nằm sau mốc {legacy_until} mà điểm neo ghi nhận",
                )
            elif legacy_hash(event) != event.hash:
                flag(event.seq, "nội dung đã bị sửa")
        pin = pins.get(event.seq)
        if pin is not None and pin[0] != event.hash:
            flag(event.seq, f"khác với điểm neo {pin[1]}: chuỗi đã bị viết lại hoặc quay lui")
        prev_hash = event.hash
        expected = max(expected, event.seq + 1)
        last = event

    if last is None and start > 1:  # nothing from the checkpoint's event on: what is left?
        last = AuditEvent.objects.filter(chain=key).order_by("-seq").first()
    last_seq = last.seq if last is not None else 0
    if pins and max(pins) > last_seq:
        top = max(pins)
        name = pins[top][1]
        if last_seq == 0:
            flag(
                top,
                f"chuỗi đã bị xóa: điểm neo {name} ghi tới sự kiện {top}, "
                "cơ sở dữ liệu không còn sự kiện nào",
            )
        else:
            flag(
                top,
                f"chuỗi bị cắt hoặc quay lui: cơ sở dữ liệu chỉ còn tới sự kiện {last_seq}, "
                f"điểm neo {name} ghi tới sự kiện {top}",
            )

    # The head row is read after the events: a writer commits its event and the head together,
    # so a head ahead of the last event read is a concurrent append if that event exists now.
    head = AuditChain.objects.filter(key=key).values_list("last_seq", "last_hash").first()
    if head is None:
        if last is not None:
            flag(
                last.seq,
                "có sự kiện nhưng không có dòng đầu chuỗi: chuỗi được chèn thẳng vào cơ sở dữ liệu "
                "hoặc dòng đầu chuỗi đã bị xóa",
            )
    else:
        last_hash = last.hash if last is not None else ""
        if head != (last_seq, last_hash):
            appended = (
                head[0] > last_seq
                and AuditEvent.objects.filter(chain=key, seq=head[0], hash=head[1]).exists()
            )
            if not appended:
                flag(
                    head[0],
                    f"cuối chuỗi không khớp: dòng đầu chuỗi ghi sự kiện {head[0]}, "
                    f"sự kiện cuối là {last_seq}",
                )
    if last is not None:
        result.ends[key] = ChainEnd(
            seq=last.seq, hash=last.hash, at=last.occurred_at.isoformat(), legacy_seen=legacy_seen
        )


def audit_verify_log(*, every_checkpoint: bool = False, since_checkpoint: bool = False) -> Verification:
    """Recompute every chain and compare it with the latest checkpoint (with ``every_checkpoint``,
    with every checkpoint kept). Finds edited events (their HMAC no longer holds), missing events,
    events and heads that disagree, chains with events but no head row, and, against the
    checkpoint, chains deleted, truncated, rolled back or rewritten since.

    ``since_checkpoint``: a chain the latest checkpoint recorded is read from the event it
    recorded on (that event's hash is checked against it), not from the beginning: what
    ``audit_checkpoint`` checks before signing a new one."""
    result = Verification()
    checkpoints, result.problems = checkpoints_load(every=every_checkpoint)
    latest = result.checkpoint = checkpoints[-1] if checkpoints else None
    pins: dict[str, dict[int, tuple[str, str]]] = {}
    for checkpoint in checkpoints:
        for key, pin in checkpoint.chains.items():
            pins.setdefault(key, {})[pin.seq] = (pin.hash, checkpoint.name)
    ring = event_key_ring()
    # Chains with events first, then head rows: an event is committed with its head, so a chain
    # first written in between is still found through its head.
    chains = set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
    chains |= set(AuditChain.objects.values_list("key", flat=True))
    chains |= set(pins)
    for key in sorted(chains):
        latest_pin = latest.chains.get(key) if latest is not None else None
        if latest is None:
            legacy_until = None
        else:
            legacy_until = latest_pin.legacy_until if latest_pin is not None else 0
        _verify_chain(
            key,
            start=latest_pin.seq if since_checkpoint and latest_pin is not None and latest_pin.seq > 0 else 1,
            pins=pins.get(key, {}),
            legacy_until=legacy_until,
            ring=ring,
            result=result,
        )
    return result


def audit_verify_chains() -> list[ChainProblem]:
    """The problems ``audit_verify_log`` finds (an empty list: the log is intact)."""
    return audit_verify_log().problems


def events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "occurred_at", "seq"
    )
