"""The demo organisation loaded by ``make run``: one real province with real commune names.

Tuyên Quang (province code 08 of the two-level scheme in force since 1 July 2025): its People's
Committee, its provincial public service centre with service points and counters, four
specialised departments, twelve of its real communes and wards (names from the package
``vietnam-provinces``), each with its People's Committee and its commune public service centre
(a one-stop unit; three of them open on Saturday mornings), and staff for every role with fixed
user names. Running it again changes nothing.

The provincial police (Công an tỉnh) is there too: since 2025 it, not the Sở Tư pháp, issues
the judicial record (Lý lịch tư pháp, 3.000333), and the catalogue offers a province-level
procedure only at the agency its record names (``motcua.catalog.implementing``).

The agency identifier codes have the QCVN 102 shape (000.00.YY.H60) but are demo values: the
number after "H" and the middle groups are not the province's official assignments. So are the
addresses and telephone numbers (the province's area code 0207, made-up numbers): every public
page shows them, a real deployment enters its own.
"""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from motcua.lib.text import fold
from motcua.org import services
from motcua.org.models import AdministrativeUnit, Agency, Counter, Membership, ServicePoint
from motcua.workcalendar.models import WorkSchedule

DEMO_PASSWORD = "motcua@2026"  # noqa: S105 — printed demo password, refused when DEBUG is off
DEMO_PROVINCE_CODE = "08"  # Tỉnh Tuyên Quang (2025 scheme)
DEMO_CODE_SUFFIX = "H60"  # demo value in the QCVN 102 shape, not an official assignment
SATURDAY_SCHEDULE_CODE = "co-thu-bay"

# Real communes and wards of Tuyên Quang (GSO codes, 2025 scheme); missing ones are replaced
# by other communes of the province so that the demo always has at least ten.
DEMO_COMMUNE_CODES = [
    "02215",  # Phường Minh Xuân
    "02212",  # Phường Nông Tiến
    "02512",  # Phường An Tường
    "00694",  # Phường Hà Giang 1
    "02473",  # Xã Yên Sơn
    "02536",  # Xã Sơn Dương
    "02374",  # Xã Hàm Yên
    "02266",  # Xã Lâm Bình
    "02545",  # Xã Tân Trào
    "00721",  # Xã Đồng Văn
    "00913",  # Xã Vị Xuyên
    "01153",  # Xã Bắc Quang
]
MIN_COMMUNES = 10
SATURDAY_COMMUNE_CODES = {"02473", "02374", "00721"}  # Yên Sơn, Hàm Yên, Đồng Văn

