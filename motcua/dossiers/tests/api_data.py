"""A small world for the tracking and API tests (and bench/tracking.py), built through the services.

The test province (``motcua.org.testing``), a birth-registration procedure of 5 working days
with two documents (TP01 mandatory, TP02 optional), offered by commune An Bình; its one-stop
unit receives (the receptionist persona), a specialist and a leader of the commune process.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.catalog import services as catalog_services
from motcua.catalog.models import Procedure
from motcua.catalog.tests.factories import make_field, make_procedure
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.org.models import Membership
from motcua.org.testing import OrgTree, Personas, build_org_tree, build_personas, make_staff

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
Role = Membership.Role
# Monday 2 March 2026, 09:00 in Hà Nội: a working day far from holidays.
MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=HCM)
PROCEDURE_CODE = "9.000101"
PROCEDURE_NAME = "Thủ tục đăng ký khai sinh"
APPLICANT_NAME = "Nguyễn Văn An"
CITIZEN_ID = "001090012345"  # Hà Nội (001), born 1990 (0, 90)


@dataclass
class World:
    tree: OrgTree
    people: Personas
    procedure: Procedure
    receptionist: object
    specialist: object  # specialist of commune A
    leader: object  # leader of commune A
    outsider: object  # receptionist of commune B


def build_world() -> World:
    tree = build_org_tree()
    people = build_personas(tree)
    procedure = make_procedure(
        PROCEDURE_CODE,
        PROCEDURE_NAME,
        field=make_field("Hộ tịch"),
        processing_time=5,
        documents=[
            {
                "code": "TP01",
                "name": "Tờ khai đăng ký khai sinh theo mẫu",
                "original_count": 1,
                "mandatory": True,
            },
            {"code": "TP02", "name": "Giấy chứng sinh", "original_count": 1, "mandatory": False},
        ],
    )
    catalog_services.offering_create(agency=tree.commune_a, procedure=procedure, actor=None)
    return World(
        tree=tree,
        people=people,
        procedure=procedure,
        receptionist=people.receptionist,
        specialist=make_staff("chuyen_vien_xa", tree.commune_a, Role.SPECIALIST, full_name="Hoàng Thị Thảo"),
        leader=make_staff("lanh_dao_xa", tree.commune_a, Role.LEADER, full_name="Nguyễn Văn Hùng"),
        outsider=people.outsider,
    )


def intake(world: World, *, name: str = APPLICANT_NAME, citizen_id: str = CITIZEN_ID) -> services.IntakeData:
    return services.IntakeData(
        procedure=PROCEDURE_CODE,
        receiving_agency=world.tree.one_stop_a.code,
        channel=1,
        result_delivery="counter",
        applicant=services.ApplicantData(
            kind="person",
            name=name,
            citizen_id=citizen_id,
            phone="0912345678",
            email="an.nguyen@example.vn",
            address="Thôn Đông, xã An Bình",
        ),
        documents=[services.DocumentInput(requirement="TP01", copy_kind="original", count=1)],
    )


def receive(world: World, **kwargs) -> Dossier:
    return services.dossier_receive(actor=world.receptionist, data=intake(world, **kwargs))


def api_body(world: World, **overrides) -> dict:
    """The body of POST /api/v1/dossiers, in the names integrators use."""
    body = {
        "procedure": PROCEDURE_CODE,
        "receiving_agency": world.tree.one_stop_a.code,
        "channel": 1,
        "result_delivery": "counter",
        "applicant": {
            "kind": "person",
            "full_name": APPLICANT_NAME,
            "citizen_id": CITIZEN_ID,
            "date_of_birth": "1990-05-17",
            "phone": "0912345678",
            "email": "an.nguyen@example.vn",
            "address": "Thôn Đông, xã An Bình",
        },
        "documents": [{"requirement": "TP01", "copy_kind": "original", "count": 1}],
    }
    body.update(overrides)
    return body
