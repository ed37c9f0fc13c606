"""Vietnamese phone numbers in the international form providers take (84912345678)."""

import re

_DIGITS = re.compile(r"[\s.\-()]")


def international(phone: str) -> str | None:
    """``0912 345 678`` or ``+84912345678`` → ``84912345678``; None for what is not a Vietnamese
    number (9 or 10 digits after the country code)."""
    digits = _DIGITS.sub("", phone or "")
    if digits.startswith("+"):
        digits = digits[1:]
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not digits.isdigit() or not digits.startswith("84") or not 11 <= len(digits) <= 12:
        return None
    return digits
