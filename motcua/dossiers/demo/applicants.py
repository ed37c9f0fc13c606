"""The applicants of the demo dossiers: people of the province (surnames weighted as there,
12-digit citizen IDs, village or street addresses, phone numbers) and local organisations."""

from __future__ import annotations

import random
from datetime import date

from motcua.dossiers.demo.context import Context, Site, weighted
from motcua.dossiers.models import Dossier

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
    "Hợp tác xã Cam sành Hàm Yên",
    "Công ty TNHH Chế biến gỗ Yên Sơn",
    "Công ty cổ phần Du lịch Na Hang",
    "Hợp tác xã Nông sản Lâm Bình",
    "Công ty TNHH Cơ khí Minh Xuân",
    "Công ty cổ phần Khoáng sản Sơn Dương",
]
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


def draw_organisation(rng: random.Random, site: Site, ctx: Context) -> dict:
    person = draw_person(rng, site, ctx)
    name = rng.choice(COMPANIES)
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
