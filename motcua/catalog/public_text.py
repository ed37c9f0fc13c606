"""Published texts made fit for the public pages: Vietnamese only, without parsing artefacts.

The reference data (data/README.md) was parsed from flattened pages and annotated in English
by whoever assembled it: "Sở Nội vụ (per the source list)", "… — from the resolution annex",
"(điểm b khoản 2 Điều 5, as cited by the source)". Its legal-basis columns ran together, so some
numbers lost or gained letters ("226/2016/TT-BT", "118/2025/NĐ-CQ", "06/2025/NĐ-CPBAN") and some
titles carry a neighbouring cell ("Luật Đầu tư côngLuật số 58Thực hiện thủ tục …") or lost a
first letter ("ghị định", "Csửa đổi"). The README vouches only for the completion of
"118/2025/NĐ-C"; everything else here is repaired at import (``tidy_records``), so that the
pages, the API and the exports show the same text:

- English annotations are dropped or said in Vietnamese;
- a truncated number is completed from the same number seen whole elsewhere in the file (or in
  its own title); a decree number glued to letters of the next cell ends in "NĐ-CP";
- a title keeps its last run-together segment, without a stray leading capital or trailing digit;
- a few misspellings of the source are corrected ("Thông thư" → "Thông tư").
"""

import re
from collections.abc import Collection
from typing import Any

# English notes of the data's compiler → their Vietnamese (or nothing: the source is recorded in
# Procedure.source, a citizen need not read about it).
ANNOTATIONS = [
    (re.compile(r"\s*\(per the source list\)", re.IGNORECASE), ""),
    (re.compile(r",\s*as cited by the source\)", re.IGNORECASE), ")"),
    (re.compile(r"\s*[—–-]\s*from the resolution annex", re.IGNORECASE), " (theo phụ lục nghị quyết)"),
]
# Misspellings in the source that its README does not list.
MISSPELLINGS = [
    (re.compile(r"\bThông thư\b"), "Thông tư"),
    (re.compile(r"\bliên tich\b"), "liên tịch"),
    (re.compile(r"(\d+/\d{4}/NĐ)-(?=\s*về\b)"), r"\1-CP "),
    (re.compile(r"\bsửa đổi\. bổ sung\b"), "sửa đổi, bổ sung"),
]
# First letters lost to the previous cell: the beginnings seen in the file, restored.
CHOPPED_STARTS = [
    ("ghị định", "Nghị định"),
    ("uy định", "Quy định"),
    ("HÔNG TƯ", "THÔNG TƯ"),
    ("HÀNH, HƯỚNG DẪN", "BAN HÀNH, HƯỚNG DẪN"),
]
DOCUMENT_TYPES = {"luật", "nghị định", "thông tư", "quyết định", "nghị quyết", "thông tư liên tịch"}
_CONSONANTS = set("bcdđghklmnpqrstvx")
_VALID_CLUSTERS = {"ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr"}
_NUMBER = re.compile(r"\d+(?:\.\w+)?/\d{4}/[A-ZĐ]+(?:-[A-ZĐ]+)*")
_DECREE_GLUED = re.compile(r"/NĐ-C[A-Z]*$")


def vietnamese(text: str | None) -> str | None:
    """``text`` without the compiler's English notes and the source's misspellings."""
    if not text:
        return text
    for pattern, replacement in (*ANNOTATIONS, *MISSPELLINGS):
        text = pattern.sub(replacement, text)
    return text


def _glue_split(text: str) -> list[str]:
    """Split where one cell's text runs into the next: a lower-case letter or a digit directly
    followed by a capitalised word ("côngLuật", "58Thực"), or an acronym's last capital followed
    by one ("BTPNghị")."""
    parts, start = [], 0
    for i in range(1, len(text) - 1):
        before, here, after = text[i - 1], text[i], text[i + 1]
        if not (here.isupper() and after.islower()):
            continue
        if before.islower() or before.isdigit() or (before.isupper() and text[i + 2 : i + 3].islower()):
            parts.append(text[start:i])
            start = i
    parts.append(text[start:])
    return parts


def legal_title(title: str | None) -> str:
    """A legal basis title without the artefacts of run-together cells."""
    title = vietnamese(title or "") or ""
    parts = [p for p in _glue_split(title) if p.strip()]
    # A title that ran into the next cell keeps the last segment that reads as a title.
    if len(parts) > 1:
        title = parts[-1]
    title = title.strip().lstrip("- ")  # "- Nghị định số …"
    trailing = re.search(r"\d+$", title)
    if trailing and trailing.start() > 0 and title[trailing.start() - 1].islower():
        title = title[: trailing.start()]  # "Bộ Xây dựng1" (not "Luật 28/2009/QH12")
    for chopped, whole in CHOPPED_STARTS:
        if title.startswith(chopped):
            title = whole + title[len(chopped) :]
    first, second = title[:1], title[1:2]
    if first.isupper() and second.islower() and {first.lower(), second} <= _CONSONANTS:
        if (first + second).lower() not in _VALID_CLUSTERS:
            title = title[1:]  # "Csửa đổi" → "sửa đổi": no Vietnamese word starts so
    title = title.strip(" ;")
    if title.lower() in DOCUMENT_TYPES:  # only the kind of document is left: nothing to show
        return ""
    return title


def legal_number(number: str | None, title: str, known: Collection[str]) -> str:
    """A legal basis number completed where a column boundary cut or extended it."""
    number = (number or "").strip()
    if _DECREE_GLUED.search(number):
        return _DECREE_GLUED.sub("/NĐ-CP", number)
    # Cut short: the same number seen whole elsewhere goes on with a letter ("TT-BT" → "TT-BTC").
    whole = [
        n
        for n in (*_NUMBER.findall(title or ""), *known)
        if len(n) > len(number) and n.startswith(number) and n[len(number)].isalpha()
    ]
    return min(whole, key=len) if number and whole else number


def tidy_records(records: list[Any]) -> list[Any]:
    """Repair, in place, the texts of imported records (``importing.Record``) shown to the
    public: agencies, legal bases, fee notes. Numbers are completed against every number of
    the file."""
    known = {
        lb.get("number") or ""
        for r in records
        for lb in (r.values.get("legal_bases") or [])
        if _NUMBER.fullmatch(lb.get("number") or "") and not _DECREE_GLUED.search(lb.get("number") or "")
    }
    for record in records:
        values = record.values
        for key in ("competent_agency", "executing_agency", "requirements", "applicants"):
            if values.get(key):
                values[key] = vietnamese(values[key])
        for basis in values.get("legal_bases") or []:
            basis["title"] = legal_title(basis.get("title"))
            basis["number"] = legal_number(basis.get("number"), basis["title"], known)
        for fee in values.get("fees") or []:
            for key in ("note", "description"):
                if fee.get(key):
                    fee[key] = vietnamese(fee[key])
    return records
