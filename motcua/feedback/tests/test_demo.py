"""The demo's ratings and survey rounds: satisfaction rises over the period, differs by commune,
each rating names the officer who served, the rounds show the same rise, and loading again
changes nothing."""

import io
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from motcua.catalog.demo import build_demo_catalog
from motcua.dossiers.demo import build_demo_dossiers
from motcua.feedback import surveys
from motcua.feedback.demo import build_demo_feedback
from motcua.feedback.models import Rating, SurveyRound
from motcua.feedback.services import served_event
from motcua.org.demo import build_demo_org

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    with time_machine.travel(NOW, tick=False):
        org = build_demo_org(stdout=io.StringIO())
        build_demo_catalog(
            offering_agencies={"commune": org.commune_agencies, "province": org.province_agencies}
        )
        build_demo_dossiers(org=org, days=21, now=NOW, stdout=io.StringIO())
        out = io.StringIO()
        summary = build_demo_feedback(org=org, stdout=out)
        yield org, summary, out.getvalue()


def share(rows) -> float:
    return 100 * sum(r.satisfied for r in rows) / len(rows)


def test_demo_ratings_rise_differ_by_commune_the_rounds_rise_and_a_second_load_changes_nothing(demo):
    org, summary, printed = demo
    ratings = list(Rating.objects.order_by("created_at"))
    assert summary["ratings"] == len(ratings) > 200
    assert "Đánh giá mức độ hài lòng:" in printed
    half = len(ratings) // 2
    assert share(ratings[half:]) > share(ratings[:half]) + 3
    by_commune = defaultdict(list)
    committees = {c.committee.pk for c in org.communes}
    for r in ratings:
        if r.agency_id in committees:
            by_commune[r.agency_id].append(r)
    shares = [share(rows) for rows in by_commune.values() if len(rows) >= 15]
    assert len(shares) >= 3 and max(shares) - min(shares) >= 10
    for r in ratings[:20]:
        assert r.officer_id == served_event(r.dossier).actor_id
    assert {r.channel for r in ratings} == {"counter", "online", "paper"}

    # The survey rounds (built once with the rest: the demo takes long to build).
    first, second = SurveyRound.objects.order_by("pk")
    results = [surveys.survey_result(first), surveys.survey_result(second)]
    assert all(r.responses > 10 for r in results)
    assert results[1].overall > results[0].overall
    count = Rating.objects.count()
    assert build_demo_feedback(org=org) == {"ratings": 0, "responses": 0}
    assert Rating.objects.count() == count
