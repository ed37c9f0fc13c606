"""Identifiers a person or an organisation gives: the personal identification number (citizen
ID), the tax code and a Vietnamese telephone number, checked the same way wherever they are typed
(reception, the citizen's profile, a local account's sign-up)."""

import re
from datetime import date

from motcua.lib.errors import InvalidInput

# Valid province codes of the citizen identity number (first three digits).
PROVINCE_CODES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
# The fourth digit: gender and century of birth.
CENTURY_OF_DIGIT = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}


def validate_citizen_id(value: str, date_of_birth: date | None = None) -> str:
    """The 12-digit personal identification number, checked: province code, century, year."""
    digits = (value or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{12}", digits):
        raise InvalidInput(
            f"Số định danh cá nhân “{value}” không hợp lệ: phải gồm đúng 12 chữ số.",
            code="citizen_id_invalid",
            details={"field": "citizen_id"},
        )
    if digits[:3] not in PROVINCE_CODES:
        raise InvalidInput(
            f"Số định danh cá nhân “{value}” không hợp lệ: mã tỉnh nơi đăng ký khai sinh “{digits[:3]}” "
            "không tồn tại.",
            code="citizen_id_invalid",
            details={"field": "citizen_id"},
        )
    if date_of_birth is not None:
        year = CENTURY_OF_DIGIT[int(digits[3])] + int(digits[4:6])
        if year != date_of_birth.year:
            raise InvalidInput(
                f"Số định danh cá nhân “{value}” không khớp với năm sinh {date_of_birth.year} "
                f"(mã thể hiện năm sinh {year}).",
                code="citizen_id_invalid",
                details={"field": "citizen_id"},
            )
    return digits


def tax_code_problem(value: str) -> str | None:
    """Why ``value`` is not a tax code (10 digits, or 10 digits, a hyphen and the 3 digits of a
    dependent unit), or None."""
    if re.fullmatch(r"\d{10}(-\d{3})?", value or ""):
        return None
    return "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số (đơn vị phụ thuộc)."


def clean_phone(value: str) -> str:
    """A Vietnamese telephone number in its national form (0 and 9–10 digits; "+84" accepted);
    "" for none."""
    phone = re.sub(r"[\s.\-()]", "", value or "")
    if not phone:
        return ""
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    if not re.fullmatch(r"0\d{9,10}", phone):
        raise InvalidInput(
            f"Số điện thoại “{value}” không hợp lệ: gồm 10 chữ số bắt đầu bằng 0, ví dụ 0912 345 678.",
            code="phone_invalid",
            details={"field": "applicant.phone"},
        )
    return phone
