"""Reading and checking the audit log."""

from dataclasses import dataclass

from django.db.models import QuerySet

from motcua.audit.models import AuditChain, AuditEvent
from motcua.audit.services import event_hash


@dataclass
class ChainProblem:
    chain: str
    seq: int
    problem: str


def audit_verify_chains() -> list[ChainProblem]:
    """Recompute every chain; report edited events, missing events and a truncated tail."""
    problems: list[ChainProblem] = []
    for head in AuditChain.objects.order_by("key"):
        expected_seq = 1
        prev_hash = ""
        for event in AuditEvent.objects.filter(chain=head.key).order_by("seq").iterator(chunk_size=2000):
            if event.seq != expected_seq:
                problems.append(
                    ChainProblem(head.key, expected_seq, f"thiếu sự kiện {expected_seq}–{event.seq - 1}")
                )
            if event.prev_hash != prev_hash:
                problems.append(ChainProblem(head.key, event.seq, "liên kết với sự kiện trước bị sai"))
            if event_hash(event) != event.hash:
                problems.append(ChainProblem(head.key, event.seq, "nội dung đã bị sửa"))
            prev_hash = event.hash
            expected_seq = event.seq + 1
        if expected_seq - 1 != head.last_seq or prev_hash != head.last_hash:
            problems.append(
                ChainProblem(head.key, head.last_seq, "cuối chuỗi không khớp (sự kiện cuối bị xóa hoặc sửa)")
            )
    return problems


def events_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "occurred_at", "seq"
    )
