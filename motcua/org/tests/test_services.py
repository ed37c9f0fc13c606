"""Writing the organisation: codes, paths kept right through moves, audit events."""

import pytest

from motcua.audit.models import AuditEvent
from motcua.lib.errors import Conflict, InvalidInput
from motcua.org import services
from motcua.org.models import Agency, Membership
from motcua.org.testing import make_staff

pytestmark = pytest.mark.django_db

Kind = Agency.Kind


def paths():
    return {a.code: a.path for a in Agency.objects.all()}


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("000.00.12.H13", "000.00.12.H13"),
        ("000.21.30.H13", "000.21.30.H13"),
        (" g12.1 ", "G12.1"),
        ("H13", "H13"),
        ("A.B.C.D.E", "A.B.C.D.E"),
    ],
)
def test_it_accepts_qcvn_102_shaped_codes(given, stored):
    assert services.validate_agency_code(given) == stored


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "000..12.H13",
        ".000.00",
        "000.00.",
        "000 00 12",
        "A.B.C.D.E.F",
        "000-00-12-H13",
        "mã.số",
        "X" * 11,
    ],
)
def test_it_rejects_junk_codes_in_vietnamese(junk):
    with pytest.raises(InvalidInput) as caught:
        services.validate_agency_code(junk)

    assert "không đúng dạng QCVN 102" in caught.value.message
    assert caught.value.details["field"] == "code"


def test_it_gives_each_agency_the_path_of_pks_from_the_root(org_tree):
    province, commune_a = org_tree.province, org_tree.commune_a

    assert province.path == f"/{province.pk}/"
    assert commune_a.path == f"/{province.pk}/{commune_a.pk}/"
    assert org_tree.one_stop_a.path == f"/{province.pk}/{commune_a.pk}/{org_tree.one_stop_a.pk}/"


def test_it_moves_a_whole_subtree_and_rewrites_every_path_below(org_tree):
    p, a, b = org_tree.province, org_tree.commune_a, org_tree.commune_b
    hamlet = services.agency_create(
        code="000.02.31.H99", name="Tổ một cửa thôn Đông", kind=Kind.OTHER, parent=org_tree.one_stop_a
    )

    services.agency_move(agency=a, parent=b)

    after = paths()
    assert after[a.code] == f"/{p.pk}/{b.pk}/{a.pk}/"
    assert after[org_tree.one_stop_a.code] == f"/{p.pk}/{b.pk}/{a.pk}/{org_tree.one_stop_a.pk}/"
    assert after[hamlet.code] == f"/{p.pk}/{b.pk}/{a.pk}/{org_tree.one_stop_a.pk}/{hamlet.pk}/"
    assert after[org_tree.department.code] == f"/{p.pk}/{org_tree.department.pk}/"
    assert Agency.objects.get(pk=a.pk).parent_id == b.pk


def test_it_makes_a_moved_agency_a_root_when_the_parent_is_none(org_tree):
    services.agency_move(agency=org_tree.commune_a, parent=None)

    a = org_tree.commune_a
    assert paths()[a.code] == f"/{a.pk}/"
    assert paths()[org_tree.one_stop_a.code] == f"/{a.pk}/{org_tree.one_stop_a.pk}/"


def test_it_refuses_to_move_an_agency_under_itself_or_its_own_subtree(org_tree):
    before = paths()
    for target in (org_tree.commune_a, org_tree.one_stop_a):
        with pytest.raises(InvalidInput, match="trực thuộc nó"):
            services.agency_move(agency=org_tree.commune_a, parent=target)

    assert paths() == before


def test_it_refuses_a_second_agency_with_the_same_code(org_tree):
    with pytest.raises(Conflict, match="000.00.11.H99"):
        services.agency_create(code="000.00.11.h99", name="Sở trùng mã", kind=Kind.DEPARTMENT)


def test_it_refuses_an_unknown_kind_and_unknown_fields(org_tree):
    with pytest.raises(InvalidInput, match="Loại cơ quan"):
        services.agency_create(code="000.00.15.H99", name="Sở lạ", kind="ministry")
    with pytest.raises(InvalidInput, match="không được hỗ trợ"):
        services.agency_create(code="000.00.15.H99", name="Sở lạ", kind=Kind.DEPARTMENT, colour="red")
    with pytest.raises(InvalidInput, match="agency_move"):
        services.agency_update(agency=org_tree.department, parent=org_tree.commune_a)


