"""The questionnaires: versioned data in ``data/*.json`` (a version, a source note, the questions).

A rating questionnaire asks only what the system cannot compute (Circular 01/2018 art. 13) plus
the overall satisfied / not satisfied; a survey questionnaire holds the five SIPAS elements, each
with an assessment, a satisfaction and an expectation on a five-point scale. A new version is a new
file; the current one is the newest version of its kind (``CURRENT``), older ones stay readable for
the ratings and rounds given under them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from motcua.lib.errors import InvalidInput

DATA = Path(__file__).parent / "data"
CURRENT = {"rating": "DG-2026.1", "survey": "SIPAS-2026.1"}
SURVEY_DIMENSIONS = ("assessment", "satisfaction", "expectation")
# On the five-point satisfaction scale: 4 "Hài lòng" and 5 "Rất hài lòng" count as satisfied.
SATISFIED_FROM = 4


@dataclass(frozen=True)
class Questionnaire:
    version: str
    kind: str
    title: str
    source: str
    body: dict[str, Any]

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.body.get("questions", []))

    @property
    def elements(self) -> list[dict[str, Any]]:
        return list(self.body.get("elements", []))

    @property
    def overall(self) -> dict[str, str]:
        return dict(self.body.get("overall", {}))

    @property
    def scales(self) -> dict[str, list[str]]:
        return dict(self.body.get("scales", {}))


@cache
def _all() -> dict[str, Questionnaire]:
    found = {}
    for path in sorted(DATA.glob("*.json")):
        body = json.loads(path.read_text(encoding="utf-8"))
        found[body["version"]] = Questionnaire(
            body["version"], body["kind"], body["title"], body["source"], body
        )
    return found


def questionnaire(version: str) -> Questionnaire:
    try:
        return _all()[version]
    except KeyError:
        raise InvalidInput("Không có phiếu đánh giá phiên bản này.", code="questionnaire_unknown") from None


def current(kind: str) -> Questionnaire:
    return questionnaire(CURRENT[kind])


def clean_rating_answers(q: Questionnaire, data: dict[str, Any]) -> tuple[bool, dict[str, str]]:
    """(satisfied, answers) from a submitted form or JSON body; every question of ``q`` and the
    overall satisfied / not satisfied must be answered with one of its options."""
    errors: dict[str, str] = {}
    answers: dict[str, str] = {}
    for question in q.questions:
        value = str(data.get(question["key"]) or "").strip()
        allowed = {o["value"] for o in question["options"]}
        if value not in allowed:
            errors[question["key"]] = "Vui lòng chọn một câu trả lời."
        else:
            answers[question["key"]] = value
    overall = str(data.get("satisfied") or "").strip().lower()
    if overall not in ("yes", "no", "true", "false", "1", "0"):
        errors["satisfied"] = "Vui lòng cho biết ông/bà có hài lòng hay không."
    if errors:
        raise InvalidInput("Phiếu đánh giá chưa đầy đủ.", code="rating_incomplete", details=errors)
    return overall in ("yes", "true", "1"), answers


def clean_survey_answers(q: Questionnaire, data: dict[str, Any]) -> dict[str, dict[str, int]]:
    """``{element: {assessment, satisfaction, expectation}}`` on the 1–5 scale; every element and
    dimension must be answered (form field names ``<element>-<dimension>``, or nested JSON)."""
    errors: dict[str, str] = {}
    answers: dict[str, dict[str, int]] = {}
    for element in q.elements:
        nested = data.get(element["key"]) if isinstance(data.get(element["key"]), dict) else {}
        for dim in SURVEY_DIMENSIONS:
            name = f"{element['key']}-{dim}"
            raw = nested.get(dim) if nested else data.get(name)
            try:
                value = int(str(raw).strip())
            except (TypeError, ValueError):
                value = 0
            if not 1 <= value <= 5:
                errors[name] = "Vui lòng chọn một mức từ 1 đến 5."
            else:
                answers.setdefault(element["key"], {})[dim] = value
    if errors:
        raise InvalidInput("Phiếu khảo sát chưa đầy đủ.", code="survey_incomplete", details=errors)
    return answers


def answer_labels(q: Questionnaire, answers: dict[str, str]) -> list[tuple[str, str]]:
    """(question, chosen option) in words, for the paper-form receipt and the head's inbox."""
    out = []
    for question in q.questions:
        labels = {o["value"]: o["label"] for o in question["options"]}
        if question["key"] in answers:
            out.append((question["text"], labels.get(answers[question["key"]], "")))
    return out
