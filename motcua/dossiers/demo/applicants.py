"""The applicants of the demo dossiers: people of the province (surnames weighted as there,
12-digit citizen IDs, village or street addresses, phone numbers) and local organisations, each
only where the procedure admits it (``organisations_for``: no company registers a birth)."""

from __future__ import annotations

import random
from datetime import date

from motcua.catalog.models import Procedure
from motcua.dossiers.demo.context import Context, Site, weighted
from motcua.dossiers.models import Dossier
from motcua.lib.text import fold

SURNAMES = [
    ("Nguyễn", 30),
    ("Trần", 8),
    ("Lê", 7),
    ("Phạm", 5),
    ("Hoàng", 5),
    ("Vũ", 3),
    ("Đỗ", 2),
    ("Bùi", 2),
    ("Đặng", 2),
    ("Ngô", 1),
    ("Dương", 1),
    ("Phan", 2),
    ("Ma", 4),
    ("Nông", 4),
    ("Hà", 3),
    ("Triệu", 2),
    ("Bàn", 2),
    ("Lý", 1),
    ("Giàng", 1),
    ("Sùng", 1),
    ("Quan", 1),
    ("Âu", 1),
]
MALE_MIDDLE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Ngọc", "Xuân", "Thanh", "Công", "Trọng"]
FEMALE_MIDDLE = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Kim"]
MALE_GIVEN = (
    "Anh Bình Cường Dũng Đức Hải Hùng Huy Khánh Long Nam Phong Quân Sơn Thắng Toàn Trung Tuấn "
    "Việt Hiếu Kiên Lâm Mạnh Tùng Thành Hưng Lợi Chiến Quyết Tiến"
).split()
FEMALE_GIVEN = (
    "Anh Chi Dung Giang Hà Hạnh Hằng Hoa Hương Huyền Lan Liên Linh Loan Mai Ngọc Nhung Oanh "
    "Phương Quỳnh Thảo Trang Vân Yến Thủy Hiền Ngân Thơm"
).split()
VILLAGES = [
    "Nà Héc",
    "Khuổi Phầy",
    "Làng Bục",
    "Đồng Tâm",
    "Tân Lập",
    "Cầu Trắng",
    "Bản Pài",
    "Nà Lừa",
    "Thác Cái",
    "Làng Mỏ",
    "Đồng Cả",
    "Tân Thành",
    "Hợp Thành",
    "Phúc Lộc",
    "Nà Mỏ",
    "Khuôn Thê",
    "Làng Chùa",
    "Bản Khoan",
]
STREETS = [
    "Tân Trào",
    "Bình Thuận",
    "Quang Trung",
    "Lê Duẩn",
    "Trần Hưng Đạo",
    "17 Tháng 8",
    "Phan Thiết",
    "Chiến Thắng Sông Lô",
    "Nguyễn Trãi",
    "Lý Thái Tổ",
    "Nguyễn Văn Cừ",
    "Kim Bình",
]
COMPANIES = [
    "Công ty TNHH Chè Mỹ Bằng",
    "Công ty cổ phần Xây dựng Tân Trào",
    "Công ty TNHH Thương mại Sông Lô",
    "Công ty TNHH Vận tải Hàm Yên",
    "Công ty TNHH Chế biến gỗ Yên Sơn",
    "Công ty cổ phần Du lịch Na Hang",
    "Công ty TNHH Cơ khí Minh Xuân",
    "Công ty cổ phần Khoáng sản Sơn Dương",
]
COOPERATIVES = [
    "Hợp tác xã Cam sành Hàm Yên",
    "Hợp tác xã Nông sản Lâm Bình",
    "Hợp tác xã Chè Shan tuyết Na Hang",
]
# "Tổ chức (không bao gồm doanh nghiệp, HTX)": public units, associations.
OTHER_ORGANISATIONS = [
    "Trường Trung học cơ sở Tân Trào",
    "Trường Mầm non Hoa Sen",
    "Ban Quản lý rừng phòng hộ Na Hang",
    "Trung tâm Y tế khu vực Hàm Yên",
]
# Fields whose procedures are about a person's own life (civil status, certification of a
# signature or a copy, residence, adoption, judicial record, social and merit benefits,
# schooling, a household business): the applicant is that person (or a relative), never an
# organisation, whatever else the catalogue's "đối tượng thực hiện" lists.
PERSON_FIELDS = (
    "ho tich",
    "chung thuc",
    "nuoi con nuoi",
    "cu tru",
    "ly lich tu phap",
    "bao tro xa hoi",
    "nguoi co cong",
    "dan so",
    "giao duc",
    "ho kinh doanh",
)
# Fields whose applicant is mostly the business itself (enterprise and cooperative registration).
BUSINESS_FIELDS = ("doanh nghiep", "hop tac xa")
BUSINESS_SHARE, OTHER_SHARE = 0.8, 0.1
# Province (birthplace registration) codes of the citizen ID: Tuyên Quang 008 and Hà Giang 002
# mostly, then neighbours.
ID_PROVINCES = [("008", 60), ("002", 20), ("015", 4), ("006", 3), ("019", 4), ("025", 4), ("001", 5)]
PHONE_PREFIXES = ["98", "97", "96", "91", "94", "88", "86", "35", "36", "39", "83"]


