"""What every public page carries for phones and search engines (issue 11 §4, bench/lighthouse.py):
a description, an icon that exists, and HTML compressed for a browser that accepts gzip."""

import gzip
import re
from html import unescape

import pytest
from django.contrib.staticfiles import finders

from motcua.catalog.tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def _description(html: str) -> str:
    found = re.findall(r'<meta name="description" content="([^"]*)">', html)
    assert len(found) == 1, found
    return unescape(found[0])


@pytest.mark.parametrize("path", ["/", "/thu-tuc/", "/tra-cuu/"])
def test_a_public_page_describes_the_portal(client, path):
    html = client.get(path).content.decode()
    description = _description(html)
    assert "thủ tục hành chính" in description
    assert "tình trạng hồ sơ" in description


def test_a_procedure_page_describes_the_procedure(client):
    make_procedure("9.000001", "Thủ tục đăng ký khai sinh")
    html = client.get("/thu-tuc/9.000001/").content.decode()
    # The name last: some names in the national catalogue end with a colon.
    assert _description(html) == (
        "Hồ sơ cần nộp, lệ phí, thời hạn giải quyết, nơi tiếp nhận – Thủ tục đăng ký khai sinh"
    )


def test_the_icon_the_pages_link_to_is_a_static_file(client):
    html = client.get("/").content.decode()
    icons = re.findall(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', html)
    assert icons == ["motcua/favicon.svg"]
    icon = finders.find(icons[0])
    assert icon is not None
    with open(icon, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg ")


def test_pages_are_gzipped_for_a_browser_that_accepts_it(client):
    make_procedure("9.000001", "Thủ tục đăng ký khai sinh")
    plain = client.get("/thu-tuc/9.000001/")
    assert "Content-Encoding" not in plain
    packed = client.get("/thu-tuc/9.000001/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    page = gzip.decompress(packed.content).decode()
    assert "<h1>Thủ tục đăng ký khai sinh</h1>" in page
    assert len(packed.content) < len(plain.content) / 2
