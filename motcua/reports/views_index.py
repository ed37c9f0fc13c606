"""Decision 766's index (/giam-sat/chi-so-766/) and the Circular 01/2018 evaluation
(/giam-sat/danh-gia/) of a unit, the units below it and its officials, for a period."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.urls import reverse

from motcua.reports import evaluation, index766, selectors
from motcua.reports.exports import Table, cell
from motcua.reports.periods import Period
from motcua.reports.scope import Scope
from motcua.reports.views import drill
from motcua.reports.views_common import filter_context, scoped_page, tables_download, wants_xlsx


def index_for(agencies, period: Period, field=None) -> index766.Index:
    counts = selectors.indicator_counts(agencies=agencies, start=period.start, end=period.end, field=field)
    return index766.compute(counts, day=period.end)


def _points(value: Decimal | None) -> str:
    return "chưa đo" if value is None else cell(value, kind="decimal").display


def indicator_table(scope: Scope, index: index766.Index, group: dict) -> Table:
    rows = []
    for r in group["results"]:
        i = r.indicator
        target = cell(None if i.target is None else i.target * 100, kind="percent")
        if r.status == index766.NOT_MEASURED:
            rate, points, counted = cell(None, kind="percent"), "chưa đo", "chưa đo"
        elif r.status == index766.NO_DATA:
            rate, points, counted = cell(None, kind="percent"), "không có hồ sơ", "0"
        else:
            rate = cell(r.percent, kind="percent")
            points = _points(r.points) if i.scored else "không chấm điểm"
            counted = f"{cell(r.numerator).display} / {cell(r.denominator).display}"
        rows.append(
            [
                cell(f"{i.id}. {i.name}"),
                cell(i.formula_text),
                cell(counted),
                rate,
                cell(target.display if i.target is not None else "không có"),
                cell(f"{points} / {cell(i.max, kind='decimal').display}" if i.scored else points),
                cell(i.source),
            ]
        )
    score = "chưa đo" if group["score"] is None else _points(group["score"])
    return Table(
        title=f"Nhóm {group['id']}. {group['name']} ({score} / {group['max']} điểm)",
        columns=["Chỉ số", "Công thức", "Tử số / mẫu số", "Tỷ lệ", "Chỉ tiêu", "Điểm", "Nguồn"],
        rows=rows,
    )


@scoped_page
def index_page(request, scope: Scope):
    index = index_for(scope.agencies, scope.period, scope.field)
    tables = [indicator_table(scope, index, g) for g in index.groups()]
    months = scope.period.months()
    if len(months) > 1:
        body = []
        for month in months:
            month_index = index_for(scope.agencies, month, scope.field)
            body.append(
                [
                    cell(month.label),
                    cell(month_index.score, kind="decimal"),
                    cell(month_index.measured_max, kind="decimal"),
                ]
            )
        tables.append(
            Table(
                title="Điểm theo tháng",
                columns=["Tháng", "Điểm", "Điểm tối đa của các chỉ số đo được"],
                rows=body,
                slug="diem-theo-thang",
            )
        )
    children = list(scope.agencies.filter(parent=scope.unit).order_by("path"))
    if children:
        body = []
        for child in children:
            child_index = index_for(
                scope.agencies.filter(path__startswith=child.path), scope.period, scope.field
            )
            body.append(
                [
                    cell(child.name, reverse("reports:index766") + "?" + scope.for_unit(child).query()),
                    cell(child_index.score, kind="decimal"),
                    cell(child_index.measured_max, kind="decimal"),
                ]
            )
        tables.append(
            Table(
                title="Điểm của các đơn vị trực thuộc",
                columns=["Đơn vị", "Điểm", "Điểm tối đa của các chỉ số đo được"],
                rows=body,
            )
        )
    if wants_xlsx(request):
        return tables_download(scope, title="Chỉ số 766", tables=tables, name="chi-so-766")
    down = [
        {
            "result": r,
            "href": drill(scope, r.indicator.against) if r.indicator.against else "",
        }
        for r in index.pulling_down()
    ]
    context = filter_context(request, scope)
    context.update(
        page_title="Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766)",
        index=index,
        score=_points(index.score),
        measured_max=cell(index.measured_max, kind="decimal").display,
        down=down,
        tables=tables,
        charts=len(months) > 1,
    )
    return render(request, "reports/index766.html", context)


def _evaluation_row(name, ev: evaluation.Evaluation, numbers, href: str = "") -> list:
    scores = [cell(ev.scores.get(n), kind="decimal") for n in numbers]
    return [
        cell(name, href),
        *scores,
        cell(ev.total, kind="decimal"),
        cell(ev.scaled_total, kind="decimal"),
        cell(ev.band),
    ]


@scoped_page
def evaluation_page(request, scope: Scope):
    kwargs = {"agencies": scope.agencies, "start": scope.period.start, "end": scope.period.end}
    facts = evaluation.dossier_facts(field=scope.field, **kwargs)
    units = [scope.unit, *scope.agencies.filter(parent=scope.unit).order_by("path")]
    unit_rows = []
    for unit in units:
        agencies = scope.agencies.filter(path__startswith=unit.path)
        counts = selectors.indicator_counts(agencies=agencies, start=scope.period.start, end=scope.period.end)
        online, offered = evaluation.procedure_counts(agencies)
        share, late_online = counts["tt01-9-share"], counts["tt01-9-late-online"]
        ninth = evaluation.online_points(
            procedures_online=online,
            procedures=offered,
            online=share["numerator"] or 0,
            received=share["denominator"] or 0,
            online_late=late_online["numerator"] or 0,
        )
        ev = evaluation.evaluate_unit(evaluation.unit_scores(facts, unit.path), {9: ninth})
        href = (
            reverse("reports:evaluation") + "?" + scope.for_unit(unit).query() if unit != scope.unit else ""
        )
        unit_rows.append(_evaluation_row(unit.name, ev, range(1, 10), href))
    unit_numbers = [f"Chỉ số {n}" for n in range(1, 10)]
    unit_table = Table(
        title="Đánh giá cơ quan, đơn vị (9 chỉ số, tối đa 18 điểm)",
        columns=["Đơn vị", *unit_numbers, "Tổng điểm", "Quy về thang 18", "Xếp loại"],
        rows=unit_rows,
        caption=(
            "Chỉ số 5, 6, 8 chưa đo (hệ thống chưa ghi nhận quy trình tại Bộ phận Một cửa, công khai "
            "thủ tục, phản ánh kiến nghị); xếp loại theo tổng điểm quy về thang 18 của các chỉ số đo được."
        ),
    )
    per_official = evaluation.official_scores(
        [f for f in facts if f.handling_path.startswith(scope.unit.path)]
    )
    names = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(pk__in=per_official.keys())
    }
    official_rows = [
        _evaluation_row(
            names.get(pk, "–"), evaluation.evaluate_official(scores), evaluation.OFFICIAL_INDICATORS
        )
        for pk, scores in sorted(per_official.items(), key=lambda item: names.get(item[0], ""))
    ]
    official_table = Table(
        title="Đánh giá cán bộ, công chức (chỉ số 1, 2, 3, 4, 7; tối đa 10 điểm)",
        columns=[
            "Cán bộ, công chức",
            *[f"Chỉ số {n}" for n in evaluation.OFFICIAL_INDICATORS],
            "Tổng điểm",
            "Quy về thang 10",
            "Xếp loại",
        ],
        rows=official_rows,
        caption="Tính trên các hồ sơ có kết quả trong kỳ mà cán bộ đã nhận xử lý ít nhất một bước.",
    )
    tables = [unit_table, official_table]
    if wants_xlsx(request):
        return tables_download(scope, title="Đánh giá theo Thông tư 01/2018", tables=tables, name="danh-gia")
    context = filter_context(request, scope)
    context.update(
        page_title="Đánh giá việc giải quyết thủ tục hành chính (Thông tư 01/2018/TT-VPCP)",
        tables=tables,
        indicators=evaluation.INDICATORS,
        dossiers=len([f for f in facts if f.handling_path.startswith(scope.unit.path)]),
    )
    return render(request, "reports/evaluation.html", context)