# The departments the catalogue names for province-level procedures come first (the dossier
# demo gives the first ones the most dossiers, dossiers.demo.context.DEPARTMENT_PROFILE):
# Sở Tài chính (enterprise registration), where "chuyenvien" and "lanhdao" work, and Sở Nông
# nghiệp và Môi trường (land). Since 2025 the judicial record is the police's, not the Sở Tư
# pháp's: the catalogue names Sở Tư pháp and Sở Xây dựng for no province-level procedure, so
# they receive no dossier.
DEPARTMENTS = [
    ("000.00.14", "Sở Tài chính", "STC"),
    ("000.00.13", "Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("000.00.11", "Sở Tư pháp", "STP"),
    ("000.00.12", "Sở Xây dựng", "SXD"),
]
STAFF_DEPARTMENT = "Sở Tài chính"
POLICE_CODE = "000.00.15"
PROVINCE_SEAT = "phường Minh Xuân, tỉnh Tuyên Quang"
CENTRE_CONTACT = {"address": f"Số 2 đường 17 tháng 8, {PROVINCE_SEAT}", "phone": "0207 3822 000"}
CENTRE_COUNTERS = [
    "Tư pháp – Hộ tịch, quốc tịch, lý lịch tư pháp",
    "Xây dựng – Quy hoạch, giấy phép xây dựng",
    "Nông nghiệp và Môi trường – Đất đai",
    "Tài chính – Đầu tư, đăng ký doanh nghiệp",
    "Thu phí, lệ phí",
    "Trả kết quả",
]
BRANCH_COUNTERS = ["Tiếp nhận hồ sơ", "Tiếp nhận hồ sơ", "Trả kết quả"]
COMMUNE_COUNTERS = [
    "Tư pháp – Hộ tịch, chứng thực",
    "Đất đai – Xây dựng – Môi trường",
    "Các lĩnh vực khác và trả kết quả",
]

Role = Membership.Role
Kind = Agency.Kind


@dataclass
class DemoCommune:
    unit: AdministrativeUnit
    committee: Agency  # Ủy ban nhân dân xã/phường …: handles the commune-level procedures
    one_stop: Agency  # its Trung tâm Phục vụ hành chính công: receives dossiers
    receptionist: str  # user name of its receptionist (motcua_<slug>)
    opens_saturday: bool

    @property
    def usernames(self) -> tuple[str, str, str]:
        """Its one-stop officer, specialist and leader: motcua_, chuyenvien_, lanhdao_<slug>."""
        slug = self.receptionist.removeprefix("motcua_")
        return self.receptionist, f"chuyenvien_{slug}", f"lanhdao_{slug}"


@dataclass
class DemoOrg:
    province_unit: AdministrativeUnit
    province_committee: Agency
    service_centre: Agency
    departments: list[Agency]
    police: Agency  # Công an tỉnh: issues the judicial record (3.000333)
    communes: list[DemoCommune]
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, agency)
    password: str = DEMO_PASSWORD

    @property
    def commune_agencies(self) -> list[Agency]:
        """Commune People's Committees: who offers commune-level procedures."""
        return [c.committee for c in self.communes]

    @property
    def province_agencies(self) -> list[Agency]:
        """The departments and the provincial police: among them, the one a province-level
        procedure's record names offers it."""
        return [*self.departments, self.police]


def refuse_outside_development() -> None:
    if not settings.DEBUG and not getattr(settings, "TESTING", False):
        raise ImproperlyConfigured(
            "Dữ liệu mẫu chỉ được nạp khi DEBUG bật (máy phát triển), không nạp vào cơ sở dữ liệu "
            "thật. / Demo data loads only with DEBUG on, never into a production database."
        )


def say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text + "\n")


def _ensure_agency(*, code: str, parent: Agency | None, **wanted: Any) -> Agency:
    """Create the agency, or bring an existing one (same code) to the wanted state."""
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        return services.agency_create(code=code, parent=parent, **wanted)
    changes = {name: value for name, value in wanted.items() if getattr(agency, name) != value}
    if changes:
        agency = services.agency_update(agency=agency, **changes)
    if agency.parent_id != (parent.pk if parent else None):
        agency = services.agency_move(agency=agency, parent=parent)
    return agency


def _ensure_service_point(agency: Agency, name: str, counters: list[str]) -> ServicePoint:
    point = ServicePoint.objects.filter(agency=agency, name=name).first()
    if point is None:
        point = services.service_point_create(agency=agency, name=name)
    taken = set(Counter.objects.filter(service_point=point).values_list("number", flat=True))
    for number, counter_name in enumerate(counters, start=1):
        if number not in taken:
            services.counter_create(service_point=point, number=number, name=counter_name)
    return point


def _ensure_staff(username: str, full_name: str, password_hash: list[str], *, superuser: bool = False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, full_name=full_name, kind=User.Kind.STAFF)
        # The demo password is set directly (it is printed and need not pass the validators),
        # hashed once for all demo accounts: Argon2 is slow on purpose.
        if not password_hash:
            password_hash.append(make_password(DEMO_PASSWORD))
        user.password = password_hash[0]
        user.is_staff = user.is_superuser = superuser
        user.save()
    return user


