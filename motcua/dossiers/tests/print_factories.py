"""Dossiers in every state the printed forms report, built as rows (for the printing tests).

A birth registration received by the one-stop unit of commune An Bình and handled by the
commune's People's Committee: received Monday 16/11/2026 09:30, appointment Friday 20/11/2026
16:30. The helpers add what each form reads: the supplement request (Mẫu 02), the refusal
(03), the extension (04), the stop (05) and the hand-over steps (06).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from motcua.accounts.models import User
from motcua.catalog import services as catalog_services
from motcua.catalog.models import Procedure
from motcua.catalog.tests.factories import make_field
from motcua.dossiers.models import (
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierExtension,
    DossierPause,
    DossierStep,
)
from motcua.org.models import Agency, Membership
from motcua.org.testing import OrgTree, Personas, build_org_tree, build_personas, make_staff

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Role = Membership.Role

APPLICANT = "Nguyễn Thị Thu Hường"
PROCEDURE_NAME = "Thủ tục đăng ký khai sinh"
DOCUMENTS = [
    ("Tờ khai đăng ký khai sinh theo mẫu", DossierDocument.CopyKind.ORIGINAL, 1),
    ("Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp", DossierDocument.CopyKind.ORIGINAL, 1),
    ("Giấy chứng nhận kết hôn của cha, mẹ", DossierDocument.CopyKind.CERTIFIED_COPY, 1),
    ("Văn bản ủy quyền được chứng thực", DossierDocument.CopyKind.PHOTOCOPY, 2),
]

# Eight documents of a birth registration as the imported catalogue names them (1.001193, the
# national database's wording: conditions, alternatives and legal references included).
LONG_DOCUMENTS = [
    (
        "Tờ khai đăng ký khai sinh theo mẫu (nếu người có yêu cầu lựa chọn nộp hồ sơ theo hình thức "
        "trực tiếp hoặc gửi hồ sơ qua hệ thống bưu chính)",
        DossierDocument.CopyKind.ORIGINAL,
        1,
    ),
    (
        "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng xác "
        "nhận về việc sinh; nếu không có người làm chứng thì phải có giấy cam đoan về việc sinh.",
        DossierDocument.CopyKind.ORIGINAL,
        1,
    ),
    (
        "Văn bản ủy quyền (được chứng thực) theo quy định của pháp luật trong trường hợp ủy quyền thực "
        "hiện việc đăng ký khai sinh. Trường hợp người được ủy quyền là ông, bà, cha, mẹ, con, vợ, "
        "chồng, anh, chị, em ruột của người ủy quyền thì văn bản ủy quyền không phải chứng thực.",
        DossierDocument.CopyKind.CERTIFIED_COPY,
        1,
    ),
    (
        "Giấy tờ có giá trị chứng minh thông tin về cư trú trong trường hợp cơ quan đăng ký hộ tịch "
        "không thể khai thác được thông tin về nơi cư trú của công dân theo các phương thức quy định "
        "tại khoản 2 Điều 14 Nghị định số 104/2022/NĐ-CP ngày 21/12/2022 của Chính phủ. Trường hợp "
        "các thông tin về giấy tờ chứng minh nơi cư trú đã được khai thác từ Cơ sở dữ liệu quốc gia "
        "về dân cư bằng các phương thức này thì người yêu cầu không phải xuất trình.",
        DossierDocument.CopyKind.PHOTOCOPY,
        1,
    ),
    (
        "Hộ chiếu/Thẻ căn cước công dân/Thẻ căn cước/Căn cước điện tử/Giấy chứng nhận căn cước hoặc "
        "các giấy tờ khác có dán ảnh và thông tin cá nhân do cơ quan có thẩm quyền cấp, còn giá trị "
        "sử dụng (sau đây gọi tắt là giấy tờ tùy thân) để chứng minh về nhân thân khi làm thủ tục "
        "trực tiếp tại cơ quan đăng ký hộ tịch.",
        DossierDocument.CopyKind.ORIGINAL,
        1,
    ),
    (
        "Trường hợp khai sinh cho trẻ em sinh ra do mang thai hộ phải có văn bản xác nhận của cơ sở y "
        "tế đã thực hiện kỹ thuật hỗ trợ sinh sản cho việc mang thai hộ.",
        DossierDocument.CopyKind.CERTIFIED_COPY,
        1,
    ),
    (
        "Trường hợp trẻ em bị bỏ rơi thì phải có biên bản về việc trẻ bị bỏ rơi do cơ quan có thẩm "
        "quyền lập.",
        DossierDocument.CopyKind.ORIGINAL,
        1,
    ),
    (
        "Giấy chứng nhận kết hôn của cha, mẹ trẻ trong trường hợp cha, mẹ đã đăng ký kết hôn và thông "
        "tin về hôn nhân chưa có trong Cơ sở dữ liệu hộ tịch điện tử.",
        DossierDocument.CopyKind.PHOTOCOPY,
        2,
    ),
]


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@dataclass
class PrintWorld:
    tree: OrgTree
    people: Personas
    procedure: Procedure
    receptionist: User  # Lê Thị Tân, one-stop unit of An Bình
    specialist: User  # Hoàng Thị Thảo, civil status officer of An Bình
    leader: User  # Nguyễn Văn Hùng, vice-chairman of An Bình


def build_print_world() -> PrintWorld:
    tree = build_org_tree()
    people = build_personas(tree)
    Agency.objects.filter(pk=tree.one_stop_a.pk).update(
        address="Số 12 đường Trần Hưng Đạo, xã An Bình, tỉnh Thử Nghiệm", phone="0210 3856 123"
    )
    tree.one_stop_a.refresh_from_db()
    procedure = catalog_services.procedure_create(
        actor=None,
        code="1.001193",
        name=PROCEDURE_NAME,
        field=make_field("Hộ tịch"),
        level="commune",
        processing_time=3,
        time_unit="working_days",
        fees=[{"amount_vnd": 0, "text": "Miễn lệ phí"}],
        documents=[{"name": name, "original_count": 1} for name, _kind, _count in DOCUMENTS],
        results=[{"code": "KQ1", "name": "Giấy khai sinh (bản chính)"}],
    )
    specialist = make_staff("cong_chuc_ho_tich", tree.commune_a, Role.SPECIALIST, full_name="Hoàng Thị Thảo")
    leader = make_staff("pho_chu_tich", tree.commune_a, Role.LEADER, full_name="Nguyễn Văn Hùng")
    receptionist = people.receptionist
    assert isinstance(receptionist, User)  # Personas says only "object"
    return PrintWorld(
        tree=tree,
        people=people,
        procedure=procedure,
        receptionist=receptionist,
        specialist=specialist,
        leader=leader,
    )


def make_dossier(
    world: PrintWorld,
    *,
    number: int = 7,
    received_at: datetime | None = None,
    due_at: datetime | None = None,
    state: str = Dossier.State.RECEIVED,
    applicant: str = APPLICANT,
    documents=DOCUMENTS,
    **fields,
) -> Dossier:
    """A dossier received at the counter with its documents, its reception step and event."""
    received_at = received_at or at(16, 9, 30)
    due_at = due_at or at(20, 16, 30)
    tree = world.tree
    values = {
        "code": f"{tree.one_stop_a.code}-{received_at:%y%m%d}-{number:04d}",
        "pin": "K7M2Q9",
        "procedure": world.procedure,
        "procedure_snapshot": {"time": 3, "unit": "working_days"},
        "receiving_agency": tree.one_stop_a,
        "handling_agency": tree.commune_a,
        "applicant_kind": Dossier.ApplicantKind.PERSON,
        "applicant_name": applicant,
        "citizen_id": "001190012345",
        "phone": "0912 345 678",
        "email": "huong.nguyen@example.vn",
        "address": "Thôn Đông Hưng, xã An Bình, tỉnh Thử Nghiệm",
        "channel": Dossier.Channel.COUNTER,
        "result_delivery": Dossier.ResultDelivery.COUNTER,
        "state": state,
        "status_code": Dossier.STATUS_OF_STATE[state],
        "received_at": received_at,
        "clock_started_at": received_at,
        "original_due_at": due_at,
        "due_at": due_at,
        "holder_agency": tree.one_stop_a,
        "created_by": world.receptionist,
    }
    values.update(fields)
    dossier = Dossier.objects.create(**values)
    for order, (name, kind, count) in enumerate(documents):
        DossierDocument.objects.create(
            dossier=dossier,
            name=name,
            copy_kind=kind,
            count=count,
            order=order,
            requirement_code=f"TP{order + 1:02d}",
        )
    DossierStep.objects.create(
        dossier=dossier,
        seq=1,
        kind=DossierStep.Kind.RECEPTION,
        name="Tiếp nhận hồ sơ",
        agency=tree.one_stop_a,
        role=Role.RECEPTIONIST,
        receiver=world.receptionist,
        started_at=received_at,
        due_at=received_at.replace(hour=11, minute=30) if received_at.hour < 11 else received_at,
        finished_at=received_at.replace(minute=received_at.minute + 15)
        if received_at.minute < 45
        else received_at,
        timeliness="early",
    )
    DossierEvent.objects.create(
        dossier=dossier,
        action="receive",
        state=Dossier.State.RECEIVED,
        status_code=2,
        at=received_at,
        actor=world.receptionist,
        agency=tree.one_stop_a,
    )
    return dossier


def add_processing_steps(
    world: PrintWorld, dossier: Dossier, *, late_approval: bool = True
) -> list[DossierStep]:
    """Hand-overs after reception: transfer, appraisal, approval (late), return (still open)."""
    tree = world.tree
    rows = [
        # seq, name, agency, giver, receiver, started, due, finished, timeliness
        (
            2,
            "Chuyển hồ sơ đến công chức Tư pháp - Hộ tịch",
            tree.one_stop_a,
            world.receptionist,
            world.specialist,
            at(16, 9, 45),
            at(16, 15, 0),
            at(16, 14, 10),
            "early",
        ),
        (
            3,
            "Thẩm định hồ sơ, dự thảo kết quả",
            tree.commune_a,
            world.specialist,
            world.specialist,
            at(16, 14, 10),
            at(18, 14, 10),
            at(18, 14, 10),
            "on_time",
        ),
        (
            4,
            "Lãnh đạo UBND xã ký duyệt",
            tree.commune_a,
            world.specialist,
            world.leader,
            at(18, 14, 10),
            at(19, 10, 0),
            at(19, 15, 20) if late_approval else at(19, 9, 0),
            "late" if late_approval else "early",
        ),
        (
            5,
            "Trả kết quả cho người nộp",
            tree.one_stop_a,
            world.leader,
            world.receptionist,
            at(19, 15, 20),
            at(20, 16, 30),
            None,
            "",
        ),
    ]
    steps = []
    for seq, name, agency, giver, receiver, started, due, finished, timeliness in rows:
        steps.append(
            DossierStep.objects.create(
                dossier=dossier,
                seq=seq,
                kind=DossierStep.Kind.RETURN if seq == 5 else DossierStep.Kind.PROCESS,
                name=name,
                agency=agency,
                giver=giver,
                receiver=receiver,
                started_at=started,
                due_at=due,
                finished_at=finished,
                timeliness=timeliness,
            )
        )
    Dossier.objects.filter(pk=dossier.pk).update(
        state=Dossier.State.PROCESSING, status_code=4, transfer_at=at(16, 9, 45), current_step=steps[-1]
    )
    dossier.refresh_from_db()
    return steps


SUPPLEMENT_ITEMS = [
    {
        "name": "Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp",
        "reason": "Bản đã nộp là bản chụp, không có dấu xác nhận của bệnh viện; cần nộp bản chính.",
    },
    {
        "name": "Giấy tờ chứng minh nơi cư trú của người đi đăng ký",
        "reason": "Địa chỉ trên tờ khai khác địa chỉ trong Cơ sở dữ liệu quốc gia về dân cư.",
    },
]


def add_supplement(world: PrintWorld, dossier: Dossier, *, items=None, note: str = "") -> DossierPause:
    started = at(17, 10, 5)
    pause = DossierPause.objects.create(
        dossier=dossier,
        reason=DossierPause.Reason.SUPPLEMENT,
        items=SUPPLEMENT_ITEMS if items is None else items,
        note=note,
        started_at=started,
        policy="restart",
        requested_by=world.specialist,
    )
    Dossier.objects.filter(pk=dossier.pk).update(
        state=Dossier.State.SUPPLEMENT, status_code=5, supplement_count=dossier.supplement_count + 1
    )
    DossierEvent.objects.create(
        dossier=dossier,
        action="request_supplement",
        state=Dossier.State.SUPPLEMENT,
        status_code=5,
        at=started,
        actor=world.specialist,
        agency=world.tree.commune_a,
        note=note,
    )
    dossier.refresh_from_db()
    return pause


REFUSAL_REASON = (
    "Thủ tục không thuộc thẩm quyền giải quyết của UBND xã An Bình: trẻ sinh ra ở nước ngoài "
    "phải đăng ký khai sinh tại cơ quan đại diện Việt Nam ở nước ngoài (Điều 29 Luật Hộ tịch)."
)


def add_refusal(world: PrintWorld, dossier: Dossier, *, reason: str = REFUSAL_REASON, action: str = "refuse"):
    when = at(16, 9, 50)
    state = Dossier.State.REFUSED
    Dossier.objects.filter(pk=dossier.pk).update(state=state, status_code=3, closed_at=when)
    event = DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        state=state,
        status_code=3,
        at=when,
        actor=world.receptionist if action == "refuse" else world.leader,
        agency=world.tree.one_stop_a if action == "refuse" else world.tree.commune_a,
        note=reason,
    )
    dossier.refresh_from_db()
    return event


EXTENSION_REASON = (
    "Cần xác minh thông tin về cha của trẻ với Ủy ban nhân dân xã Bình Minh, nơi cư trú trước đây."
)


def add_extension(world: PrintWorld, dossier: Dossier, *, reason: str = EXTENSION_REASON) -> DossierExtension:
    new_due = at(25, 16, 30)
    assert dossier.due_at is not None  # make_dossier gives every dossier its appointment
    extension = DossierExtension.objects.create(
        dossier=dossier,
        reason=reason,
        previous_due_at=dossier.due_at,
        new_due_at=new_due,
        created_at=at(19, 8, 15),
        created_by=world.leader,
    )
    Dossier.objects.filter(pk=dossier.pk).update(due_at=new_due, extension_count=1)
    DossierEvent.objects.create(
        dossier=dossier,
        action="extend",
        state=dossier.state,
        status_code=dossier.status_code,
        at=at(19, 8, 15),
        actor=world.leader,
        agency=world.tree.commune_a,
        note=reason,
    )
    dossier.refresh_from_db()
    return extension


STOP_REASON = (
    "Người nộp hồ sơ có văn bản đề nghị dừng giải quyết để bổ sung giấy tờ về quốc tịch của cha "
    "trẻ; Tòa án nhân dân đang thụ lý vụ việc xác định cha cho con."
)


def add_stop(world: PrintWorld, dossier: Dossier, *, reason: str = STOP_REASON, action: str = "stop"):
    when = at(18, 16, 0)
    state = Dossier.State.STOPPED if action == "stop" else Dossier.State.WITHDRAWN
    Dossier.objects.filter(pk=dossier.pk).update(
        state=state, status_code=Dossier.STATUS_OF_STATE[state], closed_at=when
    )
    event = DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        state=state,
        status_code=Dossier.STATUS_OF_STATE[state],
        at=when,
        actor=world.leader,
        agency=world.tree.commune_a,
        note=reason,
    )
    dossier.refresh_from_db()
    return event


def finish(dossier: Dossier, *, finished_at: datetime, returned_at: datetime | None = None, timeliness: str):
    state = Dossier.State.RETURNED if returned_at else Dossier.State.FINISHED
    Dossier.objects.filter(pk=dossier.pk).update(
        state=state,
        status_code=Dossier.STATUS_OF_STATE[state],
        finished_at=finished_at,
        returned_at=returned_at,
        timeliness=timeliness,
    )
    dossier.refresh_from_db()
    return dossier
