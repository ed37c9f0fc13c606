"""Ratings in the roll-ups, read through the contract of ``feedback.selectors.rating_rows``.

Until the feedback branch is merged, its selector is stood in for by ``rows_source`` below: the
same signature and row shape (contracts.md)."""

from datetime import date

import pytest

from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance, vn
from motcua.reports import engine, ratings, selectors
from motcua.reports.models import RatingAnswerRollup, RatingRollup
from motcua.reports.tests.conftest import MARCH

pytestmark = pytest.mark.django_db
S = services.State


@pytest.fixture
def source(monkeypatch):
    stored: list[dict] = []

    def rating_rows(*, since_id=0, until=None):
        return [r for r in stored if r["id"] > since_id and (until is None or r["created_at"] < until)]

    monkeypatch.setattr(ratings, "_rating_rows", lambda: rating_rows)
    return stored


def rating(rid, dossier, at, satisfied, channel="counter", answers=None):
    return {
        "id": rid,
        "dossier_id": dossier.pk,
        "agency_id": dossier.handling_agency_id,
        "procedure_id": dossier.procedure_id,
        "channel": channel,
        "created_at": at,
        "satisfied": satisfied,
        "answers": answers or {},
        "questionnaire_version": "2026-1",
        "officer_id": None,
    }


def test_ratings_count_and_the_latest_of_a_dossier_counts_for_766_5_4(world, frozen, source):
    a, b = advance(world, S.RETURNED), advance(world, S.RETURNED)
    source.append(rating(1, a, vn(2026, 3, 2, 9), False, answers={"tt01-3": "0", "tt01-4": "1"}))
    source.append(rating(2, b, vn(2026, 3, 2, 9), True, channel="online"))
    engine.apply_pending()
    t = selectors.totals(agencies=[world.tree.commune_a], **MARCH)
    assert (t["ratings"], t["satisfied"], t["unsatisfied"], t["latest_unsatisfied"]) == (2, 1, 1, 1)
    assert t["rates"]["satisfaction"] == 0.5
    # The citizen rates dossier a again online, satisfied this time: it counts for 5.4.
    source.append(rating(3, a, vn(2026, 3, 3, 9), True, channel="online"))
    engine.apply_pending()
    t = selectors.totals(agencies=[world.tree.commune_a], **MARCH)
    assert (t["ratings"], t["satisfied"], t["latest_unsatisfied"]) == (3, 2, 0)
    counts = selectors.indicator_counts(agencies=[world.tree.commune_a], **MARCH)
    assert (counts["766-5.4"]["numerator"], counts["766-5.4"]["denominator"]) == (2, 2)
    assert RatingAnswerRollup.objects.get(question="tt01-3").count == 1
    assert list(selectors.dossiers_behind("unsatisfied", agencies=[world.tree.commune_a], **MARCH)) == [a]
    # Applied again (a retried task), nothing changes; the rebuild gives the same rows.
    before = sorted(
        RatingRollup.objects.values_list("day", "channel", "ratings", "satisfied", "latest_unsatisfied")
    )
    engine.apply_pending()
    engine.rebuild()
    after = sorted(
        RatingRollup.objects.values_list("day", "channel", "ratings", "satisfied", "latest_unsatisfied")
    )
    assert after == before
    assert (
        selectors.totals(agencies=[world.tree.commune_a], start=date(2026, 3, 3), end=date(2026, 3, 3))[
            "ratings"
        ]
        == 1
    )
