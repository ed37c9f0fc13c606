"""The reference catalogue as the public reads it: no English, no artefacts of the parser."""

import re
from functools import cache

from motcua.catalog.implementing import agency_role, implementing_agencies
from motcua.catalog.importing import DATA_FILE, records_from_json
from motcua.catalog.public_text import legal_number, legal_title, vietnamese

ENGLISH = re.compile(r"\b(the|from|per|source|annex|resolution|cited|list|as)\b")


@cache
def records() -> dict:
    return {r.code: r.values for r in records_from_json(DATA_FILE.read_bytes())}


def shown_texts(values: dict) -> list[str]:
    texts = [values.get("competent_agency") or "", values.get("executing_agency") or ""]
    texts += [f"{b['number']} {b['title']}" for b in values.get("legal_bases") or []]
    texts += [f"{f['note']} {f['description']}" for f in values.get("fees") or []]
    return texts


def test_no_english_reaches_the_public():
    for code, values in records().items():
        for text in shown_texts(values):
            assert not ENGLISH.search(text), (code, text)
    assert records()["1.010801"]["competent_agency"] == "Sở Nội vụ"  # was "(per the source list)"
    assert records()["1.010801"]["legal_bases"][-1]["title"] == (
        "Nghị định số 131/2021/NĐ-CP (điểm b khoản 1 Điều 26) (theo phụ lục nghị quyết)"
    )


def test_legal_basis_numbers_cut_or_glued_by_the_parser_are_whole_again():
    numbers = {b["number"] for v in records().values() for b in v.get("legal_bases") or []}
    assert {"226/2016/TT-BT", "01/2020/TT-BT", "06/2025/NĐ-CPBAN", "118/2025/NĐ-CQ"}.isdisjoint(numbers)
    assert {"226/2016/TT-BTC", "01/2020/TT-BTP", "06/2025/NĐ-CP", "118/2025/NĐ-CP"} <= numbers
    assert legal_number("226/2016/TT-BT", "Thông tư 226/2016/TT-BTC", set()) == "226/2016/TT-BTC"
    assert legal_number("104/2022/NĐ-CPT", "", set()) == "104/2022/NĐ-CP"
    assert legal_number("60/2014/QH13", "", {"60/2014/QH13"}) == "60/2014/QH13"


def test_legal_basis_titles_lose_their_neighbours_cells():
    assert legal_title("Luật số 58/2024/QH15 của Quốc hội: Luật Đầu tư côngLuật số 58Thực hiện thủ tục") == (
        "Thực hiện thủ tục"
    )
    assert legal_title("Csửa đổi, bổ sung một số nghị định") == "sửa đổi, bổ sung một số nghị định"
    assert legal_title("Quy định … của Bộ Xây dựng1") == "Quy định … của Bộ Xây dựng"
    assert legal_title("uy định về phân định thẩm quyền") == "Quy định về phân định thẩm quyền"
    assert legal_title("Luật 28/2009/QH12") == "Luật 28/2009/QH12"
    assert legal_title("ghị định") == ""  # only the kind of document was left
    assert legal_title("Thông thư 47/2019/TT-BTC") == "Thông tư 47/2019/TT-BTC"
    assert (
        legal_title("Nghị định số 123/2015/NĐ-CP ngày 15/11/2015")
        == "Nghị định số 123/2015/NĐ-CP ngày 15/11/2015"
    )
    assert vietnamese("Nghị định số 55/2015/NĐ-về chính sách") == "Nghị định số 55/2015/NĐ-CP về chính sách"


class A:
    def __init__(self, name):
        self.name = name


PROVINCE = [
    A(n)
    for n in [
        "Sở Tư pháp tỉnh Mẫu",
        "Sở Xây dựng tỉnh Mẫu",
        "Sở Nông nghiệp và Môi trường tỉnh Mẫu",
        "Sở Tài chính tỉnh Mẫu",
        "Công an tỉnh Mẫu",
    ]
]


def implementing(code: str) -> list[str]:
    values = records()[code]
    ministry = next(r.managing_ministry for r in records_from_json(DATA_FILE.read_bytes()) if r.code == code)
    found = implementing_agencies(
        executing=values["executing_agency"] or "",
        competent=values["competent_agency"] or "",
        ministry=ministry,
        candidates=PROVINCE,
    )
    return [a.name for a in found]


def test_where_to_submit_agrees_with_the_implementing_agency():
    assert agency_role("Sở Tài chính tỉnh Tuyên Quang") == "so tai chinh"
    assert implementing("3.000333") == ["Công an tỉnh Mẫu"]  # Lý lịch tư pháp: "Công an tỉnh"
    assert implementing("2.001610") == ["Sở Tài chính tỉnh Mẫu"]  # "Sở Tài chính các tỉnh, thành phố"
    # "Văn phòng đăng ký đất đai" is no candidate: the department of the managing ministry.
    assert implementing("1.012783") == ["Sở Nông nghiệp và Môi trường tỉnh Mẫu"]
    assert implementing("1.010801") == []  # Sở Nội vụ: none here, offered nowhere rather than anywhere
