"""Reads of ratings and survey answers.

``rating_rows`` is the contract with ``reports`` (contracts.md): plain dicts, read in id order
from where the caller stopped. Officers see aggregates only, never over fewer than
``MIN_AGGREGATE`` ratings (Decree 61 art. 27: respondents stay confidential).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from motcua.feedback.models import Rating

MIN_AGGREGATE = 5
_ROW_FIELDS = (
    "id",
    "dossier_id",
    "agency_id",
    "procedure_id",
    "channel",
    "created_at",
    "satisfied",
    "answers",
    "questionnaire_version",
    "officer_id",
)


def rating_rows(*, since_id: int = 0, until: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every rating with id > ``since_id`` (and created before ``until``), in id order, as dicts
    ``{id, dossier_id, agency_id (handling agency), procedure_id, channel, created_at, satisfied,
    answers, questionnaire_version, officer_id}``."""
    rows = Rating.objects.filter(id__gt=since_id)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    yield from rows.order_by("id").values(*_ROW_FIELDS).iterator(chunk_size=2000)