def _grant(accounts, user, agency: Agency, role: str) -> None:
    services.membership_grant(user=user, agency=agency, role=role, include_subtree=True, actor=None)
    accounts.append((user.username, Role(role).label, agency.name))


def _local_name(unit: AdministrativeUnit) -> str:
    """ "Phường Minh Xuân" → "phường Minh Xuân", to follow "Ủy ban nhân dân"."""
    return unit.name[:1].lower() + unit.name[1:]


def _slug(unit: AdministrativeUnit) -> str:
    words = fold(unit.name).split()
    if words[:1] in (["xa"], ["phuong"]) or words[:2] == ["dac", "khu"]:
        words = words[2:] if words[0] == "dac" else words[1:]
    return "".join(words)


def _pick_communes(province_unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    units = {u.code: u for u in AdministrativeUnit.objects.filter(parent=province_unit)}
    picked = [units[code] for code in DEMO_COMMUNE_CODES if code in units]
    for code in sorted(units):
        if len(picked) >= MIN_COMMUNES:
            break
        if units[code] not in picked:
            picked.append(units[code])
    return picked


def build_demo_org(*, stdout=None) -> DemoOrg:
    """Load (or bring up to date) the demo organisation and return what it holds."""
    refuse_outside_development()
    with transaction.atomic():
        report = services.admin_units_import(scheme="2025", province=DEMO_PROVINCE_CODE)
        say(stdout, f"Đơn vị hành chính: tạo mới {report.created}, cập nhật {report.updated}.")
        province_unit = AdministrativeUnit.objects.get(
            scheme=AdministrativeUnit.Scheme.TWO_LEVEL, code=DEMO_PROVINCE_CODE
        )
        province_name = _local_name(province_unit)  # "tỉnh Tuyên Quang"
        saturday = WorkSchedule.objects.filter(code=SATURDAY_SCHEDULE_CODE).first()

        committee = _ensure_agency(
            code=f"000.00.00.{DEMO_CODE_SUFFIX}",
            parent=None,
            name=f"Ủy ban nhân dân {province_name}",
            kind=Kind.PEOPLES_COMMITTEE,
            admin_unit=province_unit,
            address=f"Số 160 đường Trần Hưng Đạo, {PROVINCE_SEAT}",
            phone="0207 3822 100",
        )
        centre = _ensure_agency(
            code=f"000.00.01.{DEMO_CODE_SUFFIX}",
            parent=committee,
            name=f"Trung tâm Phục vụ hành chính công {province_name}",
            kind=Kind.SERVICE_CENTRE,
            admin_unit=province_unit,
            **CENTRE_CONTACT,
        )
        _ensure_service_point(
            centre, f"Trụ sở Trung tâm Phục vụ hành chính công {province_name}", CENTRE_COUNTERS
        )
        departments = [
            _ensure_agency(
                code=f"{prefix}.{DEMO_CODE_SUFFIX}",
                parent=committee,
                name=f"{name} {province_name}",
                short_name=short,
                kind=Kind.DEPARTMENT,
                admin_unit=province_unit,
                address=f"Khu liên cơ quan tỉnh, {PROVINCE_SEAT}",
                phone=f"0207 3822 {200 + index:03d}",
            )
            for index, (prefix, name, short) in enumerate(DEPARTMENTS)
        ]
        # A vertical agency of the Ministry of Public Security. Placed under the province's
        # committee in the demo's tree: the province's supervisor oversees every dossier the
        # province's one-stop system receives, the judicial record included.
        police = _ensure_agency(
            code=f"{POLICE_CODE}.{DEMO_CODE_SUFFIX}",
            parent=committee,
            name=f"Công an {province_name}",
            short_name="CAT",
            kind=Kind.VERTICAL,
            admin_unit=province_unit,
            address=f"Số 8 đường Tân Trào, {PROVINCE_SEAT}",
            phone="0207 3822 300",
        )

        communes: list[DemoCommune] = []
        for index, unit in enumerate(_pick_communes(province_unit)):
            local = _local_name(unit)
            opens_saturday = saturday is not None and unit.code in SATURDAY_COMMUNE_CODES
            contact = {
                "address": f"Trụ sở Ủy ban nhân dân {local}, {province_name}",
                "phone": f"0207 38{31 + index:02d} 100",
            }
            commune_committee = _ensure_agency(
                code=f"000.00.{31 + index:02d}.{DEMO_CODE_SUFFIX}",
                parent=committee,
                name=f"Ủy ban nhân dân {local}",
                kind=Kind.PEOPLES_COMMITTEE,
                admin_unit=unit,
                **contact,
            )
            one_stop = _ensure_agency(
                code=f"000.01.{31 + index:02d}.{DEMO_CODE_SUFFIX}",
                parent=commune_committee,
                name=f"Trung tâm Phục vụ hành chính công {local}",
                kind=Kind.ONE_STOP,
                admin_unit=unit,
                schedule=saturday if opens_saturday else None,
                **contact,
            )
            _ensure_service_point(
                one_stop, f"Trụ sở Trung tâm Phục vụ hành chính công {local}", COMMUNE_COUNTERS
            )
            communes.append(
                DemoCommune(
                    unit=unit,
                    committee=commune_committee,
                    one_stop=one_stop,
                    receptionist=f"motcua_{_slug(unit)}",
                    opens_saturday=opens_saturday,
                )
            )
        # The second service point of the provincial centre sits in the first commune.
        _ensure_service_point(centre, f"Điểm tiếp nhận tại {_local_name(communes[0].unit)}", BRANCH_COUNTERS)

        accounts: list[tuple[str, str, str]] = []
        hashed: list[str] = []
        _grant(
            accounts,
            _ensure_staff("quantri", "Quản trị hệ thống", hashed, superuser=True),
            committee,
            Role.ADMINISTRATOR,
        )
        _grant(accounts, _ensure_staff("motcua", "Nguyễn Thị Mai", hashed), centre, Role.RECEPTIONIST)
        staff_department = next(d for d in departments if d.name.startswith(STAFF_DEPARTMENT))
        _grant(
            accounts,
            _ensure_staff("chuyenvien", "Trần Văn Minh", hashed),
            staff_department,
            Role.SPECIALIST,
        )
        _grant(accounts, _ensure_staff("lanhdao", "Lê Thị Hoa", hashed), staff_department, Role.LEADER)
        _grant(accounts, _ensure_staff("giamdoc", "Phạm Văn Đức", hashed), centre, Role.DIRECTOR)
        _grant(accounts, _ensure_staff("giamsat", "Hoàng Thị Lan", hashed), committee, Role.SUPERVISOR)
        # Each commune: its one-stop officer, a specialist who appraises and a leader who signs,
        # so that a commune's dossiers move between named people and each has an inbox.
        for commune in communes:
            local = _local_name(commune.unit)
            receptionist, specialist, leader = commune.usernames
            user = _ensure_staff(receptionist, f"Cán bộ một cửa {local}", hashed)
            _grant(accounts, user, commune.committee, Role.RECEPTIONIST)
            user = _ensure_staff(specialist, f"Chuyên viên {local}", hashed)
            _grant(accounts, user, commune.committee, Role.SPECIALIST)
            user = _ensure_staff(leader, f"Lãnh đạo {local}", hashed)
            _grant(accounts, user, commune.committee, Role.LEADER)

    say(
        stdout,
        f"Tổ chức mẫu: {committee.name}, {centre.name}, {len(departments)} sở, {police.name}, "
        f"{len(communes)} xã/phường ({sum(c.opens_saturday for c in communes)} mở cửa sáng thứ Bảy).",
    )
    return DemoOrg(
        province_unit=province_unit,
        province_committee=committee,
        service_centre=centre,
        departments=departments,
        police=police,
        communes=communes,
        accounts=accounts,
    )
