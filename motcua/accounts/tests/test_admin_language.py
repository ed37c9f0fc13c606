"""/quan-tri/ in Vietnamese: every change list, add form and change form of every registered
model is crawled for the English words of Django's admin; none may be left. Also: the
procedure list is readable, the audit log is filtered by names."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model

from motcua.audit.models import AuditEvent
from motcua.catalog.tests.factories import import_items, reference_items
from motcua.org.demo import build_demo_org

pytestmark = pytest.mark.django_db

# Words of Django's admin (and of the apps it shows) that stayed English before this was fixed,
# or that a missing translation would leave: matched as whole words, case-sensitively.
ENGLISH = [
    "Add",
    "Save",
    "Delete",
    "Search",
    "Filter",
    "Log out",
    "Logout",
    "Change",
    "History",
    "View site",
    "Home",
    "Select",
    "Run",
    "Go",
    "All",
    "Yes",
    "No",
    "Unknown",
    "Today",
    "Past 7 days",
    "This month",
    "This year",
    "Action",
    "Recent actions",
    "My actions",
    "Password",
    "Documentation",
    "Welcome",
    "Show",
    "Hide",
    "Close",
    "Remove",
    "Choose",
    "Clear",
    "Enabled",
    "Disabled",
    "True",
    "False",
    "None",
    "Sidebar",
    "Breadcrumbs",
    "Pagination",
    "Toggle",
    "Skip",
    "Model name",
    "Username",
    "Email",
    "Permissions",
    "Groups",
    "Staff",
    "Active",
    "Superuser",
    "Task",
    "Tasks",
    "Access",
    "Attempt",
    "Hash",
    "Actor",
    "Agency",
    "Uid",
    "Created by",
    "Idempotency",
    "Can add",
    "Can change",
    "Can view",
    "Can delete",
    "Reset password",
    "Raw passwords",
    "entries",
    "results",
    "total",
    "Axes",
    "Meta Data",
    "Path",
]
WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(ENGLISH, key=len, reverse=True)) + r")\b")


class VisibleText(HTMLParser):
    """What a person reads or hears: text, and the titles, labels and values of controls."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.hidden += 1
        found = dict(attrs)
        for name in ("title", "placeholder", "aria-label", "alt"):
            if found.get(name):
                self.texts.append(found[name])
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.texts.append(found["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())


def english_in(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return sorted({m.group(0) for text in parser.texts for m in WORDS.finditer(text)})


@pytest.fixture
def administrator(client):
    build_demo_org(stdout=io.StringIO())  # agencies, counters, staff and their audit events
    import_items(reference_items("1.001193", "3.000333"))
    user = get_user_model().objects.get(username="quantri")
    client.force_login(user)
    return user


def admin_pages() -> list[str]:
    urls = ["/quan-tri/", "/quan-tri/password_change/"]
    for model in admin.site._registry:
        base = f"/quan-tri/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, base + "add/"]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [f"{base}{first.pk}/change/", f"{base}{first.pk}/history/"]
    return urls


def test_no_english_is_left_in_the_admin(client, administrator):
    left = {}
    for url in admin_pages():
        response = client.get(url)
        if response.status_code == 403:  # read-only models: no add form
            continue
        assert response.status_code == 200, url
        words = english_in(response.content.decode())
        if words:
            left[url] = words
    assert left == {}


def test_the_admin_scripts_speak_vietnamese_too(client, administrator):
    catalog = client.get("/quan-tri/jsi18n/").content.decode()
    for english, vietnamese in [
        ("Today", "H\\u00f4m nay"),
        ("Choose all %s", "Ch\\u1ecdn t\\u1ea5t c\\u1ea3 %s"),
    ]:
        assert f'"{english}": "{vietnamese}"' in catalog, english


def test_the_procedure_list_is_readable(client, administrator):
    body = client.get("/quan-tri/catalog/procedure/").content.decode()
    long_name = "Cấp Phiếu Lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
    assert f'title="{long_name}' in body  # the full name on hover, a short one in the column
    assert "10 ngày" in body and "Cấp tỉnh" in body
    for column in ["Mã thủ tục", "Tên thủ tục", "Cấp thực hiện", "Lĩnh vực", "Thời hạn", "Đang áp dụng"]:
        assert column in body


def test_the_audit_log_is_filtered_by_agency_and_actor_name(client, administrator):
    body = client.get("/quan-tri/audit/auditevent/").content.decode()
    assert "Danh mục thủ tục" in body  # the catalogue's chain, by name
    assert "?chain=catalog" in body
    by_catalog = client.get("/quan-tri/audit/auditevent/", {"chain": "catalog"})
    assert by_catalog.context["cl"].result_count == AuditEvent.objects.filter(chain="catalog").count() > 0
    nobody = client.get("/quan-tri/audit/auditevent/", {"actor": "-"})
    assert nobody.context["cl"].result_count == AuditEvent.objects.filter(actor_name="").count()
