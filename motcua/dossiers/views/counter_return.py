"""What the return page (“Trả kết quả”) says about a dossier it cannot return yet, and what it
offers instead of a bare refusal: the missing step, to whoever may take it; and, for a result
that is a refusal to grant (``dossier_reject``), that the dossier was NOT granted, why, and
the printed written answer."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from motcua.dossiers import printing
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import action_permitted
from motcua.workcalendar.calendar import VN_TZ

State = Dossier.State


@dataclass
class NextStep:
    """Why the result cannot be returned now, and the step that is missing."""

    message: str
    # A button that does the step here (POST to ``post_url``), or a link to where it is done.
    post_url: str = ""
    link_url: str = ""
    label: str = ""
    late: bool = False


@dataclass
class Rejection:
    """A result that refuses to grant: the reason and the printed forms to hand over."""

    reason: str
    forms: list[tuple[str, str, str]] = field(default_factory=list)  # (number, title, url)


def _when(moment) -> str:
    return moment.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y") if moment else ""


def _holder_text(dossier: Dossier) -> str:
    who = dossier.holder.get_full_name() if dossier.holder_id and dossier.holder else ""
    where = dossier.holder_agency.name if dossier.holder_agency_id and dossier.holder_agency else ""
    return ", ".join(part for part in (who, where) if part) or "cơ quan giải quyết"


def next_step(user, dossier: Dossier) -> NextStep | None:
    """None when the result can be returned (status 9); else what is missing and who does it."""
    page = reverse("backoffice:dossier", kwargs={"code": dossier.code})
    if dossier.state == State.FINISHED:
        return None
    if dossier.state == State.APPROVED:
        text = (
            "Hồ sơ đã được phê duyệt nhưng chưa “Hoàn thành kết quả” (ký, đóng dấu, vào sổ kết quả), "
            "nên chưa trả được."
        )
        if action_permitted(user, dossier, "finish"):
            return NextStep(
                text + " Khi đã có kết quả bản giấy trong tay, bạn hoàn thành kết quả ngay tại đây.",
                post_url=reverse("counter:finish_result"),
                label="Hoàn thành kết quả",
            )
        return NextStep(
            f"{text} Người cần thực hiện: {_holder_text(dossier)}.", link_url=page, label="Xem hồ sơ"
        )
    if dossier.state == State.INTAKE_SUPPLEMENT:
        return NextStep(
            "Hồ sơ đang chờ người dân bổ sung giấy tờ, chưa được tiếp nhận nên chưa có kết quả.",
            link_url=reverse("counter:resume", kwargs={"code": dossier.code}),
            label="Tiếp nhận hồ sơ bổ sung",
        )
    if dossier.state == State.SUBMITTED:
        return NextStep(
            "Hồ sơ nộp trực tuyến, chưa được tiếp nhận nên chưa có kết quả.",
            link_url=page,
            label="Mở hồ sơ để tiếp nhận",
        )
    if dossier.state == State.SUPPLEMENT:
        label = "Nhận hồ sơ bổ sung" if action_permitted(user, dossier, "receive-supplement") else "Xem hồ sơ"
        return NextStep(
            "Hồ sơ đang chờ người dân bổ sung, hoàn thiện (thời hạn giải quyết tạm dừng).",
            link_url=page,
            label=label,
        )
    if dossier.state == State.PAYMENT:
        if action_permitted(user, dossier, "record-payment"):  # the payments app's page (/thu-phi/)
            fees = reverse("payments:staff", kwargs={"code": dossier.code})
            return NextStep(
                "Hồ sơ đang chờ người dân nộp phí, lệ phí.", link_url=fees, label="Thu phí, lệ phí"
            )
        return NextStep("Hồ sơ đang chờ người dân nộp phí, lệ phí.", link_url=page, label="Xem hồ sơ")
    if dossier.state in (State.RECEIVED, State.PROCESSING):
        late = dossier.due_at is not None and dossier.due_at < timezone.now()
        return NextStep(
            f"Hồ sơ đang được giải quyết ({_holder_text(dossier)}), hẹn trả {_when(dossier.due_at)}"
            + (": đã quá hạn." if late else "."),
            link_url=page,
            label="Xem hồ sơ",
            late=late,
        )
    if dossier.state == State.RETURNED:
        return NextStep("Kết quả của hồ sơ này đã được trả, không trả lại lần nữa.")
    return NextStep(
        f"Hồ sơ đã kết thúc ({dossier.get_state_display().lower()}) nên không có kết quả để trả.",
        link_url=page,
        label="Xem hồ sơ",
    )


def rejection(dossier: Dossier) -> Rejection | None:
    """For a dossier whose result is a refusal to grant (status 9 or 10, outcome "rejected")."""
    if dossier.outcome != Dossier.Outcome.REJECTED:
        return None
    event = DossierEvent.objects.filter(dossier=dossier, action="reject").order_by("-at", "-pk").first()
    forms = []
    for info in printing.available_forms(dossier):
        try:
            url = reverse("printing:form", kwargs={"uid": dossier.uid, "form": info.number})
        except NoReverseMatch:  # the printing pages are not mounted
            continue
        forms.append((info.number, info.title, url))
    return Rejection(reason=event.note if event is not None else "", forms=forms)
