"""The dossiers behind a number (/giam-sat/ho-so/?chi-so=<metric>&<the page's filters>), and
their spreadsheet (``&xuat=xlsx``).

The list comes from ``selectors.dossiers_behind`` (or ``late_step_dossiers`` for a row of "who
held the late dossiers"), inside the viewer's scope, so the count on the list is the number that
was clicked. It shows applicants' names: each view and each download is audited
(``personal_data.report``), with the metric, the filters and the count.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.shortcuts import render

from motcua.audit.services import audit_record
from motcua.lib.clients import client_ip
from motcua.lib.errors import InvalidInput, NotFound
from motcua.reports import selectors
from motcua.reports.exports import dossiers_xlsx
from motcua.reports.scope import Scope
from motcua.reports.views_common import filter_context, scoped_page, wants_xlsx, xlsx_response

PAGE_SIZE = 50
LATE_STEPS = "late_steps"  # the dossiers of a row of "who held the late dossiers"

# What each number counts, in the words of the list's title.
METRIC_LABELS = {
    "received": "Hồ sơ tiếp nhận trong kỳ",
    "received_online": "Hồ sơ nộp trực tuyến tiếp nhận trong kỳ",
    "received_postal": "Hồ sơ nộp qua bưu chính tiếp nhận trong kỳ",
    "received_after_guidance": "Hồ sơ tiếp nhận sau khi đã hướng dẫn bổ sung",
    "digitised": "Hồ sơ tiếp nhận có thành phần được số hóa",
    "national_identity": "Hồ sơ nộp khi đăng nhập bằng định danh điện tử",
    "refused": "Hồ sơ từ chối tiếp nhận",
    "guided": "Hồ sơ được hướng dẫn bổ sung khi tiếp nhận",
    "guided_again": "Hồ sơ được hướng dẫn bổ sung từ lần thứ hai",
    "guidance_lapsed": "Hồ sơ hết hạn chờ bổ sung khi tiếp nhận",
    "supplement_requested": "Hồ sơ được yêu cầu bổ sung trong quá trình giải quyết",
    "supplement_second": "Hồ sơ bị yêu cầu bổ sung lần thứ hai trở lên",
    "supplement_late_request": "Hồ sơ bị yêu cầu bổ sung sau 3 ngày làm việc",
    "finished": "Hồ sơ đã giải quyết xong trong kỳ",
    "finished_early": "Hồ sơ giải quyết trước hạn",
    "finished_on_time": "Hồ sơ giải quyết đúng hạn",
    "finished_late": "Hồ sơ giải quyết quá hạn",
    "finished_late_online": "Hồ sơ trực tuyến giải quyết quá hạn",
    "national_late": "Hồ sơ quá hạn theo công thức quốc gia (bổ sung từ lần hai tính là quá hạn)",
    "rejected": "Hồ sơ không giải quyết (có văn bản trả lời)",
    "withdrawn": "Hồ sơ công dân rút",
    "stopped": "Hồ sơ dừng xử lý",
    "extended": "Hồ sơ có văn bản xin lỗi và hẹn lại",
    "returned": "Hồ sơ đã trả kết quả",
    "result_by_post": "Hồ sơ trả kết quả qua bưu chính",
    "paid": "Hồ sơ đã nộp phí, lệ phí",
    "paid_online": "Hồ sơ thanh toán trực tuyến",
    "refunded": "Hồ sơ được hoàn phí, lệ phí",
    "e_result": "Hồ sơ có kết quả điện tử",
    "posted": "Hồ sơ có bưu gửi",
    "open": "Hồ sơ đang giải quyết cuối kỳ",
    "open_paused": "Hồ sơ đang tạm dừng (chờ bổ sung, chờ nộp phí) cuối kỳ",
    "open_late": "Hồ sơ đang giải quyết đã quá hạn cuối kỳ",
    "open_late_national": "Hồ sơ đang giải quyết quá hạn theo công thức quốc gia",
    "ratings": "Hồ sơ được đánh giá trong kỳ",
    "satisfied": "Hồ sơ được đánh giá hài lòng",
    "unsatisfied": "Hồ sơ bị đánh giá không hài lòng",
    LATE_STEPS: "Hồ sơ có bước xử lý quá hạn",
}


def _late_step_holder(request, scope: Scope) -> tuple[object, object, str]:
    """The agency and officer of a "who held the late dossiers" row (``co-quan``, ``can-bo``)."""
    code = (request.GET.get("co-quan") or "").strip().upper()
    agency = scope.agencies.filter(code=code).first() if code else None
    if code and agency is None:
        raise NotFound(f"Không tìm thấy cơ quan có mã “{code}” trong phạm vi bạn được theo dõi.")
    username = (request.GET.get("can-bo") or "").strip()
    officer = None
    label = METRIC_LABELS[LATE_STEPS]
    if agency is not None:
        label += f" tại {agency.name}"
        if username and username != "-":
            officer = get_user_model().objects.filter(username=username).first()
            if officer is None:
                raise NotFound("Không tìm thấy cán bộ này.")
            label += f", do {officer.get_full_name() or officer.username} giữ"
        elif username == "-":
            label += ", chưa giao cho cán bộ nào"
    return agency, officer, label


def behind(request, scope: Scope):
    """(the dossiers behind the number asked for, its title); InvalidInput for an unknown metric."""
    metric = (request.GET.get("chi-so") or "").strip()
    kwargs: dict[str, Any] = {
        "agencies": scope.agencies,
        "start": scope.period.start,
        "end": scope.period.end,
        "field": scope.field,
        "channel": scope.channel,
    }
    if metric == LATE_STEPS:
        agency, officer, label = _late_step_holder(request, scope)
        return selectors.late_step_dossiers(agency=agency, officer=officer, **kwargs), label
    if metric not in METRIC_LABELS:
        raise InvalidInput(f"Không có chỉ số “{metric}”: hãy bấm vào một con số trên trang giám sát.")
    return selectors.dossiers_behind(metric, **kwargs), METRIC_LABELS[metric]


def _audit(request, scope: Scope, *, metric: str, count: int, output: str) -> None:
    audit_record(
        action="personal_data.report",
        actor=request.user,
        obj=scope.unit,
        extra={
            "metric": metric,
            "unit": scope.unit.code,
            "from": scope.period.start.isoformat(),
            "to": scope.period.end.isoformat(),
            "field": scope.field.code if scope.field else None,
            "dossiers": count,
            "output": output,
        },
        chain=scope.unit.code,
        ip=client_ip(request),
    )


@scoped_page
def dossiers(request, scope: Scope):
    queryset, title = behind(request, scope)
    metric = request.GET.get("chi-so", "")
    queryset = queryset.select_related("procedure", "procedure__field", "handling_agency").order_by(
        "-received_at", "code"
    )
    if wants_xlsx(request):
        content, count = dossiers_xlsx(title=title, subtitle=scope.subtitle, dossiers=queryset.iterator(2000))
        _audit(request, scope, metric=metric, count=count, output="xlsx")
        name = f"ho-so-{metric}-{scope.unit.code}-{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}.xlsx"
        return xlsx_response(content, name)
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("trang") or 1)
    except PageNotAnInteger:
        raise InvalidInput("Số trang không hợp lệ.") from None
    except EmptyPage:
        raise InvalidInput(f"Không có trang này (có {paginator.num_pages} trang).") from None
    _audit(request, scope, metric=metric, count=paginator.count, output="page")
    extra = {"chi_so": metric}
    for name in ("co-quan", "can-bo"):
        if request.GET.get(name):
            extra[name.replace("-", "_")] = request.GET[name]
    context = filter_context(request, scope)
    context.update(
        page_title=title,
        page=page,
        count=paginator.count,
        list_query=scope.query(**extra),
        hidden_fields=[(name.replace("_", "-"), value) for name, value in extra.items()],
    )
    return render(request, "reports/dossiers.html", context)
