"""The periodic survey's pages: the public answer page behind an invitation link (/khao-sat/…,
anonymous) and the staff pages (/danh-gia/khao-sat/): rounds, a new round, results, paper entry."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.feedback import questionnaires, surveys
from motcua.feedback.views import form_values, staff_required
from motcua.lib.errors import DomainError
from motcua.org.selectors import agencies_actable_by


def _survey_page(request, context, status=200):
    response = render(request, "feedback/survey.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def _survey_context(q, values=None, errors=None):
    return {
        "q": q,
        "values": values or {},
        "errors": errors or {},
        "dimensions": [(d, q.scales[d]) for d in questionnaires.SURVEY_DIMENSIONS],
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token: str):
    try:
        invitation = surveys.invitation_for_token(token)
    except DomainError as exc:
        return _survey_page(request, {"error": exc.message}, status=exc.status)
    q = questionnaires.questionnaire(invitation.round.questionnaire_version)
    if request.method != "POST":
        return _survey_page(request, {**_survey_context(q), "round": invitation.round})
    values = form_values(request.POST)
    try:
        surveys.survey_answer(token=token, data=values)
    except DomainError as exc:
        context = {
            **_survey_context(q, values, exc.details),
            "round": invitation.round,
            "form_error": exc.message,
        }
        return _survey_page(request, context, status=exc.status)
    return _survey_page(request, {"done": True, "round": invitation.round})


def _day(raw: str) -> date | None:
    try:
        return datetime.strptime(raw.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 — a calendar day
    except ValueError:
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            return None


def _int(raw: str) -> int | None:
    try:
        return int(raw.strip())
    except ValueError:
        return None


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_list(request):
    user = request.user
    agencies = agencies_actable_by(user, roles=surveys.ORGANISER_ROLES).filter(active=True).order_by("path")
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = form_values(request.POST)
        try:
            rnd = surveys.survey_round_create(
                actor=user,
                agency_id=_int(values.get("agency", "")) or 0,
                name=values.get("name", ""),
                closed_from=_day(values.get("closed_from", "")),
                closed_until=_day(values.get("closed_until", "")),
                sample_size=_int(values.get("sample_size", "")),
                seed=_int(values.get("seed", "")) if values.get("seed", "").strip() else None,
            )
        except DomainError as exc:
            errors = exc.details or {"form": exc.message}
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, f"Đã tạo đợt khảo sát và gửi {rnd.invitations.count()} lời mời.")
            return redirect("feedback:survey_round", round_id=rnd.pk)
    rounds = [(r, surveys.survey_result(r)) for r in surveys.rounds_for(user)[:50]]
    return render(
        request,
        "feedback/rounds.html",
        {"rounds": rounds, "agencies": agencies, "values": values, "errors": errors},
        status=status,
    )


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_detail(request, round_id: int):
    rnd = surveys.rounds_for(request.user).filter(pk=round_id).first()
    if rnd is None:
        raise Http404("Không tìm thấy đợt khảo sát.")
    q = questionnaires.questionnaire(rnd.questionnaire_version)
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        values = form_values(request.POST)
        try:
            surveys.survey_paper_entry(actor=request.user, round_id=rnd.pk, data=values)
        except DomainError as exc:
            errors, status = exc.details, exc.status
            messages.error(request, exc.message)
        else:
            messages.success(request, "Đã ghi nhận phiếu khảo sát giấy.")
            return redirect("feedback:survey_round", round_id=rnd.pk)
    context = {**_survey_context(q, values, errors), "round": rnd, "result": surveys.survey_result(rnd)}
    return render(request, "feedback/round.html", context, status=status)
