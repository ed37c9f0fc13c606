import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from motcua.catalog import services
from motcua.catalog.importing import (
    export_xlsx,
    import_file,
    import_reference_data,
    records_from_xlsx,
)
from motcua.catalog.models import Fee, Field, Procedure, RequiredDocument
from motcua.catalog.tests.factories import import_items, reference_items
from motcua.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db

SAMPLE = ["1.001193", "2.001610", "1.012787", "1.010801", "1.013978", "2.002041", "1.004222"]


def snapshot_catalogue() -> list:
    out = []
    for p in Procedure.objects.order_by("code"):
        row = {k: getattr(p, k) for k in services.SCALAR_FIELDS}
        row.update(
            code=p.code,
            field=p.field.code,
            missing=p.missing,
            incomplete=p.incomplete,
            demo=p.demo_values,
            **{name: services.child_dicts(p, name) for name in services.CHILD_LISTS},
        )
        out.append(row)
    return out


def test_the_real_file_imports_87_procedures_keeping_its_holes_and_a_second_run_changes_nothing():
    report = import_reference_data()
    assert (report.created, report.updated, report.unchanged) == (87, 0, 0)
    assert report.incomplete == 65
    assert Field.objects.filter(code="ho-tich").exists()

    khai_sinh = Procedure.objects.get(code="1.001193")  # "1" with no unit in the source
    assert (khai_sinh.processing_time, khai_sinh.time_unit) == (1, "")
    assert khai_sinh.missing == ["đơn vị của thời hạn giải quyết"]
    assert khai_sinh.postal_allowed is True and khai_sinh.level == "commune"

    unparsable = Procedure.objects.get(code="2.002041")  # time and fee digits run together
    assert unparsable.processing_time is None
    assert unparsable.missing[:3] == ["thời hạn giải quyết", "đơn vị của thời hạn giải quyết", "phí, lệ phí"]
    assert unparsable.source["unparsed_channel_text"][0].startswith("1100 VNĐ")

    dntn = Procedure.objects.get(code="2.001610")  # online fee shown as "100 VNĐ"
    online = dntn.fees.get(channel="online")
    assert online.amount_vnd is None and online.text == "100 VNĐ"
    assert dntn.missing == ["mức phí, lệ phí (Trực tuyến)"]

    land = Procedure.objects.get(code="1.012787")  # "Mẫu số 18" + "1" read as 181 originals
    odd = land.documents.filter(original_count__isnull=True)
    assert odd.count() == 2 and land.source["implausible_counts"][0]["original_count"] == 181
    assert land.incomplete

    gcn = Procedure.objects.get(code="1.013978")  # 27 working days at the counter, 17 online
    assert (gcn.processing_time, gcn.time_unit, gcn.online_time) == (27, "working_days", 17)
    assert not gcn.incomplete

    partial = Procedure.objects.get(code="1.010801")
    assert partial.online_level == "full"
    assert partial.missing == [
        "thời hạn giải quyết",
        "đơn vị của thời hạn giải quyết",
        "phí, lệ phí",
        "thành phần hồ sơ",
        "kết quả thực hiện",
    ]

    again = import_reference_data()
    assert (again.created, again.updated, again.unchanged, again.total_changes) == (0, 0, 87, 0)


def test_a_dry_run_reports_without_saving():
    report = import_items(reference_items(*SAMPLE), dry_run=True)
    assert report.created == len(SAMPLE) and report.dry_run
    assert not Procedure.objects.exists()


def test_a_file_with_a_broken_record_changes_nothing_and_names_the_record():
    import_items(reference_items("1.001193"))
    before = snapshot_catalogue()
    items = reference_items("1.001193", "2.001610", "1.012787")
    items[0]["name"] = "Tên mới không được lưu"
    items[2]["processing_time"]["value"] = -3
    with pytest.raises(InvalidInput) as exc:
        import_items(items)
    assert "Bản ghi 3 (thủ tục 1.012787): thời hạn giải quyết phải là số nguyên dương (nhận được -3)" in (
        exc.value.message
    )
    assert exc.value.details["errors"] == [
        "Bản ghi 3 (thủ tục 1.012787): thời hạn giải quyết phải là số nguyên dương (nhận được -3)"
    ]
    assert snapshot_catalogue() == before


def test_an_update_reports_which_fields_changed():
    import_items(reference_items(*SAMPLE))
    items = reference_items(*SAMPLE)
    items[0]["name"] = "Thủ tục đăng ký khai sinh (sửa)"
    items[1]["legal_basis"] = items[1]["legal_basis"][:2]
    report = import_items(items)
    assert (report.created, report.updated, report.unchanged) == (0, 2, len(SAMPLE) - 2)
    assert report.changes == {"1.001193": ["name"], "2.001610": ["legal_bases"]}


def test_a_value_completed_by_an_officer_is_not_erased_by_a_reimport_of_the_gap():
    import_items(reference_items("1.001193"))
    procedure = Procedure.objects.get(code="1.001193")
    services.procedure_complete(procedure=procedure, actor=None, time_unit="working_days")
    report = import_items(reference_items("1.001193"))
    procedure.refresh_from_db()
    assert report.total_changes == 0
    assert procedure.time_unit == "working_days" and not procedure.incomplete


