"""Every oversight page in headless Chromium, at 1280 px and on a 390 px phone: axe-core finds
no serious or critical violation, the charts are drawn from the tables beside them, and a
screenshot of each is kept (var/screenshots/oversight-*.png).

One test: a browser test's database is emptied after it.
"""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from conftest import axe_violations, screenshot
from motcua.dossiers.tests.conftest import MONDAY_8AM, build_world
from motcua.reports.tests.fixtures import build_month, march_query

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAGES = [
    ("dashboard", "reports:dashboard", ""),
    ("ranking", "reports:rankings", ""),
    ("late", "reports:late", ""),
    ("dossiers", "reports:dossiers", "&chi-so=received"),
    ("index766", "reports:index766", ""),
    ("evaluation", "reports:evaluation", ""),
    ("periodic", "reports:periodic", ""),
]


def sign_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_every_oversight_page_reads_at_both_widths(live_server, browser):
    with time_machine.travel(MONDAY_8AM, tick=False) as traveller:
        world = build_world()
        build_month(world, traveller)
    for width, height in ((1280, 900), (390, 844)):
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
        sign_in(context, live_server, world.supervisor)
        page = context.new_page()
        for name, url_name, extra in PAGES:
            page.goto(live_server.url + reverse(url_name) + "?" + march_query() + extra)
            assert page.locator("h1").count() == 1, name
            if name == "dashboard":
                page.wait_for_function("() => document.querySelector('figure.rp-chart canvas').width > 0")
                drawn = page.evaluate(
                    "() => Array.from(document.querySelectorAll('figure.rp-chart canvas'))"
                    ".map(c => window.Chart.getChart(c).data.datasets[0].data)"
                )
                # The first chart is the month table's "Tiếp nhận" column: 6 in March.
                assert drawn[0] == [6]
            assert axe_violations(page) == [], (name, width)
            screenshot(page, f"oversight-{name}-{width}")
        page.goto(live_server.url + reverse("reports:public") + "?" + march_query())
        assert "Xã An Bình" in page.content() or "Ủy ban nhân dân" in page.content()
        assert axe_violations(page) == [], ("public", width)
        screenshot(page, f"oversight-public-{width}")
        context.close()
