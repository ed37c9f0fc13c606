"""Test helpers other apps may import: a small province built through the real services.

    from motcua.org.testing import build_org_tree, build_personas, make_staff

    tree = build_org_tree()
    people = build_personas(tree)
    people.receptionist  # a staff user, receptionist of commune A (its committee and one-stop unit)

Nothing here is used outside tests.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from motcua.org import services
from motcua.org.models import AdministrativeUnit, Agency, Membership

TEST_PASSWORD = "mat-khau-thu-nghiem"  # noqa: S105 — test accounts only

Role = Membership.Role


@dataclass
class OrgTree:
    """The test province. Codes follow QCVN 102's shape with the unused province number H99."""

    province_unit: AdministrativeUnit
    commune_a_unit: AdministrativeUnit
    commune_b_unit: AdministrativeUnit
    province: Agency  # UBND tỉnh, 000.00.00.H99 (the root)
    centre: Agency  # Trung tâm Phục vụ hành chính công tỉnh, 000.00.01.H99
    department: Agency  # Sở Tư pháp, 000.00.11.H99
    commune_a: Agency  # UBND xã An Bình, 000.00.31.H99
    one_stop_a: Agency  # its one-stop unit, 000.01.31.H99
    commune_b: Agency  # UBND xã Bình Minh, 000.00.32.H99
    one_stop_b: Agency  # its one-stop unit, 000.01.32.H99

    @property
    def all(self) -> list[Agency]:
        return [
            self.province,
            self.centre,
            self.department,
            self.commune_a,
            self.one_stop_a,
            self.commune_b,
            self.one_stop_b,
        ]


def _unit(code: str, name: str, level: str, parent=None, division_type: str = "") -> AdministrativeUnit:
    existing = AdministrativeUnit.objects.filter(
        scheme=AdministrativeUnit.Scheme.TWO_LEVEL, code=code
    ).first()
    if existing is not None:
        return existing
    return services.admin_unit_create(
        code=code, name=name, level=level, parent=parent, division_type=division_type
    )


def build_org_tree() -> OrgTree:
    """Create the test province through the services (call once per test database state)."""
    Level = AdministrativeUnit.Level
    Kind = Agency.Kind
    province_unit = _unit("99", "Tỉnh Thử Nghiệm", Level.PROVINCE, division_type="Tỉnh")
    unit_a = _unit("99001", "Xã An Bình", Level.COMMUNE, province_unit, "Xã")
    unit_b = _unit("99002", "Xã Bình Minh", Level.COMMUNE, province_unit, "Xã")

    province = services.agency_create(
        code="000.00.00.H99",
        name="Ủy ban nhân dân tỉnh Thử Nghiệm",
        kind=Kind.PEOPLES_COMMITTEE,
        admin_unit=province_unit,
    )
    centre = services.agency_create(
        code="000.00.01.H99",
        name="Trung tâm Phục vụ hành chính công tỉnh Thử Nghiệm",
        kind=Kind.SERVICE_CENTRE,
        parent=province,
        admin_unit=province_unit,
    )
    department = services.agency_create(
        code="000.00.11.H99",
        name="Sở Tư pháp tỉnh Thử Nghiệm",
        kind=Kind.DEPARTMENT,
        parent=province,
        admin_unit=province_unit,
    )
    commune_a = services.agency_create(
        code="000.00.31.H99",
        name="Ủy ban nhân dân xã An Bình",
        kind=Kind.PEOPLES_COMMITTEE,
        parent=province,
        admin_unit=unit_a,
    )
    one_stop_a = services.agency_create(
        code="000.01.31.H99",
        name="Trung tâm Phục vụ hành chính công xã An Bình",
        kind=Kind.ONE_STOP,
        parent=commune_a,
        admin_unit=unit_a,
    )
    commune_b = services.agency_create(
        code="000.00.32.H99",
        name="Ủy ban nhân dân xã Bình Minh",
        kind=Kind.PEOPLES_COMMITTEE,
        parent=province,
        admin_unit=unit_b,
    )
    one_stop_b = services.agency_create(
        code="000.01.32.H99",
        name="Trung tâm Phục vụ hành chính công xã Bình Minh",
        kind=Kind.ONE_STOP,
        parent=commune_b,
        admin_unit=unit_b,
    )
    return OrgTree(
        province_unit=province_unit,
        commune_a_unit=unit_a,
        commune_b_unit=unit_b,
        province=province,
        centre=centre,
        department=department,
        commune_a=commune_a,
        one_stop_a=one_stop_a,
        commune_b=commune_b,
        one_stop_b=one_stop_b,
    )


def make_staff(
    username: str,
    agency: Agency | None,
    role: str | None,
    *,
    include_subtree: bool = True,
    full_name: str = "",
    password: str = TEST_PASSWORD,
    **user_fields,
):
    """A staff user (kind "staff") with ``role`` on ``agency`` granted through membership_grant.

    ``agency``/``role`` None: a staff account without any membership. The password is
    ``TEST_PASSWORD`` unless given.
    """
    User = get_user_model()
    user = User(username=username, kind=User.Kind.STAFF, full_name=full_name or username, **user_fields)
    user.set_password(password)
    user.save()
    if agency is not None and role is not None:
        services.membership_grant(
            user=user, agency=agency, role=role, include_subtree=include_subtree, actor=None
        )
    return user


@dataclass
class Personas:
    receptionist: object  # receptionist of commune A (its committee, so also its one-stop unit)
    specialist: object  # specialist of the department
    leader: object  # leader of the department
    director: object  # director of the provincial public service centre
    supervisor: object  # supervisor (read-only) over the whole province
    administrator: object  # administrator of the whole province
    outsider: object  # receptionist of commune B only: sees nothing of commune A


def build_personas(tree: OrgTree) -> Personas:
    return Personas(
        receptionist=make_staff("le_tan", tree.commune_a, Role.RECEPTIONIST, full_name="Lê Thị Tân"),
        specialist=make_staff("chuyen_vien", tree.department, Role.SPECIALIST, full_name="Trần Văn Chuyên"),
        leader=make_staff("lanh_dao", tree.department, Role.LEADER, full_name="Phạm Thị Lãnh"),
        director=make_staff("giam_doc", tree.centre, Role.DIRECTOR, full_name="Hoàng Văn Đốc"),
        supervisor=make_staff("giam_sat", tree.province, Role.SUPERVISOR, full_name="Vũ Thị Sát"),
        administrator=make_staff("quan_tri", tree.province, Role.ADMINISTRATOR, full_name="Đỗ Văn Trị"),
        outsider=make_staff("nguoi_ngoai", tree.commune_b, Role.RECEPTIONIST, full_name="Ngô Văn Ngoại"),
    )