def test_it_rejects_a_malformed_email_with_the_field_named(org_tree):
    with pytest.raises(InvalidInput) as caught:
        services.agency_update(agency=org_tree.department, email="khong-phai-email")

    assert "email" in caught.value.details["fields"]


def test_it_audits_creation_update_and_move_on_the_agency_chain(org_tree, administrator):
    dept = org_tree.department

    services.agency_update(agency=dept, name="Sở Tư pháp tỉnh Thử Nghiệm (mới)", actor=administrator)
    services.agency_move(agency=dept, parent=org_tree.centre, actor=administrator)

    events = list(AuditEvent.objects.filter(chain=dept.code, object_type="org.agency").order_by("seq"))
    assert [e.action for e in events] == ["org.agency_create", "org.agency_update", "org.agency_move"]
    assert events[1].before["name"] == "Sở Tư pháp tỉnh Thử Nghiệm"
    assert events[1].after["name"] == "Sở Tư pháp tỉnh Thử Nghiệm (mới)"
    assert events[1].actor_id == administrator.pk
    assert events[2].after["parent"] == org_tree.centre.pk


def test_it_writes_no_event_for_an_update_that_changes_nothing(org_tree):
    before = AuditEvent.objects.count()

    services.agency_update(agency=org_tree.department, name=org_tree.department.name)

    assert AuditEvent.objects.count() == before


def test_it_keeps_the_folded_name_for_accent_insensitive_search(org_tree):
    services.agency_update(agency=org_tree.department, name="Sở Xây dựng tỉnh Thử Nghiệm")

    assert Agency.objects.get(pk=org_tree.department.pk).name_folded == "so xay dung tinh thu nghiem"


def test_it_numbers_counters_once_per_service_point(org_tree):
    point = services.service_point_create(agency=org_tree.one_stop_a, name="Trụ sở xã An Bình")
    services.counter_create(service_point=point, number=1, name="Hộ tịch")

    with pytest.raises(Conflict, match="quầy số 1"):
        services.counter_create(service_point=point, number=1)
    with pytest.raises(InvalidInput, match="Số quầy"):
        services.counter_create(service_point=point, number=0)
    assert [e.action for e in AuditEvent.objects.filter(chain=org_tree.one_stop_a.code).order_by("seq")][
        -2:
    ] == [
        "org.service_point_create",
        "org.counter_create",
    ]


def test_it_grants_a_role_once_and_reactivates_a_revoked_one(org_tree, administrator):
    user = make_staff("can_bo_moi", None, None)
    first = services.membership_grant(
        user=user, agency=org_tree.commune_a, role="specialist", actor=administrator
    )
    again = services.membership_grant(
        user=user, agency=org_tree.commune_a, role="specialist", actor=administrator
    )
    services.membership_revoke(membership=first, actor=administrator)
    back = services.membership_grant(
        user=user, agency=org_tree.commune_a, role="specialist", actor=administrator
    )

    assert first.pk == again.pk == back.pk
    assert Membership.objects.get(pk=first.pk).active
    actions = [
        e.action
        for e in AuditEvent.objects.filter(
            chain=org_tree.commune_a.code, object_type="org.membership", object_id=str(first.pk)
        ).order_by("seq")
    ]
    assert actions == ["org.membership_grant", "org.membership_revoke", "org.membership_grant"]


def test_it_grants_roles_to_staff_accounts_only(org_tree):
    from django.contrib.auth import get_user_model

    citizen = get_user_model().objects.create(username="cong_dan", kind="citizen")

    with pytest.raises(InvalidInput, match="cán bộ, công chức"):
        services.membership_grant(user=citizen, agency=org_tree.commune_a, role="receptionist", actor=None)
    with pytest.raises(InvalidInput, match="Vai trò"):
        services.membership_grant(
            user=make_staff("x", None, None), agency=org_tree.commune_a, role="boss", actor=None
        )
