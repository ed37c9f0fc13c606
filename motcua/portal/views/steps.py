"""The wizard's steps: each one saves what its form holds in the draft (``save``, returning the
problems found by field) and shows the step (``render``). The rules are the services': the
applicant's (``applicant_problems``), the documents' (``missing_mandatory``), the draft's."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from motcua.accounts.signin_methods import signed_in_with_national_identity
from motcua.dossiers.files import _megabytes, max_bytes
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import citizen_files
from motcua.dossiers.services import applicant_problems, validate_citizen_id
from motcua.dossiers.services.intake import missing_documents_message, missing_mandatory
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError, InvalidInput
from motcua.portal import services
from motcua.portal.forms import ApplicantForm, DeliveryForm, WhomForm
from motcua.portal.models import Draft
from motcua.portal.wizard import (
    WHOM_CHOICES,
    applicant_data,
    chosen_place,
    document_rows,
    online_documents,
    place_key,
    places,
    submitter_from_account,
)

STEPS = list(Draft.Step)


def step_url(draft: Draft, step: str) -> str:
    return reverse("portal:draft_step", kwargs={"uid": draft.uid, "step": step})


def _page(
    request: HttpRequest, draft: Draft, step: str, context: dict[str, Any], status: int
) -> HttpResponse:
    reached = STEPS.index(Draft.Step(draft.step))
    steps = [
        {"value": s.value, "label": s.label, "url": step_url(draft, s.value), "open": i <= reached}
        for i, s in enumerate(STEPS)
    ]
    base = {
        "draft": draft,
        "procedure": draft.procedure,
        "step": step,
        "step_label": Draft.Step(step).label,
        "step_number": STEPS.index(Draft.Step(step)) + 1,
        "step_count": len(STEPS),
        "steps": steps,
    }
    return render(request, f"portal/step_{step.replace('-', '_')}.html", {**base, **context}, status=status)


class Whom:
    @staticmethod
    def save(request: HttpRequest, draft: Draft, post: QueryDict) -> dict[str, list[str]]:
        form = WhomForm(post)
        if not form.is_valid():
            return {k: [str(e) for e in v] for k, v in form.errors.items()}
        services.draft_set_whom(draft=draft, whom=form.cleaned_data["whom"])
        return {}

    @staticmethod
    def render(request: HttpRequest, draft: Draft, *, errors: dict, status: int) -> HttpResponse:
        return _page(
            request,
            draft,
            Draft.Step.WHOM,
            {
                "choices": list(WHOM_CHOICES.items()),
                "current": draft.data.get("whom", "self"),
                "errors": errors,
            },
            status,
        )


def _field_of(exc: InvalidInput) -> str:
    return str(exc.details.get("field", "")).removeprefix("applicant.") or "form"


class Applicant:
    @staticmethod
    def save(request: HttpRequest, draft: Draft, post: QueryDict) -> dict[str, list[str]]:
        form = ApplicantForm(post)
        form.is_valid()  # every field is optional here: the rules are the services'
        errors: dict[str, list[str]] = {k: [str(e) for e in v] for k, v in form.errors.items()}
        typed = {name: (post.get(name) or "").strip() for name in form.fields}
        applicant = dict(draft.data.get("applicant") or {})
        for name in ("name", "citizen_id", "tax_code", "representative", "phone", "email", "address"):
            applicant[name] = typed[name]
        dob = form.cleaned_data.get("date_of_birth") if "date_of_birth" not in errors else None
        applicant["date_of_birth"] = dob.isoformat() if dob else typed["date_of_birth"]
        changes: dict[str, Any] = {"applicant": applicant}
        whom = draft.data.get("whom", "self")
        if whom != "self":
            changes["submitter"] = {
                "name": typed["submitter_name"],
                "citizen_id": typed["submitter_citizen_id"],
            }
        for problem in applicant_problems(applicant_data({**draft.data, **changes})):
            errors.setdefault(_field_of(problem), []).append(problem.message)
        if whom != "self":
            if not typed["submitter_name"]:
                errors.setdefault("submitter_name", []).append("Vui lòng nhập họ tên người nộp thay.")
            try:
                validate_citizen_id(typed["submitter_citizen_id"])
            except InvalidInput as exc:
                errors.setdefault("submitter_citizen_id", []).append(exc.message)
        services.draft_update(draft=draft, changes=changes, reached=None if errors else Draft.Step.DOCUMENTS)
        return errors

    @staticmethod
    def render(request: HttpRequest, draft: Draft, *, errors: dict, status: int) -> HttpResponse:
        whom = draft.data.get("whom", "self")
        values = dict(draft.data.get("applicant") or {})
        submitter = draft.data.get("submitter") or submitter_from_account(draft.owner)
        values["submitter_name"] = submitter.get("name", "")
        values["submitter_citizen_id"] = submitter.get("citizen_id", "")
        return _page(
            request,
            draft,
            Draft.Step.APPLICANT,
            {
                "values": values,
                "errors": errors,
                "whom": whom,
                "whom_label": WHOM_CHOICES.get(whom, ""),
                "organisation": values.get("kind") == Dossier.ApplicantKind.ORGANISATION,
            },
            status,
        )


class Documents:
    @staticmethod
    def save(request: HttpRequest, draft: Draft, post: QueryDict) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        rows = document_rows(draft)
        alternatives = dict(draft.data.get("alternatives") or {})
        for row in rows:
            chosen = str(post.get(f"alt_{row.code}") or "")
            if row.alternatives and chosen.isdigit():
                alternatives[row.code] = int(chosen)
        services.draft_update(draft=draft, changes={"alternatives": alternatives})
        for row in rows:
            for uploaded in request.FILES.getlist(f"file_{row.code}"):
                try:
                    services.draft_add_file(draft=draft, requirement_code=row.code, uploaded=uploaded)
                except DomainError as exc:
                    errors.setdefault(row.code, []).append(exc.message)
            stored = post.get(f"store_{row.code}")
            if stored:
                try:
                    services.draft_pick_stored_file(draft=draft, requirement_code=row.code, file_id=stored)
                except DomainError as exc:
                    errors.setdefault(row.code, []).append(exc.message)
        if not errors and post.get("go", "next") == "next":
            given = set(draft.files.values_list("requirement_code", flat=True))
            missing = missing_mandatory(online_documents(draft.procedure), given)
            missing_codes = [d.code for d in missing]
            missing_codes += [
                r.code for r in rows if r.authority and r.code not in given and r.code not in missing_codes
            ]
            if missing_codes:
                message = (
                    missing_documents_message(missing, Dossier.Channel.ONLINE)
                    if missing
                    else "Nộp hồ sơ thay người khác phải kèm giấy tờ chứng minh quyền đại diện"
                )
                errors["form"] = [message + "."]
                for code in missing_codes:
                    errors.setdefault(code, []).append("Chưa có tệp nào cho giấy tờ bắt buộc này.")
            else:
                services.draft_update(draft=draft, changes={}, reached=Draft.Step.DELIVERY)
        return errors

    @staticmethod
    def render(request: HttpRequest, draft: Draft, *, errors: dict, status: int) -> HttpResponse:
        files = list(draft.files.all())
        chosen = draft.data.get("alternatives") or {}
        rows = [
            {
                "row": row,
                "files": [f for f in files if f.requirement_code == row.code],
                "errors": errors.get(row.code, []),
                "alternative": int(chosen.get(row.code) or 1),
            }
            for row in document_rows(draft)
        ]
        store = list(
            citizen_files(draft.owner).select_related("document__dossier").order_by("-uploaded_at")[:50]
        )
        return _page(
            request,
            draft,
            Draft.Step.DOCUMENTS,
            {
                "rows": rows,
                "store": store,
                "errors": errors,
                "max_bytes": max_bytes(),
                "max_size": _megabytes(max_bytes()),
            },
            status,
        )


class Delivery:
    @staticmethod
    def save(request: HttpRequest, draft: Draft, post: QueryDict) -> dict[str, list[str]]:
        form = DeliveryForm(post)
        form.is_valid()
        errors: dict[str, list[str]] = {}
        options = places(draft.procedure)
        place = (post.get("place") or "").strip()
        delivery = (post.get("result_delivery") or "").strip()
        address = (post.get("delivery_address") or "").strip()[:500]
        if len(options) > 1 and place not in {place_key(p) for p in options}:
            errors["place"] = ["Vui lòng chọn nơi tiếp nhận hồ sơ."]
        if delivery not in Dossier.ResultDelivery.values:
            errors["result_delivery"] = ["Vui lòng chọn cách nhận kết quả."]
        elif delivery == Dossier.ResultDelivery.POST and not address:
            errors["delivery_address"] = ["Vui lòng nhập địa chỉ nhận kết quả qua bưu chính."]
        services.draft_update(
            draft=draft,
            changes={"place": place, "result_delivery": delivery, "delivery_address": address},
            reached=None if errors else Draft.Step.REVIEW,
        )
        return errors

    @staticmethod
    def render(request: HttpRequest, draft: Draft, *, errors: dict, status: int) -> HttpResponse:
        options = places(draft.procedure)
        chosen = chosen_place(draft.procedure, draft.data)
        current = f"{chosen.receiving}|{chosen.handling}" if chosen else ""
        address = draft.data.get("delivery_address") or (draft.data.get("applicant") or {}).get("address", "")
        return _page(
            request,
            draft,
            Draft.Step.DELIVERY,
            {
                "places": [{"key": place_key(p), "place": p} for p in options],
                "current_place": current,
                "deliveries": Dossier.ResultDelivery.choices,
                "current_delivery": draft.data.get("result_delivery") or "",
                "address": address,
                "errors": errors,
            },
            status,
        )


class Review:
    @staticmethod
    def save(request: HttpRequest, draft: Draft, post: QueryDict) -> dict[str, list[str]]:
        if post.get("go") != "submit":
            return {}
        try:
            dossier, first = services.draft_submit(
                draft=draft,
                national_identity=signed_in_with_national_identity(request),
                ip=client_ip(request),
            )
        except DomainError as exc:
            return {"form": [exc.message], "step": [str(exc.details.get("step", ""))]}
        if not first:
            messages.info(request, f"Hồ sơ này đã được nộp trước đó với mã {dossier.code}.")
        return {}

    @staticmethod
    def render(request: HttpRequest, draft: Draft, *, errors: dict, status: int) -> HttpResponse:
        data = draft.data
        chosen = chosen_place(draft.procedure, data)
        place = next(
            (
                p
                for p in places(draft.procedure)
                if chosen and place_key(p) == f"{chosen.receiving}|{chosen.handling}"
            ),
            None,
        )
        files = list(draft.files.all())
        documents = [
            {"row": row, "files": [f for f in files if f.requirement_code == row.code]}
            for row in document_rows(draft)
        ]
        fix_step = (errors.get("step") or [""])[0]
        return _page(
            request,
            draft,
            Draft.Step.REVIEW,
            {
                "applicant": data.get("applicant") or {},
                "date_of_birth": _day(str((data.get("applicant") or {}).get("date_of_birth") or "")),
                "whom": data.get("whom", "self"),
                "whom_label": WHOM_CHOICES.get(data.get("whom", "self"), ""),
                "submitter": data.get("submitter") or submitter_from_account(draft.owner),
                "documents": documents,
                "place": place,
                "delivery": dict(Dossier.ResultDelivery.choices).get(data.get("result_delivery") or "", ""),
                "delivery_address": data.get("delivery_address") or "",
                "errors": {k: v for k, v in errors.items() if k != "step"},
                "fix_url": step_url(draft, fix_step) if fix_step in Draft.Step.values else "",
            },
            status,
        )


def _day(iso: str) -> str:
    """ "1990-05-17" → "17/05/1990" (as typed when it is not a date)."""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso


HANDLERS: dict[str, Any] = {
    Draft.Step.WHOM: Whom,
    Draft.Step.APPLICANT: Applicant,
    Draft.Step.DOCUMENTS: Documents,
    Draft.Step.DELIVERY: Delivery,
    Draft.Step.REVIEW: Review,
}
