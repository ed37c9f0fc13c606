"""Vietnamese text folding for accent-insensitive search.

"Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH" and "dang ky khai sinh" all fold to
"dang ky khai sinh". The folded form is what search indexes store and compare.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d), collapse everything else to single spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def tokens(text: str) -> list[str]:
    """The folded words of a text, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in fold(text).split():
        seen.setdefault(word, None)
    return list(seen)


def thousands(value: int) -> str:
    """1250000 → "1.250.000" (the Vietnamese thousands separator)."""
    return f"{int(value):,}".replace(",", ".")


def money(amount_vnd: int) -> str:
    """1250000 → "1.250.000 đ"."""
    return f"{thousands(amount_vnd)} đ"
