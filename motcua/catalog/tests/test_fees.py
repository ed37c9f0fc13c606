"""What the public page says about fees, on the real texts of the reference catalogue
(data/procedures.json: "0 means the source says 'Miễn phí'", the note often defers the amount)."""

from functools import cache

import pytest

from motcua.catalog import fees
from motcua.catalog.importing import DATA_FILE, records_from_json
from motcua.catalog.models import Channel, Fee


@cache
def published() -> dict[str, list[dict]]:
    """The fee rows the importer stores for each procedure (None: the record gives no fee)."""
    return {r.code: r.values["fees"] for r in records_from_json(DATA_FILE.read_bytes())}


def lines(code: str) -> list[fees.FeeLine]:
    return fees.fee_lines([Fee(**row) for row in published()[code] or []])


def shown(code: str) -> list[tuple[str, str, list[str]]]:
    return [(line.status, line.amount, line.conditions) for line in lines(code)]


def test_the_judicial_record_defers_to_circular_244_instead_of_being_free():
    # 3.000333: the source shows "Miễn phí", its note "Thực hiện theo Thông tư số 244/2016/TT-BTC …".
    assert shown("3.000333") == [(fees.DEFERRED, "Thu theo Thông tư số 244/2016/TT-BTC", [])]
    assert "244/2016/TT-BTC ngày 11/11/2016" in lines("3.000333")[0].note


def test_a_fee_set_by_the_provincial_council_says_so():
    # 1.000656 (khai tử): "Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh … quyết định."
    assert shown("1.000656") == [(fees.DEFERRED, "Thu theo nghị quyết của Hội đồng nhân dân tỉnh", [])]
    # 1.012783 (cấp đổi GCN): "Theo quy định của Luật phí và lệ phí …" (online and counter; the
    # post channel publishes no note: free as published there).
    assert shown("1.012783")[0] == (
        fees.DEFERRED,
        "Thu theo quy định của pháp luật về phí và lệ phí",
        ["Nộp trực tuyến, Nộp trực tiếp"],
    )


def test_free_only_where_the_record_says_free_without_deferring():
    assert shown("1.001193") == [(fees.FREE, "Miễn phí", [])]  # khai sinh: "Miễn phí", no note
    # "Miễn lệ phí (Thông tư số 47/2019/TT-BTC)" cites the circular that exempts: still free.
    assert shown("2.002023") == [(fees.FREE, "Miễn phí", [])]
    # "Miễn lệ phí. Phí cấp bản sao … theo Thông tư số 281/2016/TT-BTC": free, the copy fee noted.
    assert shown("1.000894") == [(fees.FREE, "Miễn phí", [])]
    assert "281/2016/TT-BTC" in lines("1.000894")[0].note


def test_amounts_with_their_unit_and_their_channel():
    assert shown("1.001612") == [
        (fees.AMOUNT, "150.000 đ", ["Nộp trực tuyến, Nộp qua dịch vụ bưu chính"]),
        (fees.AMOUNT, "50.000 đ", ["Nộp trực tiếp"]),
    ]
    # The note says the council sets the exact figure: said beside the amount.
    assert lines("1.001612")[0].remark == "Thu theo nghị quyết của Hội đồng nhân dân tỉnh"
    assert shown("2.001016") == [(fees.AMOUNT, "50.000 đ/văn bản", [])]
    assert [amount for _, amount, _ in shown("2.000815")] == ["2.000 đ/trang", "10 USD/bản"]


def test_duplicate_lines_are_merged_with_their_conditions():
    # 1.000689: the same note for every channel, once wrapped in parentheses: one line.
    assert len(published()["1.000689"]) == 3
    assert shown("1.000689") == [(fees.DEFERRED, "Thu theo nghị quyết của Hội đồng nhân dân tỉnh", [])]
    # "100 VNĐ" (online, unusable) and "100,000 VNĐ" written for the same fee stay two lines
    # until an amount is known for both; the same amount twice is one line.
    same = [
        Fee(kind="charge", amount_vnd=100_000, text=t, note="Phí công bố", channel=c)
        for t, c in [
            ("100 VNĐ", Channel.ONLINE),
            ("100,000 VNĐ", Channel.POST),
            ("100,000 VNĐ", Channel.COUNTER),
        ]
    ]
    assert [(line.amount, line.conditions) for line in fees.fee_lines(same)] == [("100.000 đ", [])]


def test_unknown_fees_say_so():
    assert published()["1.010801"] is None  # a partial record: fees not known
    assert shown("1.010801") == [(fees.UNKNOWN, "Chưa có thông tin về phí, lệ phí", [])]
    demo = Fee(amount_vnd=0, text="Miễn phí (giá trị minh họa)")  # catalog.demo's stand-in
    assert fees.fee_lines([demo])[0].amount == "Chưa có thông tin về phí, lệ phí"


def test_the_procedures_that_showed_free_wrongly():
    """Every procedure whose record says "Miễn phí" (amount 0) but defers in its note."""
    codes = sorted(
        code
        for code, rows in published().items()
        if any(row["amount_vnd"] == 0 and fees.deferral(row["note"]) for row in rows or [])
    )
    assert "3.000333" in codes and "1.000656" in codes and "1.001193" not in codes
    assert len(codes) == 38
    for code in codes:
        assert any(line.status == fees.DEFERRED for line in lines(code)), code


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("Theo quy định của Hội đồng nhân dân cấp tỉnh.", "Thu theo nghị quyết của Hội đồng nhân dân tỉnh"),
        ("Mức thu theo Nghị quyết số 12/2025/NQ-HĐND", "Thu theo Nghị quyết số 12/2025/NQ-HĐND"),
        ("Không quy định", None),
        ("", None),
    ],
)
def test_deferral(note, expected):
    assert fees.deferral(note) == expected
