"""The site's layout, written once in Jinja2 (motcua/templating.py, motcua/jinja2/layout.jinja),
around the pages of both engines: Django's (through templates/base.html) and Jinja2's (the
tracking page)."""

import re

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template import Context, RequestContext, Template

from motcua.accounts.models import User

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def _chrome(html: str) -> str:
    """What the layout draws in the body around the page's own part (its <main>), without the
    menu's current entry and the CSRF tokens."""
    body = html.split("<body", 1)[1]
    around = body.split("<main", 1)[0] + body.split("</main>", 1)[1]
    return CSRF.sub("", around).replace(' aria-current="page"', "")


def test_a_django_page_and_the_jinja2_page_have_the_same_layout(client):
    django_page = client.get("/thu-tuc/").content.decode()
    jinja2_page = client.get("/tra-cuu/").content.decode()
    assert '<a href="/thu-tuc/" aria-current="page">' in django_page
    assert '<a href="/tra-cuu/" aria-current="page">' in jinja2_page
    assert _chrome(django_page) == _chrome(jinja2_page)
    for page in (django_page, jinja2_page):
        assert page.startswith('<!doctype html>\n<html lang="vi">')
        assert '<a class="skip-link" href="#noi-dung">Chuyển đến nội dung chính</a>' in page
        assert "</footer>" in page and page.rstrip().endswith("</html>")


def test_a_block_super_keeps_the_sites_name_in_the_title(client, settings):
    settings.MOTCUA_SITE_NAME = "Cổng Dịch vụ công"
    settings.MOTCUA_PROVINCE_NAME = "Tỉnh Thử"
    html = client.get("/tai-khoan/dang-nhap/").content.decode()
    assert "<title>Đăng nhập – Cổng Dịch vụ công – Tỉnh Thử</title>" in html


def test_the_slots_are_escaped_once_and_the_messages_and_the_user_shown(rf):
    request = rf.get("/thu-tuc/")
    request.session = {}
    request._messages = FallbackStorage(request)
    request.user = User.objects.create(username="0987000099", full_name="Trần <Thị> B")
    get_messages(request).add(constants.SUCCESS, "Đã lưu <b>hồ sơ</b>.")
    page = Template(
        '{% extends "base.html" %}{% block title %}{{ name }}{% endblock %}'
        "{% block content %}<p>{{ text }}</p>{% endblock %}"
    )
    # ``url``: a name of the page's own (the OAuth consent page has one) hides no helper of the layout.
    values = {"name": "A & <B>", "text": "<script>x</script>", "url": "/o/"}
    html = page.render(RequestContext(request, values))
    assert "<title>A &amp; &lt;B&gt; – " in html
    assert "<p>&lt;script&gt;x&lt;/script&gt;</p>" in html
    assert '<p class="alert alert-success">Đã lưu &lt;b&gt;hồ sơ&lt;/b&gt;.</p>' in html
    assert '<span class="site-nav__user">Trần &lt;Thị&gt; B</span>' in html
    assert '<form method="post" action="/tai-khoan/dang-xuat/" class="inline-form">' in html
    assert '<a href="/ho-so-cua-toi/">Hồ sơ của tôi</a>' in html


def test_a_page_rendered_without_a_request_has_the_layout_without_a_menu_for_anyone():
    html = Template('{% extends "base.html" %}{% block content %}Lỗi{% endblock %}').render(
        Context({"SITE_NAME": "Cổng", "PROVINCE_NAME": "Tỉnh"})
    )
    assert "<title>Cổng – Tỉnh</title>" in html
    assert "Đăng nhập" in html and "Đăng xuất" not in html
    assert 'hx-headers=\'{"X-CSRFToken": ""}\'' in html
