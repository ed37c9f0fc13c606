"""Issue 13 end to end, in Debian's Chromium: a dossier returned at the counter is rated on the
counter tablet, another returned dossier is rated online from the tracking page, the scheduler
runs its jobs once (`manage.py scheduler --once`, as production does every 30 s), and the unit's
dashboard at /giam-sat/ shows the satisfaction figure changed — in its tile, in the month table
beside the chart and in the chart drawn from that table. axe-core finds no serious or critical
violation on each page; screenshots at 390 and 1280 px under
var/screenshots/feedback-rating-dashboard-*.

Time flows (tick) from Monday 2 March 2026, 08:00 in Hà Nội: the dossiers, ratings and roll-ups
fall in March 2026, the dashboard's period, whatever day the test runs.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_8AM, advance
from motcua.feedback import devices, services
from motcua.feedback.models import Rating
from motcua.feedback.tests import conftest as feedback_fixtures
from motcua.feedback.tests.conftest import UNSATISFIED
from motcua.feedback.tests.test_browser import check, sign_in
from motcua.reports.models import RatingRollup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
State = Dossier.State
WIDTHS = (1280, 390)
counter, director = feedback_fixtures.counter, feedback_fixtures.director  # a counter; its director


def shoot(page, name: str, widths=WIDTHS) -> None:
    """axe-core, nothing wider than the screen, and the screenshots (feedback's `check`)."""
    check(page, f"rating-dashboard-{name}", widths)


def run_scheduler(traveller) -> str:
    """One pass of the scheduler, a minute after the last (its reports-apply job is then due)."""
    traveller.shift(timedelta(minutes=1))
    out = StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert " failed " not in out.getvalue(), out.getvalue()  # every due job ran, none broke
    return out.getvalue()


def satisfaction(page) -> dict:
    """The dashboard's satisfaction: its tile, the month table's cell and the chart's point."""
    tile = page.locator(".rp-tile").filter(has=page.get_by_text("Hài lòng", exact=True))
    page.wait_for_function("() => document.querySelector('figure.rp-chart canvas').width > 0")
    drawn = page.evaluate(
        "() => Array.from(document.querySelectorAll('figure.rp-chart canvas'))"
        ".map(c => window.Chart.getChart(c).data.datasets.map(d => [d.label, d.data]))"
    )
    return {
        "tile": tile.locator(".rp-tile__value").inner_text().strip(),
        "sub": tile.locator(".rp-tile__sub").inner_text().strip(),
        "table": page.locator('#theo-thang td[data-label="Hài lòng (%)"]').inner_text().strip(),
        "month": page.locator("#theo-thang tbody th").inner_text().strip(),
        "chart": drawn[1][2],  # the rates chart (columns 4, 5, 6): its third line is "Hài lòng (%)"
    }


def test_ratings_at_the_counter_and_online_move_the_units_satisfaction(
    live_server, page, browser, world, counter, director
):
    with time_machine.travel(MONDAY_8AM, tick=True) as traveller:
        # Before: one dossier rated "not satisfied" online, rolled up by the scheduler.
        earlier = advance(world, State.RETURNED)
        services.rating_submit(dossier=earlier, channel="online", source="tracking", data=UNSATISFIED)
        assert "reports-apply: ran {'events': " in run_scheduler(traveller)

        leader = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
        sign_in(leader.context, live_server, world.leader)
        query = f"don-vi={world.tree.commune_a.code}&ky=thang-2026-3"
        dashboard = f"{live_server.url}{reverse('reports:dashboard')}?{query}"
        leader.goto(dashboard)
        before = satisfaction(leader)
        assert before == {
            "tile": "0,00%",
            "sub": "1 lượt đánh giá",
            "table": "0,00%",
            "month": "03/2026",
            "chart": ["Hài lòng (%)", [0]],
        }, before
        shoot(leader, "dashboard-before")

        # Rated online: a returned dossier looked up with its code and PIN on the tracking page.
        online = advance(world, State.RETURNED)
        page.goto(f"{live_server.url}/tra-cuu/")
        page.get_by_label("Mã hồ sơ").fill(online.code)
        page.get_by_label("Mã tra cứu (PIN)").fill(online.pin)
        page.get_by_role("button", name="Tra cứu").click()
        page.get_by_role("link", name="Đánh giá việc giải quyết hồ sơ").click()
        page.wait_for_load_state()
        assert online.code in page.content()
        shoot(page, "online-form")
        page.get_by_role("radio", name="Không lần nào").check()
        page.get_by_role("radio", name="Chỉ bộ phận một cửa").check()
        page.get_by_role("radio", name="Không", exact=True).check()
        page.get_by_role("radio", name="Hài lòng", exact=True).check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.wait_for_load_state()
        assert "Cảm ơn ông/bà đã đánh giá" in page.content()
        shoot(page, "online-done")

        # Rated at the counter: the tablet paired with its code, the officer sits at its counter
        # and returns a dossier; the tablet shows it, the citizen taps the large buttons.
        device, code = devices.device_issue(actor=director, counter_id=counter.pk)
        tablet = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh").new_page()
        tablet.goto(f"{live_server.url}/danh-gia/quay/")
        tablet.get_by_label("Mã ghép (8 ký tự)").fill(code)
        tablet.get_by_role("button", name="Ghép thiết bị").click()
        devices.device_sit(actor=world.receptionist, device_id=device.pk)
        served = advance(world, State.RETURNED)
        tablet.goto(f"{live_server.url}/danh-gia/quay/")
        assert served.code in tablet.content()
        shoot(tablet, "tablet", (1024, 390, 1280))
        tablet.get_by_role("radio", name="Không lần nào").check()
        tablet.get_by_role("radio", name="Chỉ bộ phận một cửa").check()
        tablet.get_by_role("radio", name="Không", exact=True).check()
        tablet.locator(".fb-option--yes").click()
        tablet.get_by_role("button", name="Gửi đánh giá").click()
        tablet.wait_for_load_state()
        assert "Cảm ơn ông/bà!" in tablet.content()
        shoot(tablet, "tablet-thanks", (1024, 390))
        tablet.context.close()

        ratings = Rating.objects.order_by("pk").values_list("dossier__code", "channel", "satisfied")
        assert list(ratings) == [
            (earlier.code, "online", False),
            (online.code, "online", True),
            (served.code, "counter", True),
        ]
        # Not rolled up yet: the dashboard still reads what the last pass of the job applied.
        leader.reload()
        assert satisfaction(leader) == before

        # The scheduler's pass applies both ratings; the dashboard shows 2 satisfied out of 3.
        assert "'ratings': 2}" in run_scheduler(traveller)
        assert sorted(RatingRollup.objects.values_list("channel", "ratings", "satisfied")) == [
            ("counter", 1, 1),
            ("online", 2, 1),
        ]
        leader.reload()
        after = satisfaction(leader)
        assert after == {
            "tile": "66,67%",
            "sub": "3 lượt đánh giá",
            "table": "66,67%",
            "month": "03/2026",
            "chart": ["Hài lòng (%)", [66.67]],
        }, after
        # The tile's figure opens onto the dossier rated "not satisfied".
        leader.get_by_role("link", name=re.compile("^Hài lòng: 66,67%")).click()
        leader.wait_for_load_state()
        assert earlier.code in leader.content()
        assert online.code not in leader.content() and served.code not in leader.content()
        shoot(leader, "dashboard-unsatisfied-dossiers")
        leader.goto(dashboard)
        shoot(leader, "dashboard-after")
        leader.context.close()
