"""Fixtures for the dossier tests: the test province, its people, and a small procedure offered
by commune A (received at its one-stop unit) with a four-step process of 40 working hours."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from motcua.catalog import services as catalog_services
from motcua.catalog.tests.factories import make_field
from motcua.dossiers import services
from motcua.dossiers.services import ApplicantData, DocumentInput, IntakeData
from motcua.org.models import Membership
from motcua.org.testing import build_org_tree, build_personas, make_staff
from motcua.workcalendar.calendar import VN_TZ

Role = Membership.Role
PROCEDURE_CODE = "9.000101"
# Monday 2 March 2026, 08:00 in Hà Nội: a plain working week (no holiday in it).
MONDAY_8AM = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)


def vn(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


@dataclass
class World:
    tree: object
    people: object
    procedure: object
    receptionist: object  # commune A (and its one-stop unit)
    specialist: object  # specialist of commune A
    specialist2: object  # another specialist of commune A
    leader: object  # leader of commune A
    supervisor: object  # province, read-only
    outsider: object  # receptionist of commune B
    dept_specialist: object  # specialist of the department (another agency)
    citizen: object


def build_world(*, policy: str = "restart", local_time: int | None = None) -> World:
    tree = build_org_tree()
    people = build_personas(tree)
    procedure = catalog_services.procedure_create(
        actor=None,
        code=PROCEDURE_CODE,
        name="Thủ tục đăng ký kết hôn",
        field=make_field(),
        level="commune",
        processing_time=5,
        time_unit="working_days",
        supplement_policy=policy,
        fees=[{"amount_vnd": 0, "text": "Miễn lệ phí"}],
        documents=[
            {"code": "TP01", "name": "Tờ khai đăng ký kết hôn", "original_count": 1, "mandatory": True},
            {
                "code": "TP02",
                "name": "Giấy xác nhận tình trạng hôn nhân",
                "original_count": 1,
                "mandatory": True,
            },
            {"code": "TP03", "name": "Giấy tờ khác (nếu có)", "photocopy_count": 1, "mandatory": False},
        ],
        results=[{"code": "KQ1", "name": "Giấy chứng nhận kết hôn"}],
    )
    catalog_services.offering_create(
        agency=tree.commune_a, procedure=procedure, local_time=local_time, actor=None
    )
    total = Decimal(8 * (local_time or 5))
    catalog_services.process_template_save(
        procedure=procedure,
        actor=None,
        steps=[
            {
                "name": "Tiếp nhận hồ sơ",
                "performer": "receiving_role",
                "role": Role.RECEPTIONIST,
                "budget_hours": 4,
            },
            {
                "name": "Thẩm định hồ sơ",
                "performer": "handling_role",
                "role": Role.SPECIALIST,
                "budget_hours": total - 16,
            },
            {"name": "Phê duyệt", "performer": "handling_role", "role": Role.LEADER, "budget_hours": 8},
            {
                "name": "Trả kết quả",
                "performer": "receiving_role",
                "role": Role.RECEPTIONIST,
                "budget_hours": 4,
            },
        ],
        agency=tree.commune_a if local_time else None,
    )
    from django.contrib.auth import get_user_model

    User = get_user_model()
    citizen = User.objects.create_user(username="cong_dan", password="x-" * 10, kind=User.Kind.CITIZEN)
    return World(
        tree=tree,
        people=people,
        procedure=procedure,
        receptionist=people.receptionist,
        specialist=make_staff("cv_xa_a", tree.commune_a, Role.SPECIALIST, full_name="Nguyễn Văn Chuyên"),
        specialist2=make_staff("cv2_xa_a", tree.commune_a, Role.SPECIALIST, full_name="Đinh Thị Hai"),
        leader=make_staff("ld_xa_a", tree.commune_a, Role.LEADER, full_name="Trịnh Văn Lãnh"),
        supervisor=people.supervisor,
        outsider=people.outsider,
        dept_specialist=people.specialist,
        citizen=citizen,
    )


def intake(world: World | None = None, **overrides) -> IntakeData:
    applicant = overrides.pop(
        "applicant",
        ApplicantData(
            kind="person",
            name="Nguyễn Thị Hoa",
            citizen_id="001190012345",
            date_of_birth=date(1990, 5, 17),
            phone="0912345678",
            email="hoa@example.vn",
            address="Thôn Đông, xã An Bình",
        ),
    )
    values = {
        "procedure": PROCEDURE_CODE,
        "receiving_agency": "000.01.31.H99",
        "channel": 1,
        "result_delivery": "counter",
        "applicant": applicant,
        "documents": [DocumentInput("TP01", "original", 1), DocumentInput("TP02", "original", 1)],
    }
    values.update(overrides)
    return IntakeData(**values)


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_8AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def received(world, frozen):
    """A dossier received on Monday 2 March 2026 at 08:00 at one-stop unit A."""
    return services.dossier_receive(actor=world.receptionist, data=intake(world))


def at(traveller, moment: datetime) -> None:
    traveller.move_to(moment)


# Not a state: processing, at the approval step ("Phê duyệt"), held by the leader.
AT_APPROVAL = "at_approval"


def advance(world: World, state: str, *, data: IntakeData | None = None):
    """A fresh dossier brought to ``state`` (or ``AT_APPROVAL``) through the services, each step
    taken by the officer who holds it (time as it is now)."""
    S = services.State
    r, sp, ld = world.receptionist, world.specialist, world.leader
    if state == S.SUBMITTED:
        return services.dossier_submit_online(citizen=world.citizen, data=data or intake(world, channel=2))
    if state == S.INTAKE_SUPPLEMENT:
        return services.dossier_request_supplement(
            actor=r,
            items=[services.SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Chưa nộp")],
            data=data or intake(world, documents=[DocumentInput("TP01")]),
        )
    if state == S.REFUSED:
        return services.dossier_refuse(actor=r, reason="Không thuộc thẩm quyền", data=data or intake(world))
    d = services.dossier_receive(actor=r, data=data or intake(world))
    if state == S.RECEIVED:
        return d
    d = services.dossier_forward(actor=r, dossier=d, expected_version=d.version, officer=sp)
    if state == S.PROCESSING:
        return d
    if state == AT_APPROVAL:
        return services.dossier_forward(actor=sp, dossier=d, expected_version=d.version, officer=ld)
    if state == S.SUPPLEMENT:
        return services.dossier_request_supplement(
            actor=sp,
            dossier=d,
            expected_version=d.version,
            items=[services.SupplementItem("Tờ khai", "Thiếu chữ ký")],
        )
    if state == S.PAYMENT:
        return services.dossier_request_payment(
            actor=sp, dossier=d, expected_version=d.version, amount_vnd=50_000
        )
    if state in (S.WITHDRAWN, S.STOPPED):
        fn = services.dossier_withdraw if state == S.WITHDRAWN else services.dossier_stop
        return fn(actor=ld, dossier=d, expected_version=d.version, reason="Theo đơn")
    d = services.dossier_forward(actor=sp, dossier=d, expected_version=d.version, officer=ld)
    d = services.dossier_approve(actor=ld, dossier=d, expected_version=d.version)
    if state == S.APPROVED:
        return d
    d = services.dossier_finish(actor=r, dossier=d, expected_version=d.version)
    if state == S.FINISHED:
        return d
    return services.dossier_return_result(actor=r, dossier=d, expected_version=d.version, collected_by="Hoa")
