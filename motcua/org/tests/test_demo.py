"""The demo organisation: a real province, fixed user names, idempotent, refused in production."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from motcua.audit.models import AuditEvent
from motcua.org import selectors
from motcua.org.demo import DEMO_PASSWORD, build_demo_org
from motcua.org.models import AdministrativeUnit, Agency, Counter, Membership, ServicePoint
from motcua.org.services import AGENCY_CODE_RE

pytestmark = pytest.mark.django_db

FIXED_USERS = {
    "quantri": "administrator",
    "motcua": "receptionist",
    "chuyenvien": "specialist",
    "lanhdao": "leader",
    "giamdoc": "director",
    "giamsat": "supervisor",
}


@pytest.fixture
def demo():
    return build_demo_org(stdout=io.StringIO())


def test_it_builds_a_real_province_with_real_communes(demo):
    assert demo.province_unit.name == "Tỉnh Tuyên Quang"
    assert demo.province_committee.name == "Ủy ban nhân dân tỉnh Tuyên Quang"
    assert demo.service_centre.kind == "service_centre"
    assert demo.service_centre.parent_id == demo.province_committee.pk
    assert len(demo.communes) >= 10
    names = [c.unit.name for c in demo.communes]
    assert "Phường Minh Xuân" in names and "Xã Yên Sơn" in names
    for commune in demo.communes:
        unit = AdministrativeUnit.objects.get(pk=commune.unit.pk)
        assert unit.parent_id == demo.province_unit.pk and unit.scheme == "2025"
        assert commune.committee.admin_unit_id == unit.pk
        assert commune.one_stop.parent_id == commune.committee.pk
        assert commune.one_stop.kind == "one_stop"
        assert commune.one_stop.service_points.get().counters.count() == 3


def test_it_has_departments_and_a_centre_with_service_points_and_numbered_counters(demo):
    assert [d.name for d in demo.departments] == [
        "Sở Tài chính tỉnh Tuyên Quang",
        "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang",
        "Sở Tư pháp tỉnh Tuyên Quang",
        "Sở Xây dựng tỉnh Tuyên Quang",
    ]
    points = ServicePoint.objects.filter(agency=demo.service_centre)
    assert points.count() == 2
    main = points.get(name__startswith="Trụ sở")
    assert list(main.counters.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert demo.commune_agencies == [c.committee for c in demo.communes]
    assert demo.province_agencies == [*demo.departments, demo.police]
    assert demo.police.name == "Công an tỉnh Tuyên Quang" and demo.police.kind == "vertical"


def test_every_office_citizens_visit_has_an_address_and_a_phone(demo):
    offices = [demo.service_centre, demo.police, *demo.departments]
    offices += [c.one_stop for c in demo.communes] + [c.committee for c in demo.communes]
    for office in offices:
        office.refresh_from_db()
        assert office.address and office.phone.startswith("0207 "), office.name
    assert demo.communes[0].one_stop.address == "Trụ sở Ủy ban nhân dân phường Minh Xuân, tỉnh Tuyên Quang"


def test_every_agency_code_has_the_qcvn_102_shape(demo):
    codes = list(Agency.objects.values_list("code", flat=True))

    assert len(codes) == 2 + 4 + 1 + 2 * len(demo.communes)
    assert all(AGENCY_CODE_RE.fullmatch(code) for code in codes)
    assert demo.province_committee.code == "000.00.00.H60"


def test_it_gives_every_fixed_user_name_its_role(demo):
    roles = {username: role for username, role, _agency in demo.accounts}
    User = get_user_model()

    for username, role in FIXED_USERS.items():
        user = User.objects.get(username=username)
        assert user.kind == "staff"
        assert user.check_password(DEMO_PASSWORD)
        assert set(user.memberships.values_list("role", flat=True)) == {role}
        assert roles[username] == Membership.Role(role).label
    quantri = User.objects.get(username="quantri")
    assert quantri.is_staff and quantri.is_superuser
    assert not User.objects.filter(is_staff=True).exclude(username="quantri").exists()


def test_it_gives_each_commune_its_own_receptionist(demo):
    usernames = [c.receptionist for c in demo.communes]

    assert "motcua_minhxuan" in usernames and "motcua_yenson" in usernames
    assert len(set(usernames)) == len(usernames)
    for commune in demo.communes:
        user = get_user_model().objects.get(username=commune.receptionist)
        assert selectors.user_can_act(user, commune.one_stop, roles={"receptionist"})
        other = next(c for c in demo.communes if c is not commune)
        assert not selectors.user_can_see(user, other.one_stop)


def test_each_commune_has_a_specialist_and_a_leader_of_its_own(demo):
    User = get_user_model()
    for commune in demo.communes:
        slug = commune.receptionist.removeprefix("motcua_")
        for username, role in ((f"chuyenvien_{slug}", "specialist"), (f"lanhdao_{slug}", "leader")):
            user = User.objects.get(username=username)
            assert selectors.user_roles_at(user, commune.committee) == {role}
            other = next(c for c in demo.communes if c is not commune)
            assert not selectors.user_can_see(user, other.committee)


def test_the_supervisor_sees_the_whole_province_and_acts_nowhere(demo):
    giamsat = get_user_model().objects.get(username="giamsat")

    assert selectors.agencies_visible_to(giamsat).count() == Agency.objects.count()
    assert not selectors.agencies_actable_by(giamsat).exists()


def test_running_it_twice_changes_nothing(demo):
    counts = [m.objects.count() for m in (Agency, ServicePoint, Counter, Membership, AdministrativeUnit)]
    users = get_user_model().objects.count()
    events = AuditEvent.objects.count()
    hashes = dict(get_user_model().objects.values_list("username", "password"))

    again = build_demo_org()

    assert [
        m.objects.count() for m in (Agency, ServicePoint, Counter, Membership, AdministrativeUnit)
    ] == counts
    assert get_user_model().objects.count() == users
    assert AuditEvent.objects.count() == events
    assert dict(get_user_model().objects.values_list("username", "password")) == hashes
    assert again.accounts == demo.accounts


def test_it_opens_a_few_communes_on_saturday_mornings_when_that_schedule_exists(db):
    from motcua.workcalendar.models import WorkSchedule

    saturday = WorkSchedule.objects.filter(code="co-thu-bay").first()
    if saturday is None:
        saturday = WorkSchedule.objects.create(code="co-thu-bay", name="Có sáng thứ Bảy")

    demo = build_demo_org()

    opening = [c for c in demo.communes if c.opens_saturday]
    assert 1 <= len(opening) < len(demo.communes)
    assert all(c.one_stop.schedule_id == saturday.pk for c in opening)
    assert all(c.one_stop.schedule_id is None for c in demo.communes if not c.opens_saturday)


@override_settings(DEBUG=False, TESTING=False)
def test_it_refuses_to_load_when_debug_is_off(db):
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        build_demo_org()

    assert not Agency.objects.exists()


def test_it_prints_what_it_loaded(db):
    out = io.StringIO()

    build_demo_org(stdout=out)

    assert "Ủy ban nhân dân tỉnh Tuyên Quang" in out.getvalue()
    assert "xã/phường" in out.getvalue()
