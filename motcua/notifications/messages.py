"""What the citizen is told at each event of their dossier, in Vietnamese: one template per event
(the ``action`` of the dossier service, ``dossier.<action>`` in the outbox), naming the agency, the
officer handling the dossier (Decree 224/2026 art. 15), the times (dd/mm/yyyy HH:MM, Vietnam time)
and what the citizen must do.

Each event renders three texts: the full one (e-mail, in-app), a short SMS (without diacritics
when the gateway asks, NOTIFY_SMS_ASCII, within NOTIFY_SMS_MAX_SEGMENTS) and the fields of the
event's pre-approved Zalo ZNS template (ZALO_TEMPLATES names the template of each event).
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from motcua.workcalendar.calendar import VN_TZ

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier


@dataclass(frozen=True)
class EventText:
    title: str  # "Hồ sơ {code} …": the subject of the e-mail
    what: str  # what happened, continuing "Hồ sơ {code} ({procedure}) …"
    todo: str  # what the citizen must do now
    sms: str  # the short form, continuing "Hồ sơ {code} …" (without diacritics when the gateway asks)


_TRACK = "Ông/bà có thể tra cứu tình trạng hồ sơ bằng mã hồ sơ và mã tra cứu trên Cổng Dịch vụ công."

EVENTS: dict[str, EventText] = {
    "submit_online": EventText(
        "đã được đăng ký trực tuyến",
        "đã được đăng ký trực tuyến và đang chờ bộ phận một cửa kiểm tra, tiếp nhận",
        "Chờ thông báo tiếp nhận; nếu hồ sơ cần bổ sung, cơ quan sẽ báo ông/bà nội dung cần bổ sung.",
        "đã đăng ký trực tuyến, chờ tiếp nhận",
    ),
    "receive": EventText(
        "đã được tiếp nhận",
        "đã được tiếp nhận",
        "Không cần làm gì thêm; đến hẹn, nhận kết quả theo hình thức ông/bà đã chọn. " + _TRACK,
        "đã được tiếp nhận",
    ),
    "refuse": EventText(
        "không được tiếp nhận",
        "không được tiếp nhận",
        "Xem lý do nêu trên; ông/bà có thể nộp lại hồ sơ khi đã đáp ứng đủ điều kiện.",
        "không được tiếp nhận",
    ),
    "request_supplement": EventText(
        "cần bổ sung giấy tờ",
        "cần bổ sung, hoàn thiện giấy tờ trước khi được tiếp nhận",
        "Bổ sung các giấy tờ nêu trên (trực tuyến trong mục “Hồ sơ của tôi” hoặc tại bộ phận một cửa).",
        "cần bổ sung giấy tờ trước khi tiếp nhận",
    ),
    "request-supplement": EventText(
        "cần bổ sung, hoàn thiện",
        "cần bổ sung, hoàn thiện trong quá trình giải quyết",
        "Bổ sung các nội dung nêu trên trong thời hạn được yêu cầu (trực tuyến trong mục “Hồ sơ của tôi” "
        "hoặc tại bộ phận một cửa); thời hạn giải quyết sẽ được tính lại theo quy định.",
        "cần bổ sung, hoàn thiện",
    ),
    "receive-supplement": EventText(
        "đã nhận hồ sơ bổ sung",
        "đã được bổ sung và tiếp tục được giải quyết",
        "Không cần làm gì thêm; cơ quan tiếp tục giải quyết hồ sơ.",
        "đã nhận bổ sung, tiếp tục giải quyết",
    ),
    "forward": EventText(
        "đang được giải quyết",
        "đã được chuyển đến cơ quan chuyên môn và đang được giải quyết",
        "Không cần làm gì thêm. " + _TRACK,
        "đang được giải quyết",
    ),
    "request-payment": EventText(
        "cần thực hiện nghĩa vụ tài chính",
        "cần ông/bà thực hiện nghĩa vụ tài chính trước khi được giải quyết tiếp",
        "Nộp số tiền nêu trên (trực tuyến hoặc tại bộ phận một cửa), giữ lại biên lai.",
        "cần nộp phí, lệ phí",
    ),
    "record-payment": EventText(
        "đã ghi nhận khoản nộp",
        "đã được ghi nhận thực hiện nghĩa vụ tài chính và tiếp tục được giải quyết",
        "Không cần làm gì thêm.",
        "đã ghi nhận nộp tiền, tiếp tục giải quyết",
    ),
    "extend": EventText(
        "được gia hạn thời gian giải quyết",
        "chưa giải quyết xong đúng hẹn; cơ quan xin lỗi ông/bà và hẹn lại thời gian trả kết quả",
        "Đến hẹn mới, nhận kết quả theo hình thức ông/bà đã chọn.",
        "được hẹn lại ngày trả kết quả",
    ),
    "reject": EventText(
        "đã có kết quả giải quyết",
        "đã được xử lý xong với kết quả không giải quyết",
        "Nhận văn bản trả lời theo hình thức ông/bà đã chọn; xem lý do nêu trên.",
        "đã xử lý xong (không giải quyết)",
    ),
    "finish": EventText(
        "đã có kết quả",
        "đã có kết quả",
        "Nhận kết quả theo hình thức ông/bà đã chọn; khi nhận tại bộ phận một cửa, mang theo giấy tiếp nhận "
        "và giấy tờ tùy thân.",
        "đã có kết quả, mời nhận kết quả",
    ),
    "return-result": EventText(
        "đã trả kết quả",
        "đã được trả kết quả",
        "Mời ông/bà đánh giá mức độ hài lòng về việc giải quyết hồ sơ trên Cổng Dịch vụ công.",
        "đã trả kết quả",
    ),
    "supplement-online": EventText(
        "đã nhận giấy tờ bổ sung trực tuyến",
        "đã nhận giấy tờ bổ sung trực tuyến của ông/bà",
        "Chờ cơ quan kiểm tra giấy tờ bổ sung; nếu còn thiếu, cơ quan sẽ báo ông/bà.",
        "đã nhận bổ sung trực tuyến, chờ kiểm tra",
    ),
    "request-withdraw": EventText(
        "đã ghi nhận đề nghị rút hồ sơ",
        "đã ghi nhận đề nghị rút hồ sơ của ông/bà; cán bộ đang xử lý sẽ xem xét và xác nhận",
        "Chờ thông báo xác nhận rút hồ sơ; cho đến khi đó hồ sơ vẫn đang được giải quyết.",
        "đã ghi nhận đề nghị rút hồ sơ, chờ xác nhận",
    ),
    "withdraw": EventText(
        "đã được rút",
        "đã được rút theo yêu cầu của ông/bà",
        "Không cần làm gì thêm; ông/bà có thể nộp hồ sơ mới khi cần.",
        "đã được rút theo yêu cầu",
    ),
    "stop": EventText(
        "đã dừng giải quyết",
        "đã bị dừng giải quyết",
        "Xem lý do nêu trên; liên hệ bộ phận một cửa nếu cần được hướng dẫn.",
        "đã dừng giải quyết",
    ),
}
# Synonyms written by services with another spelling of the same event.
EVENTS["request-supplement-intake"] = EVENTS["request_supplement"]
EVENTS["submit-online"] = EVENTS["submit_online"]
EVENTS["receive_supplement"] = EVENTS["receive-supplement"]
EVENTS["return_result"] = EVENTS["return-result"]

# After these the citizen is invited to rate the service (Circular 01/2018 art. 12): the e-mail
# and in-app notice carry a signed rating link (too long for an SMS).
RATING_INVITED = frozenset({"return-result", "return_result", "refuse"})

DEFAULT_EVENT = EventText(
    "có cập nhật",
    "có cập nhật mới",
    _TRACK,
    "có cập nhật mới",
)


OTHER_EVENTS = {"reminder.due_tomorrow": "Nhắc cán bộ: hồ sơ đến hạn ngày làm việc tiếp theo"}


def event_label(event: str) -> str:
    """The outbox's event in words: ``dossier.receive`` → "Hồ sơ đã được tiếp nhận"."""
    if event in OTHER_EVENTS:
        return OTHER_EVENTS[event]
    kind, _, action = event.partition(".")
    if kind == "dossier":
        return f"Hồ sơ {EVENTS.get(action, DEFAULT_EVENT).title}"
    return event


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str  # e-mail and in-app
    sms: str
    zalo: dict[str, str] = field(default_factory=dict)