def test_an_xlsx_export_imports_back_unchanged_and_into_an_empty_catalogue_identically(tmp_path):
    import_items(reference_items(*SAMPLE))
    procedure = Procedure.objects.get(code="1.001193")
    services.procedure_complete(procedure=procedure, actor=None, time_unit="working_days", demo=True)
    before = snapshot_catalogue()
    path = tmp_path / "catalog.xlsx"
    assert export_xlsx(path) == len(SAMPLE)

    wb = load_workbook(path)
    assert wb.sheetnames == ["Thủ tục", "Thành phần hồ sơ", "Phí, lệ phí", "Kết quả", "Căn cứ pháp lý"]
    assert [c.value for c in wb["Thủ tục"][1]][:3] == ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực"]

    report = import_file(path)
    assert report.total_changes == 0 and report.unchanged == len(SAMPLE)

    Procedure.objects.all().delete()
    report = import_file(path)
    assert report.created == len(SAMPLE)
    assert snapshot_catalogue() == before
    assert Procedure.objects.get(code="1.001193").demo_values == ["time_unit"]


def test_an_xlsx_export_writes_formula_like_text_as_literal_text_and_imports_it_back(tmp_path):
    from motcua.catalog.tests.factories import make_procedure

    make_procedure(
        code="9.000077",
        name='=HYPERLINK("http://ke-gian.example/","Bấm vào đây")',
        documents=[{"name": "@SUM(1,2)", "original_count": 1, "mandatory": True}],
    )
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)

    wb = load_workbook(path)
    name = wb["Thủ tục"]["B2"]
    document = next(c for c in wb["Thành phần hồ sơ"][2] if c.value == "@SUM(1,2)")
    for cell in (name, document):
        assert cell.data_type == "s" and cell.quotePrefix is True
    assert name.value == '=HYPERLINK("http://ke-gian.example/","Bấm vào đây")'
    [record] = records_from_xlsx(path)
    assert record.values["name"] == '=HYPERLINK("http://ke-gian.example/","Bấm vào đây")'
    assert record.values["documents"][0]["name"] == "@SUM(1,2)"


def test_an_xlsx_with_a_broken_row_changes_nothing_and_names_the_row_and_sheet(tmp_path):
    import_items(reference_items(*SAMPLE))
    before = snapshot_catalogue()
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    wb = load_workbook(path)
    ws = wb["Thủ tục"]
    ws["B2"] = "Tên đã sửa nhưng không được lưu"
    ws["A4"] = None
    docs = wb["Thành phần hồ sơ"]
    docs["D3"] = "hai"
    wb.save(path)
    with pytest.raises(InvalidInput) as exc:
        import_file(path)
    errors = exc.value.details["errors"]
    assert "Dòng 4 (sheet Thủ tục): mã thủ tục trống" in errors
    assert "Dòng 3 (sheet Thành phần hồ sơ): số bản chính phải là số nguyên (nhận được hai)" in errors
    assert snapshot_catalogue() == before


def test_an_xlsx_row_for_an_unknown_procedure_is_refused(tmp_path):
    import_items(reference_items("1.001193"))
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    wb = load_workbook(path)
    wb["Kết quả"].append(["9.999999", "KQ1", "Giấy gì đó"])
    wb.save(path)
    with pytest.raises(InvalidInput) as exc:
        records_from_xlsx(path)
    assert exc.value.details["errors"] == [
        f"Dòng {wb['Kết quả'].max_row} (sheet Kết quả): mã thủ tục 9.999999 không có trong sheet Thủ tục"
    ]


def test_the_import_command_reports_counts_and_a_broken_file_fails_with_the_row(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"procedures": reference_items("1.001193", "2.001610")}), encoding="utf-8")
    out = StringIO()
    call_command("catalog_import", str(path), "--dry-run", stdout=out)
    assert "(Chạy thử, không lưu) Tạo mới: 2" in out.getvalue()
    assert not Procedure.objects.exists()
    call_command("catalog_import", str(path), stdout=out)
    assert Procedure.objects.count() == 2

    broken = reference_items("1.001193")
    broken[0]["code"] = ""
    path.write_text(json.dumps({"procedures": broken}), encoding="utf-8")
    with pytest.raises(CommandError, match="Bản ghi 1: mã thủ tục trống"):
        call_command("catalog_import", str(path), stdout=out)

    xlsx = tmp_path / "out.xlsx"
    call_command("catalog_export", str(xlsx), stdout=out)
    assert "Đã xuất 2 thủ tục" in out.getvalue()


def test_documents_keep_copy_kinds_conditions_and_uploaded_templates_across_reimports():
    import_items(reference_items("1.004222"))
    procedure = Procedure.objects.get(code="1.004222")
    docs = list(procedure.documents.all())
    assert [d.code for d in docs[:3]] == ["TP01", "TP02", "TP03"]
    assert any(not d.mandatory for d in docs) and any(d.mandatory for d in docs)
    RequiredDocument.objects.filter(pk=docs[0].pk).update(template="catalog/forms/to-khai.docx")
    import_items(reference_items("1.004222"))
    assert RequiredDocument.objects.get(pk=docs[0].pk).template.name == "catalog/forms/to-khai.docx"
    fees = list(Fee.objects.filter(procedure=procedure).values_list("channel", "amount_vnd"))
    assert fees == [("online", 10000), ("counter", 20000)]


def test_the_reindex_command_rebuilds_search_after_a_bulk_load():
    from motcua.catalog.models import ProcedureToken, SearchTerm
    from motcua.catalog.selectors import procedure_search

    import_items(reference_items("1.001193", "1.000894"))
    ProcedureToken.objects.all().delete()
    SearchTerm.objects.all().delete()
    assert list(procedure_search(q="khai sinh")) == []
    out = StringIO()
    call_command("catalog_reindex", stdout=out)
    assert "Đã dựng lại chỉ mục" in out.getvalue()
    assert [p.code for p in procedure_search(q="khai sinh")] == ["1.001193"]
    assert SearchTerm.objects.get(term="dang").procedure_count == 2
