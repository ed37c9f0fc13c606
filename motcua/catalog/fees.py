"""What the public pages say about a procedure's charges and fees (phí, lệ phí), honestly.

The national records show "Miễn phí" (amount 0) for many procedures whose note then defers the
amount to another tariff: "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định", "Thực hiện
theo Thông tư số 244/2016/TT-BTC …", "Theo quy định của Luật phí và lệ phí …" (see the data's
README: ``0`` means the source *says* "Miễn phí"; the note "often says the real amount is set by
the provincial People's Council"). Showing such a fee as free misleads the citizen. The display
is derived here from the stored published values (amount, text, note, description, channel):

- ``free``: the record says free and its note defers to no other tariff ("Miễn lệ phí (Thông
  tư số 47/2019/TT-BTC)" is free: it cites the circular that grants the exemption);
- ``deferred``: the note names what sets the amount → "Thu theo <what it names>";
- ``amount``: a known VND amount ("50.000 đ/văn bản"), or the published text in another
  currency ("10 USD/bản");
- ``unknown``: no fee is published, or the published amount is unusable, or the line is the
  demo's stand-in for a fee the source does not give ("Miễn phí (giá trị minh họa)") →
  "Chưa có thông tin về phí, lệ phí".

Lines that publish the same fee for several channels (or the same amount written two ways,
"100 VNĐ" and "100,000 VNĐ" for 100.000 đồng) are merged, their conditions (channels,
descriptions) kept together.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from motcua.catalog.models import Channel, Fee
from motcua.lib.text import fold

FREE = "free"
DEFERRED = "deferred"
AMOUNT = "amount"
UNKNOWN = "unknown"

UNKNOWN_TEXT = "Chưa có thông tin về phí, lệ phí"
FREE_TEXT = "Miễn phí"
CHANNEL_CONDITIONS = {
    Channel.COUNTER: "Nộp trực tiếp",
    Channel.ONLINE: "Nộp trực tuyến",
    Channel.POST: "Nộp qua dịch vụ bưu chính",
}

_CIRCULAR = re.compile(r"Thông tư(?: số)?\s+(\d+/\d{4}/TT-[A-ZĐ]+)", re.IGNORECASE)
_RESOLUTION = re.compile(r"Nghị quyết(?: số)?\s+(\d+/\d{4}/NQ-[A-ZĐ]+)", re.IGNORECASE)


@dataclass
class FeeLine:
    """One fee as a page shows it. ``amount``: the text of the "Mức thu" cell."""

    kind: str  # "Lệ phí", "Phí" or "Phí, lệ phí"
    status: str  # FREE, DEFERRED, AMOUNT or UNKNOWN
    amount: str
    conditions: list[str] = field(default_factory=list)
    note: str = ""
    remark: str = ""  # beside an amount whose note defers the exact figure ("Thu theo …")


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def deferral(text: str) -> str | None:
    """What a published fee note defers the amount to, as "Thu theo …"; None if it does not.

    >>> deferral("Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố trực thuộc Trung ương quyết định.")
    'Thu theo nghị quyết của Hội đồng nhân dân tỉnh'
    >>> deferral("Thực hiện theo Thông tư số 244/2016/TT-BTC ngày 11/11/2016 của Bộ Tài chính …")
    'Thu theo Thông tư số 244/2016/TT-BTC'
    >>> deferral("Miễn lệ phí (Thông tư số 47/2019/TT-BTC).") is None
    True
    """
    text = " ".join((text or "").split())
    folded = fold(text)
    head = folded.lstrip("-( ")
    # The exemption itself comes first ("Miễn lệ phí. Phí cấp bản sao … theo Thông tư 281 …"):
    # the fee is free; what follows is about an optional copy, kept in the note.
    if head.startswith(("mien le phi", "mien phi", "khong quy dinh")):
        return None
    resolution = _RESOLUTION.search(text)
    if resolution:
        return f"Thu theo Nghị quyết số {resolution.group(1)}"
    if "hoi dong nhan dan" in folded or re.search(r"\bhdnd\b", folded):
        return "Thu theo nghị quyết của Hội đồng nhân dân tỉnh"
    if "luat phi va le phi" in folded:
        return "Thu theo quy định của pháp luật về phí và lệ phí"
    circular = _CIRCULAR.search(text)
    if circular and re.search(r"\b(theo|thuc hien|can cu)\b", folded):
        return f"Thu theo Thông tư số {circular.group(1)}"
    if "theo quy dinh" in folded or "theo muc thu" in folded:
        return "Thu theo quy định hiện hành"
    return None


def fee_name(kind: str, *, description: str = "", text: str = "", note: str = "") -> str:
    """What a payment line and its receipt call a published fee: its description, else the name
    its note starts with, else its text unless that is only the amount, else its kind.

    >>> fee_name("charge", text="100,000 Việt Nam Đồng",
    ...          note="Phí công bố nội dung đăng ký doanh nghiệp: 100.000 đồng/lần")
    'Phí công bố nội dung đăng ký doanh nghiệp'
    >>> fee_name("fee", text="50,000 Việt Nam Đồng", note="- Lệ phí đăng ký doanh nghiệp: Bằng 50% mức thu …")
    'Lệ phí đăng ký doanh nghiệp'
    >>> fee_name("fee", text="100,000 Việt Nam Đồng", note="Thu một lần khi nộp hồ sơ")
    'Lệ phí'
    >>> fee_name("fee", description="Lệ phí đăng ký", text="100.000 đồng/hồ sơ")
    'Lệ phí đăng ký'
    """
    if description.strip():
        return " ".join(description.split())
    head = " ".join(note.split()).lstrip("-–• ").split(":", 1)[0].strip(" .;")
    if head and len(head) <= 120 and fold(head).startswith(("phi", "le phi")):
        return head
    text = " ".join(text.split())
    if text and not re.search(r"\d", text):
        return text
    return _kind_label(kind)


def _kind_label(kind: str) -> str:
    return dict(Fee.Kind.choices).get(kind, "Phí, lệ phí")


def _tidy(text: str) -> str:
    """A published note without the wrapping that differs between channels of one record:
    "(Mức lệ phí … quyết định.)" and "Mức lệ phí … quyết định" are the same note."""
    text = " ".join((text or "").split())
    if text.startswith("(") and text.endswith(")") and text.count("(") == text.count(")"):
        inner = text[1:-1]
        if inner.count("(") == inner.count(")"):
            text = inner.strip()
    return text.rstrip(" .;")


def _classify(fee: Fee) -> tuple[str, str, str]:
    """(status, amount text, note) of one stored fee."""
    note = _tidy(fee.note)
    suffix = ""
    if note.startswith("/"):  # "/văn bản", "/trang": the unit of the amount, not a note
        suffix, note = note, ""
    if "gia tri minh hoa" in fold(fee.text):  # the demo's stand-in (catalog.demo), not published
        return UNKNOWN, UNKNOWN_TEXT, ""
    if fee.amount_vnd is None:
        if fee.currency and fee.currency != "VND" and fee.text:
            return AMOUNT, f"{fee.text}{suffix}", note
        return UNKNOWN, UNKNOWN_TEXT, note
    if fee.amount_vnd > 0:
        return AMOUNT, f"{_money(fee.amount_vnd)}{suffix}", note
    deferred = deferral(note)
    if deferred:
        return DEFERRED, deferred, note
    return FREE, FREE_TEXT, note


def fee_lines(fees: Iterable[Fee]) -> list[FeeLine]:
    """The fees of one procedure as the public page shows them, duplicates merged, in order.

    No fee at all gives one line saying that nothing is known. A line published for some
    channels only names them first among its conditions.
    """
    lines: dict[tuple, FeeLine] = {}
    channels_of: dict[tuple, list[str]] = {}
    for fee in fees:
        status, amount, note = _classify(fee)
        key = (fee.kind, status, amount, note)
        line = lines.get(key)
        if line is None:
            remark = (deferral(note) or "") if status == AMOUNT else ""
            line = lines[key] = FeeLine(
                kind=_kind_label(fee.kind), status=status, amount=amount, note=note, remark=remark
            )
            channels_of[key] = []
        channels_of[key].append(fee.channel)
        description = " ".join((fee.description or "").split())
        if description and description not in line.conditions:
            line.conditions.append(description)
    if not lines:
        return [FeeLine(kind="Phí, lệ phí", status=UNKNOWN, amount=UNKNOWN_TEXT)]
    every = {c for channels in channels_of.values() for c in channels}
    for key, line in lines.items():
        channels = set(channels_of[key])
        if "" not in channels and channels != every:  # not the same for every channel: say which
            named = [CHANNEL_CONDITIONS[Channel(c)] for c in dict.fromkeys(channels_of[key])]
            line.conditions.insert(0, ", ".join(named))
    return list(lines.values())