def local_time(moment: datetime | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time, or empty."""
    return f"{moment.astimezone(VN_TZ):%d/%m/%Y %H:%M}" if moment else ""


# Typographic punctuation a plain-text SMS cannot carry (one would make the whole message Unicode).
PLAIN_PUNCTUATION = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                                   "…": "...", "\u00a0": " "})  # fmt: skip


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, for gateways that send only plain Latin letters:
    ``Hồ sơ đã được tiếp nhận`` → ``Ho so da duoc tiep nhan`` (đ and Đ have no decomposition;
    typographic quotes and dashes become their plain forms)."""
    text = text.replace("đ", "d").replace("Đ", "D").translate(PLAIN_PUNCTUATION)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def sms_limit(text: str) -> int:
    """Characters that fit in NOTIFY_SMS_MAX_SEGMENTS concatenated SMS: 153 each for plain
    text, 67 each when a character needs Unicode (UCS-2)."""
    per = 153 if text.isascii() else 67
    segments = settings.NOTIFY_SMS_MAX_SEGMENTS
    return per * segments if segments > 1 else (160 if text.isascii() else 70)


def sms_text(text: str) -> str:
    """``text`` as the gateway takes it: without diacritics when NOTIFY_SMS_ASCII, cut to the
    length limit (ending in "…", or "..." in plain text)."""
    if settings.NOTIFY_SMS_ASCII:
        text = strip_diacritics(text)
    limit = sms_limit(text)
    if len(text) <= limit:
        return text
    ellipsis = "..." if text.isascii() else "…"
    return text[: limit - len(ellipsis)].rstrip() + ellipsis


def officer_line(dossier: "Dossier") -> tuple[str, str]:
    """Who handles the dossier now and where: (officer, agency)."""
    # The holding agency is mostly the receiving or the handling one, already at hand.
    if dossier.holder_agency_id in (None, dossier.receiving_agency_id):
        agency = dossier.receiving_agency
    elif dossier.holder_agency_id == dossier.handling_agency_id:
        agency = dossier.handling_agency
    else:
        agency = dossier.holder_agency or dossier.receiving_agency
    if dossier.holder_id and dossier.holder is not None:
        return dossier.holder.get_full_name(), agency.name
    if agency.pk != dossier.receiving_agency_id:
        # Handed to the agency, no officer assigned yet: the role its step waits for.
        from motcua.org.models import Membership

        step = dossier.current_step if dossier.current_step_id else None
        role = step.role if step is not None else ""
        return (
            Membership.Role(role).label if role in Membership.Role.values else "Cán bộ được phân công"
        ), agency.name
    return "Bộ phận tiếp nhận và trả kết quả", agency.name


def render(dossier: "Dossier", action: str, extra_text: str = "", *, at: datetime | None = None) -> Rendered:
    """The texts of ``action`` on ``dossier`` (its state as it is now)."""
    from motcua.dossiers.models import NationalStatus

    text = EVENTS.get(action, DEFAULT_EVENT)
    at = at or timezone.now()
    status = NationalStatus(dossier.status_code).label
    officer, agency = officer_line(dossier)
    procedure = dossier.procedure.name
    # While the clock waits (a supplement, a payment) the appointment will move: not promised.
    running = dossier.state in dossier.CLOCK_RUNNING_STATES
    due = local_time(dossier.due_at) if dossier.due_at and running else ""
    lines = [
        f"Kính gửi {dossier.applicant_name},",
        "",
        f"Hồ sơ {dossier.code} ({procedure}) {text.what}.",
        f"Thời gian: {local_time(at)}.",
        f"Trạng thái: {status}.",
        f"Cơ quan giải quyết: {dossier.handling_agency.name}.",
        f"Người đang xử lý: {officer} — {agency}.",
    ]
    if due:
        lines.append(f"Hẹn trả kết quả: {due}.")
    if extra_text:
        lines.append(extra_text.strip())
    lines += ["", f"Việc ông/bà cần làm: {text.todo}"]
    if action in RATING_INVITED and dossier.code:
        from motcua.feedback.links import rating_url  # the signed link of motcua/feedback

        lines.append(f"Đánh giá mức độ hài lòng: {rating_url(dossier.code, 'message_link')}")
    if dossier.pin:
        lines.append(f"Mã hồ sơ: {dossier.code}; mã tra cứu: {dossier.pin}.")
    lines += ["", f"{settings.MOTCUA_SITE_NAME} — {settings.MOTCUA_PROVINCE_NAME}"]
    sms = f"Hồ sơ {dossier.code} {text.sms}"
    if due:
        sms += f". Hẹn trả: {due}"
    extra = extra_text.strip().rstrip(".")
    if extra:
        sms += f". {extra}"
    if dossier.pin:
        sms += f". Mã tra cứu: {dossier.pin}"
    zalo: dict[str, Any] = {
        "ma_ho_so": dossier.code,
        "ten_thu_tuc": procedure,
        "trang_thai": status,
        "can_bo_xu_ly": officer,
        "co_quan": agency,
        "thoi_gian": local_time(at),
        "hen_tra": due or "—",
        "viec_can_lam": text.todo,
    }
    return Rendered(
        subject=f"Hồ sơ {dossier.code} {text.title}",
        body="\n".join(lines),
        sms=sms_text(sms),
        zalo={k: str(v)[: settings.ZALO_FIELD_MAX_LENGTH] for k, v in zalo.items()},
    )


def plain(body: str, subject: str = "") -> Rendered:
    """A free text (not a dossier event) in the same three forms."""
    return Rendered(
        subject=subject,
        body=body,
        sms=sms_text(body),
        zalo={"noi_dung": body[: settings.ZALO_FIELD_MAX_LENGTH]},
    )
