"""What a dossier owes: the lines of a payment request, from the fees the dossier was received
under (its ``procedure_snapshot``), or from the province's fee table where the catalogue defers the
amount to a local tariff; postage as a line of its own when the result goes by post; exemptions
and reductions applied to a line with their ground.

A line is a dict (stored as is in ``PaymentRequest.lines`` and the event's data):
``{"label", "kind", "amount_vnd", "reduction_vnd", "ground", "basis"}``; what is due for it is
``amount_vnd - reduction_vnd``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from motcua.catalog.fees import deferral, fee_name
from motcua.dossiers.models import Dossier
from motcua.lib.errors import InvalidInput
from motcua.lib.text import money
from motcua.payments.models import FeeTariff
from motcua.workcalendar.calendar import VN_TZ


def _line(label: str, kind: str, amount: int, basis: str = "") -> dict[str, Any]:
    return {
        "label": label,
        "kind": kind,
        "amount_vnd": amount,
        "reduction_vnd": 0,
        "ground": "",
        "basis": basis,
    }


def tariff_lines(dossier: Dossier, day: date, *, postage: bool = False) -> list[FeeTariff]:
    """The province's tariff lines in force on ``day`` for the dossier's procedure and channel
    (``postage``: the postage lines, the procedure's own before the general one)."""
    rows = FeeTariff.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day),
        Q(channel__isnull=True) | Q(channel=dossier.channel),
        effective_from__lte=day,
    )
    if postage:
        rows = rows.filter(
            Q(procedure__isnull=True) | Q(procedure_id=dossier.procedure_id), kind=FeeTariff.Kind.POSTAGE
        )
        # The procedure's own postage line before the general one (procedure NULL).
        return list(rows.order_by(F("procedure_id").asc(nulls_last=True), "-effective_from")[:1])
    return list(
        rows.filter(procedure_id=dossier.procedure_id)
        .exclude(kind=FeeTariff.Kind.POSTAGE)
        .order_by("kind", "pk")
    )


def fees_due(dossier: Dossier, *, on: date | None = None) -> list[dict[str, Any]]:
    """The lines the dossier owes on ``on`` (default: today in Vietnam), before any reduction."""
    day = on or timezone.now().astimezone(VN_TZ).date()
    snapshot = dossier.procedure_snapshot or {}
    channel = snapshot.get("channel", "")
    lines: list[dict[str, Any]] = []
    deferred = False
    for fee in snapshot.get("fees", []):
        if fee.get("channel") and channel and fee["channel"] != channel:
            continue  # the fee of another channel (the catalogue prices online submission apart)
        amount = fee.get("amount_vnd")
        if amount is None or deferral(fee.get("note", "") or fee.get("text", "")):
            deferred = True
            continue
        if amount > 0:
            label = fee_name(
                fee.get("kind", ""),
                description=fee.get("description") or "",
                text=fee.get("text") or "",
                note=fee.get("note") or "",
            )
            basis = f"Theo mức thu đã công bố của thủ tục {snapshot.get('code', '')}".strip()
            lines.append(_line(label, fee.get("kind") or "fee", amount, basis))
    if deferred or not snapshot.get("fees"):
        lines += [_line(t.description, t.kind, t.amount_vnd, t.basis) for t in tariff_lines(dossier, day)]
    if dossier.result_delivery == Dossier.ResultDelivery.POST:
        found = tariff_lines(dossier, day, postage=True)
        if found:
            lines.append(
                _line(found[0].description, FeeTariff.Kind.POSTAGE, found[0].amount_vnd, found[0].basis)
            )
        else:
            lines.append(
                _line("Cước bưu chính trả kết quả", FeeTariff.Kind.POSTAGE, int(settings.PAYMENT_POSTAGE_VND))
            )
    return lines


def apply_reductions(
    lines: list[dict[str, Any]], reductions: dict[int, tuple[int, str]]
) -> list[dict[str, Any]]:
    """Each ``reductions[i] = (amount, ground)`` exempts (the whole amount) or reduces line ``i``;
    a reduction without its ground, or larger than the line, is refused."""
    out = [dict(line) for line in lines]
    for index, (amount, ground) in reductions.items():
        if not 0 <= index < len(out):
            raise InvalidInput("Khoản được miễn, giảm không có trong danh sách.", details={"line": index})
        if amount == 0:
            continue
        line = out[index]
        if amount < 0 or amount > line["amount_vnd"]:
            raise InvalidInput(
                f"Số tiền miễn, giảm của khoản “{line['label']}” phải từ 0 đến {money(line['amount_vnd'])}.",
                code="reduction_invalid",
                details={"line": index},
            )
        ground = (ground or "").strip()
        if not ground:
            raise InvalidInput(
                f"Ghi căn cứ miễn, giảm của khoản “{line['label']}” (ví dụ: đối tượng được miễn theo "
                "nghị quyết của HĐND tỉnh).",
                code="reduction_ground_required",
                details={"line": index},
            )
        line["reduction_vnd"], line["ground"] = amount, ground[:300]
    return out


def total_of(lines: list[dict[str, Any]]) -> int:
    return sum(line["amount_vnd"] - line.get("reduction_vnd", 0) for line in lines)
