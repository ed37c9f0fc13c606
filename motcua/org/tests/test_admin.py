"""The organisation and accounts in the admin: pages load, agencies go through the services,
every change is audited and no password hash reaches the audit log."""

import pytest
from django.contrib.auth import get_user_model

from motcua.audit.models import AuditEvent
from motcua.org.models import Agency, Membership
from motcua.org.testing import TEST_PASSWORD, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, org_tree):
    root = make_staff("sieu_quan_tri", None, None, is_staff=True, is_superuser=True)
    client.force_login(root)
    client.user = root
    return client


@pytest.mark.parametrize(
    "page",
    [
        "/quan-tri/org/agency/",
        "/quan-tri/org/administrativeunit/",
        "/quan-tri/org/servicepoint/",
        "/quan-tri/org/counter/",
        "/quan-tri/org/membership/",
        "/quan-tri/accounts/user/",
        "/quan-tri/org/agency/add/",
        "/quan-tri/accounts/user/add/",
    ],
)
def test_every_organisation_page_of_the_admin_opens(admin_client, page):
    assert admin_client.get(page).status_code == 200


@pytest.mark.parametrize("q", ["binh minh", "BÌNH MINH", "Bình Minh"])
def test_it_finds_agencies_by_name_with_or_without_accents(admin_client, org_tree, q):
    page = admin_client.get("/quan-tri/org/agency/", {"q": q}).content.decode()

    assert "000.00.32.H99" in page
    assert "000.00.31.H99" not in page


def _agency_form(agency: Agency, **overrides):
    data = {
        "code": agency.code,
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent": agency.parent_id or "",
        "admin_unit": agency.admin_unit_id or "",
        "schedule": "",
        "address": "",
        "phone": "",
        "email": "",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_it_adds_an_agency_through_the_service_with_its_path(admin_client, org_tree):
    data = _agency_form(org_tree.department, code="000.00.12.h99", name="Sở Xây dựng tỉnh Thử Nghiệm")

    response = admin_client.post("/quan-tri/org/agency/add/", data)

    assert response.status_code == 302
    added = Agency.objects.get(code="000.00.12.H99")
    assert added.path == f"{org_tree.province.path}{added.pk}/"
    assert AuditEvent.objects.filter(chain="000.00.12.H99", action="org.agency_create").count() == 1


def test_it_refuses_a_junk_code_in_the_form(admin_client, org_tree):
    response = admin_client.post(
        "/quan-tri/org/agency/add/", _agency_form(org_tree.department, code="sở tư pháp")
    )

    assert response.status_code == 200
    assert "không đúng dạng QCVN 102" in response.content.decode()


def test_moving_an_agency_in_the_admin_rewrites_its_subtree(admin_client, org_tree):
    a, b = org_tree.commune_a, org_tree.commune_b

    response = admin_client.post(f"/quan-tri/org/agency/{a.pk}/change/", _agency_form(a, parent=b.pk))

    assert response.status_code == 302
    one_stop = Agency.objects.get(pk=org_tree.one_stop_a.pk)
    assert one_stop.path == f"{b.path}{a.pk}/{one_stop.pk}/"
    assert AuditEvent.objects.filter(chain=a.code, action="org.agency_move").count() == 1


def test_it_refuses_to_put_an_agency_under_its_own_child(admin_client, org_tree):
    a = org_tree.commune_a

    response = admin_client.post(
        f"/quan-tri/org/agency/{a.pk}/change/", _agency_form(a, parent=org_tree.one_stop_a.pk)
    )

    assert response.status_code == 200
    assert "trực thuộc nó" in response.content.decode()
    assert Agency.objects.get(pk=a.pk).parent_id == org_tree.province.pk


def test_it_audits_a_password_change_without_any_hash(admin_client, org_tree):
    officer = make_staff("can_bo", org_tree.commune_a, "receptionist")
    old_hash = officer.password

    response = admin_client.post(
        f"/quan-tri/accounts/user/{officer.pk}/password/",
        {"password1": "mat-khau-moi-2026!", "password2": "mat-khau-moi-2026!", "set_usable_password": "true"},
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("mat-khau-moi-2026!")
    event = AuditEvent.objects.get(action="admin.password_change", object_id=str(officer.pk))
    assert event.actor_id == admin_client.user.pk
    assert event.extra["password_changed"] is True
    for stored in (event.before, event.after, event.extra):
        assert old_hash not in str(stored) and officer.password not in str(stored)


def _user_form(user, **overrides):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "kind": user.kind,
        "email": "",
        "phone": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "08:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_it_audits_user_changes_and_inline_roles_on_the_agency_chain(admin_client, org_tree):
    officer = make_staff("can_bo", None, None, full_name="Cán Bộ")

    response = admin_client.post(
        f"/quan-tri/accounts/user/{officer.pk}/change/",
        _user_form(
            officer,
            full_name="Nguyễn Văn Cán Bộ",
            **{
                "memberships-TOTAL_FORMS": "1",
                "memberships-0-agency": org_tree.commune_b.pk,
                "memberships-0-role": "specialist",
                "memberships-0-include_subtree": "on",
                "memberships-0-active": "on",
            },
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    change = AuditEvent.objects.get(
        action="admin.change", object_type="accounts.user", object_id=str(officer.pk)
    )
    assert change.before["full_name"] == "Cán Bộ"
    assert change.after["full_name"] == "Nguyễn Văn Cán Bộ"
    assert "password" not in change.before and "password" not in change.after
    membership = Membership.objects.get(user=officer)
    added = AuditEvent.objects.get(action="admin.add", object_type="org.membership")
    assert added.chain == org_tree.commune_b.code
    assert added.object_id == str(membership.pk)


def test_make_staff_gives_a_staff_account_that_signs_in_with_the_test_password(client, org_tree):
    make_staff("dang_nhap", org_tree.commune_a, "receptionist")

    response = client.post("/tai-khoan/dang-nhap/", {"username": "dang_nhap", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert get_user_model().objects.get(username="dang_nhap").kind == "staff"
