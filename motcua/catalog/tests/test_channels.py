"""Channels and alternatives of required documents, read from the real published texts
(issue 9, item 1): the classifier, its report, and their survival across export / import."""

from io import StringIO

import pytest
from django.core.management import call_command

from motcua.catalog import services
from motcua.catalog.channels import classify, documents_classify
from motcua.catalog.importing import export_xlsx, import_file, records_from_json
from motcua.catalog.models import Procedure, RequiredDocument
from motcua.catalog.tests.factories import import_items, reference_items

pytestmark = pytest.mark.django_db


def _documents(code: str) -> dict[str, dict]:
    """The documents of the real record ``code`` as the import reads and classifies them."""
    (record,) = records_from_json({"procedures": reference_items(code)})
    return {d["code"]: d for d in record.values["documents"]}


def test_birth_registration_e_form_is_online_only_the_paper_form_counter_and_post_the_id_counter():
    docs = _documents("1.001193")  # Thủ tục đăng ký khai sinh
    assert docs["TP08"]["name"].startswith("Mẫu hộ tịch điện tử tương tác đăng ký khai sinh")
    assert docs["TP08"]["channels"] == ["online"]
    assert docs["TP07"]["name"].startswith("Tờ khai đăng ký khai sinh theo mẫu")
    assert docs["TP07"]["channels"] == ["counter", "post"]
    assert docs["TP06"]["name"].startswith("Hộ chiếu/Thẻ căn cước công dân")
    assert docs["TP06"]["channels"] == ["counter"]
    assert "khi làm thủ tục trực tiếp" in docs["TP06"]["classification_note"]
    # Giấy chứng sinh, or the witness's statement, or the written commitment: any one.
    assert docs["TP04"]["channels"] == []
    assert docs["TP04"]["alternatives"] == [
        "Giấy chứng sinh",
        "Văn bản của người làm chứng xác nhận về việc sinh",
        "Giấy cam đoan về việc sinh",
    ]
    # The others apply whatever the channel and have no alternative.
    for code in ("TP01", "TP02", "TP03", "TP05"):
        assert docs[code]["channels"] == [] and docs[code]["alternatives"] == [], code


def test_a_death_registration_paper_form_for_the_counter_only_says_so():
    docs = _documents("1.000656")  # khai tử: "(nếu … theo hình thức trực tiếp)", no post
    assert docs["TP08"]["channels"] == ["counter"]
    assert docs["TP07"]["channels"] == ["online"]


def test_the_judicial_record_e_forms_are_online_and_their_paper_twins_counter_and_post():
    docs = _documents("3.000333")
    assert docs["TP07"]["channels"] == ["online"]  # Mẫu số 04/2025/LLTP, điện tử tương tác
    assert docs["TP02"]["channels"] == ["online"]  # Mẫu số 05/2025/LLTP, điện tử tương tác
    assert docs["TP04"]["channels"] == ["counter", "post"]  # Mẫu số 01/2025/LLTP, its paper twin
    assert "TP07" in docs["TP04"]["classification_note"]
    assert docs["TP01"]["channels"] == ["counter", "post"]  # Mẫu số 02/2025/LLTP, twin of TP02
    assert docs["TP03"]["channels"] == []  # the ID copy: every channel


def test_one_of_the_following_papers_is_a_requirement_with_alternatives():
    docs = _documents("2.000884")  # chứng thực chữ ký
    assert docs["TP01"]["alternatives"][0] == "Căn cước điện tử"
    assert docs["TP01"]["alternatives"][1].startswith("Bản chính hoặc bản sao của Thẻ căn cước công dân")
    assert len(docs["TP01"]["alternatives"]) == 2


def test_a_separate_document_replacing_the_birth_certificate_points_at_it():
    docs = _documents("2.000528")  # khai sinh có yếu tố nước ngoài
    assert docs["TP01"]["name"] == "Giấy Chứng sinh"
    assert docs["TP02"]["alternative_of"] == "TP01"
    # "văn bản nêu trên": which one is not said; the document is left as it is, to be reviewed.
    other = _documents("1.001022")["TP01"]
    assert other["alternative_of"] == "" and "cần xem lại" in other["classification_note"]


def test_a_text_without_any_of_these_phrases_is_not_classified():
    found = classify("Văn bản ủy quyền theo quy định của pháp luật (nếu có)")
    assert (found.channels, found.alternatives, found.alternative_of, found.note) == ([], [], "", "")


def test_the_report_lists_every_classified_document_and_how_and_writes_a_file(tmp_path):
    import_items(reference_items("1.001193", "3.000333", "1.004222"))
    out = StringIO()
    path = tmp_path / "phan-loai.txt"
    call_command("catalog_classify_documents", "--dry-run", "--output", str(path), stdout=out)
    text = out.getvalue()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("(Chạy thử, không lưu) Đã xét ")
    birth = [line for line in lines if line.startswith("1.001193 ")]
    assert [line.split()[1] for line in birth] == ["TP04", "TP06", "TP07", "TP08"]
    (tp08,) = [line for line in birth if line.startswith("1.001193 TP08 ")]
    assert "→ áp dụng: trực tuyến [tự động: mẫu điện tử tương tác: chỉ khi nộp trực tuyến]" in tp08
    (tp07,) = [line for line in birth if line.startswith("1.001193 TP07 ")]
    assert "áp dụng: trực tiếp hoặc qua bưu chính" in tp07
    (tp04,) = [line for line in birth if line.startswith("1.001193 TP04 ")]
    assert "thay thế nhau: Giấy chứng sinh | Văn bản của người làm chứng" in tp04
    judicial = [line.split()[1] for line in lines if line.startswith("3.000333 ")]
    assert judicial == ["TP01", "TP02", "TP04", "TP07"]
    assert not [line for line in lines if line.startswith("1.004222 ")]  # nothing to classify there
    assert f"Đã ghi báo cáo vào {path}." in text