def draw_person(rng: random.Random, site: Site, ctx: Context) -> dict:
    male = rng.random() < 0.5
    surname = weighted(rng, SURNAMES)
    middle = rng.choice(MALE_MIDDLE if male else FEMALE_MIDDLE)
    given = rng.choice(MALE_GIVEN if male else FEMALE_GIVEN)
    name = f"{surname} {middle} {given}"
    year = rng.randint(1950, 2006)
    born = date(year, rng.randint(1, 12), rng.randint(1, 28))
    century = 0 if year < 2000 else 2
    # 12 digits: birthplace province, gender and century, year of birth, then 6 digits.
    gender_century = century + (0 if male else 1)
    citizen_id = f"{weighted(rng, ID_PROVINCES)}{gender_century}{year % 100:02d}{rng.randint(0, 999999):06d}"
    local = site.local_name or rng.choice(ctx.commune_names)
    if local.startswith("phường"):
        address = (
            f"Số {rng.randint(1, 320)}, đường {rng.choice(STREETS)}, tổ dân phố {rng.randint(1, 24)}, "
            f"{local}, tỉnh Tuyên Quang"
        )
    else:
        address = f"Thôn {rng.choice(VILLAGES)}, {local}, tỉnh Tuyên Quang"
    phone = f"0{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9999999):07d}"
    return {
        "applicant_kind": Dossier.ApplicantKind.PERSON,
        "applicant_name": name,
        "citizen_id": citizen_id,
        "date_of_birth": born,
        "phone": phone,
        "email": "",
        "address": address,
        "collector": name,
    }


def draw_organisation(rng: random.Random, site: Site, ctx: Context, names: list[str]) -> dict:
    person = draw_person(rng, site, ctx)
    name = rng.choice(names)
    return {
        "applicant_kind": Dossier.ApplicantKind.ORGANISATION,
        "applicant_name": name,
        "citizen_id": "",
        "date_of_birth": None,
        "tax_code": f"5000{rng.randint(0, 999999):06d}",
        "representative": person["applicant_name"],
        "phone": person["phone"],
        "email": "",
        "address": person["address"],
        "collector": person["applicant_name"],
    }


def _kinds(applicants: str) -> set[str]:
    """The folded applicant kinds of a catalogue's "đối tượng thực hiện" text, split at the
    commas outside parentheses: "Công dân Việt Nam, Tổ chức (không bao gồm doanh nghiệp, HTX)"
    → {"cong dan viet nam", "to chuc khong bao gom doanh nghiep htx"}."""
    kinds, depth, current = set(), 0, ""
    for ch in applicants:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            kinds.add(fold(current))
            current = ""
        else:
            current += ch
    kinds.add(fold(current))
    return kinds - {""}


def organisations_for(procedure: Procedure) -> tuple[float, list[str]]:
    """Which organisations apply for ``procedure`` and in what share of its dossiers.

    The catalogue's ``applicants`` text names who may apply: a company only where it names
    "Doanh nghiệp", a cooperative only where it names "Hợp tác xã", another organisation only
    where it names "Tổ chức (không bao gồm doanh nghiệp, HTX)". A procedure about a person's own
    life (``PERSON_FIELDS``: khai sinh, khai tử, kết hôn, chứng thực …) gets none even when the
    text lists organisations; a business registration (``BUSINESS_FIELDS``) is mostly applied for
    by the business, the other procedures that admit organisations by a few.
    """
    field = fold(procedure.field.name) if procedure.field_id else ""
    if any(word in field for word in PERSON_FIELDS):
        return 0.0, []
    kinds = _kinds(procedure.applicants or "")
    names: list[str] = []
    if any(k.startswith("doanh nghiep") for k in kinds):
        names += COMPANIES
    if "hop tac xa" in kinds:
        names += COOPERATIVES
    if any(k.startswith("to chuc khong bao gom") for k in kinds):
        names += OTHER_ORGANISATIONS
    if not names:
        return 0.0, []
    return (BUSINESS_SHARE if any(word in field for word in BUSINESS_FIELDS) else OTHER_SHARE), names


def draw_applicant(rng: random.Random, site: Site, ctx: Context, procedure: Procedure) -> dict:
    """A person, or an organisation where ``procedure`` admits one (``organisations_for``)."""
    if procedure.pk not in ctx.organisations:
        ctx.organisations[procedure.pk] = organisations_for(procedure)
    share, names = ctx.organisations[procedure.pk]
    if names and rng.random() < share:
        return draw_organisation(rng, site, ctx, names)
    return draw_person(rng, site, ctx)
