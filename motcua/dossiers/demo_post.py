"""Demo consignments (issue 12 §3), loaded after the demo dossiers by ``manage.py demo_load``:
each demo dossier that came by post keeps its consignment (delivered to the counter when it was
received), each result returned by post its consignment and the statuses the postman gave over
the following days (on its way, delivered), and a few came back ("chuyển hoàn") for the counter
to deal with. Written in bulk, with the ``post-consignment`` events the services write."""

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import Consignment, ConsignmentStatus, Dossier, DossierEvent

OPERATOR = "vnpost"


def _event(dossier: Dossier, consignment: Consignment, status: str, at: datetime) -> DossierEvent:
    return DossierEvent(
        dossier=dossier,
        action="post-consignment",
        state=dossier.state,
        status_code=dossier.status_code,
        at=at,
        agency_id=dossier.receiving_agency_id,
        data={"consignment": consignment.number, "status": status, "direction": consignment.direction},
    )


def build_demo_consignments(*, seed: int = 2026, now: datetime | None = None, stdout=None) -> int:
    """Consignments for the demo dossiers sent or returned by post; nothing when some exist."""
    if Consignment.objects.exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(seed)
    fields = ("pk", "channel", "state", "status_code", "received_at", "created_at", "returned_at")
    by_post = list(
        Dossier.objects.filter(channel=Dossier.Channel.POST, received_at__isnull=False).only(
            *fields, "receiving_agency"
        )
    )
    results = list(
        Dossier.objects.filter(state=Dossier.State.RETURNED)
        .exclude(postal_tracking="")
        .only(*fields, "postal_tracking", "applicant_name", "address", "phone", "receiving_agency")
    )
    plans: list[tuple[Dossier, Consignment, list[tuple[str, datetime, str]]]] = []
    for dossier in by_post:
        at = dossier.received_at
        assert at is not None  # filtered above
        number = f"EB{rng.randint(0, 999999999):09d}VN"
        plans.append(
            (
                dossier,
                Consignment(
                    dossier=dossier, direction="submission", operator=OPERATOR, number=number,
                    status="delivered", status_at=at, created_at=at,
                ),
                [("delivered", at, "Bộ phận Một cửa nhận hồ sơ từ bưu chính")],
            )
        )  # fmt: skip
    for n, dossier in enumerate(results):
        sent = dossier.returned_at or dossier.created_at
        steps = [("created", sent, "Nhận tại Bộ phận Một cửa")]
        on_way = sent + timedelta(hours=rng.uniform(3, 20))
        if on_way < now:
            steps.append(("in_transit", on_way, "Đang chuyển đến bưu cục phát"))
        end = on_way + timedelta(hours=rng.uniform(12, 60))
        if end < now:
            steps.append(
                (
                    "returned" if n % 40 == 7 else "delivered",
                    end,
                    "Không có người nhận" if n % 40 == 7 else "Người nhận đã ký",
                )
            )  # noqa: E501
        status, status_at, _ = steps[-1]
        plans.append(
            (
                dossier,
                Consignment(
                    dossier=dossier, direction="result", operator=OPERATOR, number=dossier.postal_tracking,
                    status=status, status_at=status_at, created_at=sent,
                    recipient_name=dossier.applicant_name, recipient_phone=dossier.phone,
                    recipient_address=dossier.address or "Địa chỉ của người nộp", polled_at=status_at,
                ),
                steps,
            )
        )  # fmt: skip
    with transaction.atomic():
        Consignment.objects.bulk_create([c for _, c, _ in plans], batch_size=500)
        ConsignmentStatus.objects.bulk_create(
            [
                ConsignmentStatus(consignment=c, status=s, at=at, note=note)
                for _, c, steps in plans
                for s, at, note in steps
            ],
            batch_size=1000,
        )
        DossierEvent.objects.bulk_create(
            [_event(d, c, s, at) for d, c, steps in plans for s, at, _ in steps], batch_size=1000
        )
    if stdout is not None:
        returned = sum(1 for _, c, _ in plans if c.status == "returned")
        stdout.write(f"Bưu gửi mẫu: {len(plans)} (trong đó {returned} bị chuyển hoàn, chờ quầy xử lý).")
    return len(plans)