def test_an_officers_correction_survives_a_json_reimport_and_an_xlsx_round_trip(tmp_path):
    import_items(reference_items("1.001193"))
    procedure = Procedure.objects.get(code="1.001193")
    # The officer decides the residence paper (TP05) is only asked at the counter.
    documents = services.document_dicts(procedure)
    for d in documents:
        if d["code"] == "TP05":
            d.update(channels=["counter"], classified_manually=True, classification_note="Cán bộ sửa")
    services.procedure_update(procedure=procedure, actor=None, documents=documents)
    before = services.document_dicts(procedure)

    report = import_items(reference_items("1.001193"))  # the automatic classification again
    assert report.total_changes == 0
    assert services.document_dicts(procedure) == before
    tp05 = RequiredDocument.objects.get(procedure=procedure, code="TP05")
    assert tp05.channels == ["counter"] and tp05.classified_manually

    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    assert import_file(path).total_changes == 0
    Procedure.objects.all().delete()
    import_file(path)
    restored = Procedure.objects.get(code="1.001193")
    assert services.document_dicts(restored) == before
    tp08 = RequiredDocument.objects.get(procedure=restored, code="TP08")
    assert tp08.channels == ["online"] and "điện tử tương tác" in tp08.classification_note
    tp04 = RequiredDocument.objects.get(procedure=restored, code="TP04")
    assert tp04.alternatives[1] == "Văn bản của người làm chứng xác nhận về việc sinh"


def test_classifying_a_stored_catalogue_fills_what_an_older_import_left_and_keeps_corrections():
    import_items(reference_items("1.001193"))
    procedure = Procedure.objects.get(code="1.001193")
    # As stored before this classification existed, except TP06, corrected by an officer.
    RequiredDocument.objects.filter(procedure=procedure).update(
        channels=[], alternatives=[], classification_note=""
    )
    RequiredDocument.objects.filter(procedure=procedure, code="TP06").update(
        channels=["counter", "online"], classified_manually=True
    )
    report = documents_classify(procedures=Procedure.objects.filter(pk=procedure.pk))
    assert report.changed == ["1.001193"]
    stored = {d.code: d for d in procedure.documents.all()}
    assert stored["TP08"].channels == ["online"]
    assert stored["TP07"].channels == ["counter", "post"]
    assert stored["TP06"].channels == ["counter", "online"]  # the officer's, kept
    assert len(stored["TP04"].alternatives) == 3
    assert documents_classify(procedures=Procedure.objects.filter(pk=procedure.pk)).changed == []


def test_an_xlsx_with_an_unknown_channel_changes_nothing_and_names_the_row(tmp_path):
    from openpyxl import load_workbook

    from motcua.lib.errors import InvalidInput

    import_items(reference_items("1.001193"))
    path = tmp_path / "catalog.xlsx"
    export_xlsx(path)
    wb = load_workbook(path)
    sheet = wb["Thành phần hồ sơ"]
    column = [c.value for c in sheet[1]].index("Hình thức nộp áp dụng") + 1
    sheet.cell(row=2, column=column, value="Fax")
    wb.save(path)
    before = services.document_dicts(Procedure.objects.get(code="1.001193"))
    with pytest.raises(InvalidInput) as exc:
        import_file(path)
    assert "Dòng 2 (sheet Thành phần hồ sơ): hình thức nộp áp dụng không hợp lệ" in exc.value.message
    assert services.document_dicts(Procedure.objects.get(code="1.001193")) == before


def test_the_public_procedure_page_says_which_documents_are_for_which_channel_and_shows_alternatives(client):
    import unicodedata

    import_items(reference_items("1.001193"))
    response = client.get("/thu-tuc/1.001193/")
    assert response.status_code == 200
    html = unicodedata.normalize("NFC", response.content.decode())
    section = html.split('id="thanh-phan"', 1)[1].split("</section>", 1)[0]
    rows = section.split("<tr>")[2:]  # header row first
    by_start = {row.split("<td>", 1)[1][:20]: row for row in rows}
    assert "Chỉ khi nộp trực tuyến" in by_start["Mẫu hộ tịch điện tử "]
    assert "Chỉ khi nộp trực tiếp hoặc qua bưu chính" in by_start["Tờ khai đăng ký khai"]
    assert "Chỉ khi nộp trực tiếp</span>" in by_start["Hộ chiếu/Thẻ căn cướ"]
    assert "Chỉ khi nộp" not in by_start["Giấy chứng sinh; trư"]
    assert (
        "Nộp một trong các giấy tờ:</p><ul><li>Giấy chứng sinh</li><li>Văn bản của người làm chứng xác nhận "
        "về việc sinh</li><li>Giấy cam đoan về việc sinh</li></ul>"
    ) in by_start["Giấy chứng sinh; trư"]


def test_the_import_command_writes_the_classification_report_when_asked(tmp_path):
    import json

    path = tmp_path / "p.json"
    path.write_text(json.dumps({"procedures": reference_items("1.001193")}), encoding="utf-8")
    report = tmp_path / "bao-cao.txt"
    out = StringIO()
    call_command("catalog_import", str(path), "--classification-report", str(report), stdout=out)
    lines = report.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Đã xét 8 thành phần hồ sơ; phân loại 4:")
    assert [line.split()[1] for line in lines[1:]] == ["TP04", "TP06", "TP07", "TP08"]
    assert f"Báo cáo phân loại: {report}." in out.getvalue()
