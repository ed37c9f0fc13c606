"""Reception checks completeness for the dossier's channel (issue 9, item 1), with the real
documents of "Thủ tục đăng ký khai sinh" (1.001193) as the import classifies them:

TP04 Giấy chứng sinh (or the witness's statement, or the written commitment) — every channel;
TP06 the ID paper "khi làm thủ tục trực tiếp" — counter only; TP07 the paper declaration —
counter and post; TP08 the interactive e-form — online only. TP01–TP03 and TP05 are conditional.
"""

import json

import pytest
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.audit.models import AuditEvent
from motcua.catalog import services as catalog_services
from motcua.catalog.importing import records_from_json
from motcua.catalog.tests.factories import make_field, reference_items
from motcua.dossiers import printing, services
from motcua.dossiers.forms.counter import IntakeForm
from motcua.dossiers.models import DailySequence, Dossier, DossierDocument
from motcua.dossiers.services import DocumentInput
from motcua.dossiers.tests.conftest import intake
from motcua.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"
E_FORM = "TP08"


def _real_documents(code: str) -> list[dict]:
    (record,) = records_from_json({"procedures": reference_items(code)})
    return record.values["documents"]


def _offer(world, code: str, name: str):
    procedure = catalog_services.procedure_create(
        actor=None,
        code=code,
        name=name,
        field=make_field(),
        level="commune",
        processing_time=3,
        time_unit="working_days",
        fees=[{"amount_vnd": 0, "text": "Miễn lệ phí"}],
        documents=_real_documents(code),
        results=[{"code": "KQ1", "name": "Giấy khai sinh"}],
    )
    catalog_services.offering_create(agency=world.tree.commune_a, procedure=procedure, actor=None)
    return procedure


@pytest.fixture
def birth(world):
    return _offer(world, BIRTH, "Thủ tục đăng ký khai sinh")


def _birth(channel: int = 1, documents=None, **kw):
    if documents is None:
        documents = [DocumentInput("TP04"), DocumentInput("TP06"), DocumentInput("TP07")]
    return intake(procedure=BIRTH, channel=channel, documents=documents, **kw)


def _nothing_written():
    assert Dossier.objects.count() == 0
    assert DailySequence.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="dossier.").exists()


# -- the service ------------------------------------------------------------------------------


def test_a_counter_reception_without_the_e_form_lists_on_mau_01_exactly_what_was_handed_in(
    world, birth, frozen
):
    documents = [DocumentInput("TP04", alternative=2), DocumentInput("TP06"), DocumentInput("TP07")]
    dossier = services.dossier_receive(actor=world.receptionist, data=_birth(documents=documents))
    rows = list(DossierDocument.objects.filter(dossier=dossier).values_list("requirement_code", "name"))
    assert [code for code, _ in rows] == ["TP04", "TP06", "TP07"]
    # The paper received, not the requirement's whole sentence.
    assert rows[0][1] == "Văn bản của người làm chứng xác nhận về việc sinh"
    assert rows[2][1].startswith("Tờ khai đăng ký khai sinh theo mẫu")
    names = [row["name"] for row in printing.document_rows(dossier)]
    assert names == [name for _, name in rows]
    html = printing.form_html("01", dossier)
    assert "Văn bản của người làm chứng xác nhận về việc sinh" in html
    assert "điện tử tương tác" not in html
    # The snapshot keeps the catalogue's documents as they applied at reception.
    snapshot = dossier.procedure_snapshot
    assert snapshot["channel"] == "counter"
    by_code = {d["code"]: d for d in snapshot["documents"]}
    assert by_code[E_FORM]["channels"] == ["online"]
    assert by_code["TP07"]["channels"] == ["counter", "post"]
    assert by_code["TP06"]["channels"] == ["counter"]
    assert by_code["TP04"]["alternatives"][2] == "Giấy cam đoan về việc sinh"


def test_a_counter_reception_without_the_paper_declaration_is_refused_naming_it(world, birth, frozen):
    with pytest.raises(InvalidInput) as exc:
        services.dossier_receive(
            actor=world.receptionist, data=_birth(documents=[DocumentInput("TP04"), DocumentInput("TP06")])
        )
    assert exc.value.code == "documents_missing"
    assert exc.value.details["missing"] == ["TP07"]
    assert exc.value.message.startswith(
        "Hồ sơ nộp trực tiếp chưa đủ giấy tờ bắt buộc: TP07 – Tờ khai đăng ký khai sinh theo mẫu"
    )
    _nothing_written()


def test_a_counter_reception_missing_the_birth_certificate_names_its_alternatives(world, birth, frozen):
    with pytest.raises(InvalidInput) as exc:
        services.dossier_receive(
            actor=world.receptionist, data=_birth(documents=[DocumentInput("TP06"), DocumentInput("TP07")])
        )
    assert exc.value.details["missing"] == ["TP04"]
    assert "TP04 – Giấy chứng sinh hoặc Văn bản của người làm chứng xác nhận về việc sinh hoặc" in (
        exc.value.message
    )
    _nothing_written()


def test_the_e_form_is_not_received_at_the_counter(world, birth, frozen):
    documents = [DocumentInput("TP04"), DocumentInput("TP06"), DocumentInput("TP07"), DocumentInput(E_FORM)]
    with pytest.raises(InvalidInput) as exc:
        services.dossier_receive(actor=world.receptionist, data=_birth(documents=documents))
    assert exc.value.code == "document_not_for_channel"
    assert exc.value.message.startswith("TP08 (Mẫu hộ tịch điện tử tương tác đăng ký khai sinh")
    assert exc.value.message.endswith("chỉ áp dụng khi nộp trực tuyến, không thuộc hồ sơ nộp trực tiếp.")
    _nothing_written()


def test_by_post_the_paper_declaration_is_needed_but_not_the_id_paper(world, birth, frozen):
    with pytest.raises(InvalidInput) as exc:
        services.dossier_receive(
            actor=world.receptionist, data=_birth(channel=3, documents=[DocumentInput("TP04")])
        )
    assert exc.value.details["missing"] == ["TP07"]
    assert exc.value.message.startswith("Hồ sơ gửi qua bưu chính chưa đủ giấy tờ bắt buộc: TP07")
    with pytest.raises(InvalidInput, match="TP06 .* chỉ áp dụng khi nộp trực tiếp"):
        services.dossier_receive(
            actor=world.receptionist,
            data=_birth(
                channel=3, documents=[DocumentInput("TP04"), DocumentInput("TP06"), DocumentInput("TP07")]
            ),
        )
    dossier = services.dossier_receive(
        actor=world.receptionist,
        data=_birth(channel=3, documents=[DocumentInput("TP04"), DocumentInput("TP07")]),
    )
    assert dossier.state == Dossier.State.RECEIVED


def test_online_the_e_form_is_needed_and_the_paper_declaration_is_not(world, birth, frozen):
    # An incomplete online dossier is refused at submission, named as reception names it.
    with pytest.raises(InvalidInput) as exc:
        services.dossier_submit_online(
            citizen=world.citizen, data=_birth(channel=2, documents=[DocumentInput("TP04")])
        )
    assert exc.value.details["missing"] == [E_FORM]
    assert exc.value.message.startswith("Hồ sơ nộp trực tuyến chưa đủ giấy tờ bắt buộc: TP08")
    assert not Dossier.objects.exists()

    complete = services.dossier_submit_online(
        citizen=world.citizen,
        data=_birth(channel=2, documents=[DocumentInput("TP04"), DocumentInput(E_FORM)]),
    )
    received = services.dossier_receive(
        actor=world.receptionist, dossier=complete, expected_version=complete.version
    )
    assert received.state == Dossier.State.RECEIVED
    assert received.procedure_snapshot["channel"] == "online"


def test_an_alternative_that_does_not_exist_is_refused_listing_the_choices(world, birth, frozen):
    with pytest.raises(InvalidInput) as exc:
        services.dossier_receive(
            actor=world.receptionist,
            data=_birth(
                documents=[DocumentInput("TP04", alternative=4), DocumentInput("TP06"), DocumentInput("TP07")]
            ),
        )
    assert exc.value.code == "document_alternative_invalid"
    assert exc.value.message == (
        "Giấy tờ thay thế số “4” của TP04 không hợp lệ: chọn 1 – Giấy chứng sinh; 2 – Văn bản của người "
        "làm chứng xác nhận về việc sinh; 3 – Giấy cam đoan về việc sinh."
    )
    _nothing_written()


def test_a_document_that_replaces_the_birth_certificate_satisfies_it(world, frozen):
    # 2.000528 (khai sinh có yếu tố nước ngoài): TP01 "Giấy Chứng sinh", TP02 "Trường hợp không
    # có Giấy chứng sinh thì thay thế bằng …"; TP08 the ID paper, TP10 the paper declaration.
    procedure = _offer(world, "2.000528", "Thủ tục đăng ký khai sinh có yếu tố nước ngoài")
    base = [DocumentInput("TP08"), DocumentInput("TP10")]
    data = intake(procedure=procedure.code, documents=base)
    with pytest.raises(InvalidInput) as exc:
        services.dossier_receive(actor=world.receptionist, data=data)
    assert exc.value.details["missing"] == ["TP01"]
    data = intake(procedure=procedure.code, documents=[DocumentInput("TP02"), *base])
    dossier = services.dossier_receive(actor=world.receptionist, data=data)
    assert list(dossier.documents.values_list("requirement_code", flat=True)) == ["TP02", "TP08", "TP10"]


# -- the counter form -------------------------------------------------------------------------


def _form_data(**extra) -> dict:
    data = {
        "action": "receive",
        "kind": "person",
        "full_name": "Phạm Thị Hồng Nhung",
        "citizen_id": "001190012345",
        "date_of_birth": "12/03/1990",
        "result_delivery": "counter",
    }
    for n in range(1, 9):  # every line's copy kind and count, as the page posts them
        data.update({f"tp_tp0{n}_copy_kind": "original", f"tp_tp0{n}_count": "1"})
    data.update(extra)
    return data


def test_the_counter_checklist_offers_no_e_form_and_the_birth_certificate_as_one_line_with_a_choice(
    world, birth
):
    form = IntakeForm(procedure=birth)
    rows = {row.document.code: row for row in form.document_rows()}
    assert sorted(rows) == ["TP01", "TP02", "TP03", "TP04", "TP05", "TP06", "TP07"]
    assert rows["TP04"].alternative is not None and rows["TP04"].mandatory
    assert [label for _, label in rows["TP04"].alternative.field.choices] == [
        "Giấy chứng sinh",
        "Văn bản của người làm chứng xác nhận về việc sinh",
        "Giấy cam đoan về việc sinh",
    ]
    assert rows["TP07"].alternative is None and rows["TP07"].mandatory
    # Online, the same procedure's checklist is the e-form's, without the counter's papers.
    online = IntakeForm(procedure=birth, channel=Dossier.Channel.ONLINE)
    assert E_FORM in {row.document.code for row in online.document_rows()}
    assert not {"TP06", "TP07"} & {row.document.code for row in online.document_rows()}


def test_the_counter_form_refuses_a_reception_without_the_paper_declaration(world, birth):
    form = IntakeForm(
        _form_data(tp_tp04_received="on", tp_tp04_alternative="3", tp_tp06_received="on"), procedure=birth
    )
    assert not form.is_valid()
    assert form.errors["tp_tp07_received"] == ["Giấy tờ bắt buộc chưa nhận."]
    assert form.non_field_errors()[0].startswith(
        "Hồ sơ nộp trực tiếp chưa đủ giấy tờ bắt buộc: TP07 – Tờ khai đăng ký khai sinh theo mẫu"
    )
    assert "tp_tp04_received" not in form.errors and "tp_tp06_received" not in form.errors


def test_the_counter_form_sends_the_alternative_chosen(world, birth):
    form = IntakeForm(
        _form_data(
            tp_tp04_received="on", tp_tp04_alternative="3", tp_tp06_received="on", tp_tp07_received="on"
        ),
        procedure=birth,
    )
    assert form.is_valid(), form.errors
    assert [(d.requirement, d.alternative) for d in form.document_inputs()] == [
        ("TP04", 3),
        ("TP06", None),
        ("TP07", None),
    ]


def test_a_posted_e_form_is_ignored_by_the_counter_form(world, birth):
    form = IntakeForm(
        _form_data(
            tp_tp04_received="on",
            tp_tp04_alternative="1",
            tp_tp06_received="on",
            tp_tp07_received="on",
            tp_tp08_received="on",
        ),
        procedure=birth,
    )
    assert form.is_valid(), form.errors
    assert E_FORM not in [d.requirement for d in form.document_inputs()]


def test_the_counter_page_receives_without_the_e_form_and_shows_the_services_message(world, birth, frozen):
    client = Client()
    client.force_login(world.receptionist)
    url = "/quay/tiep-nhan/"
    page = client.get(url, {"thu-tuc": BIRTH})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mẫu hộ tịch điện tử tương tác" not in html
    assert "Nộp một trong các giấy tờ sau – giấy tờ đã nhận:" in html
    data = _form_data(procedure=BIRTH, tp_tp04_received="on", tp_tp04_alternative="1", tp_tp06_received="on")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Giấy tờ bắt buộc chưa nhận." in response.content.decode()
    _nothing_written()
    response = client.post(url, {**data, "tp_tp07_received": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    (dossier,) = Dossier.objects.all()
    assert list(dossier.documents.values_list("name", flat=True))[0] == "Giấy chứng sinh"


# -- the API ----------------------------------------------------------------------------------


def _api_post(world, documents, channel=1):
    raw = api_token_create(user=world.receptionist, name="thử nghiệm")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "procedure": BIRTH,
        "receiving_agency": world.tree.one_stop_a.code,
        "channel": channel,
        "result_delivery": "counter",
        "applicant": {
            "kind": "person",
            "full_name": "Phạm Thị Hồng Nhung",
            "citizen_id": "001190012345",
            "date_of_birth": "1990-03-12",
        },
        "documents": documents,
    }
    return client.post("/api/v1/dossiers", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("documents", "code", "words"),
    [
        (
            [{"requirement": "TP04"}, {"requirement": "TP06"}],
            "documents_missing",
            "Hồ sơ nộp trực tiếp chưa đủ giấy tờ bắt buộc: TP07 – Tờ khai đăng ký khai sinh",
        ),
        (
            [
                {"requirement": "TP04"},
                {"requirement": "TP06"},
                {"requirement": "TP07"},
                {"requirement": "TP08"},
            ],
            "document_not_for_channel",
            "chỉ áp dụng khi nộp trực tuyến, không thuộc hồ sơ nộp trực tiếp",
        ),
        (
            [{"requirement": "TP04", "alternative": 7}, {"requirement": "TP06"}, {"requirement": "TP07"}],
            "document_alternative_invalid",
            "Giấy tờ thay thế số “7” của TP04 không hợp lệ",
        ),
    ],
)
def test_the_api_answers_400_naming_what_the_channel_lacks_and_writes_nothing(
    world, birth, frozen, documents, code, words
):
    response = _api_post(world, documents)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code
    assert words in body["message"]
    _nothing_written()


def test_the_api_receives_with_the_alternative_chosen(world, birth, frozen):
    response = _api_post(
        world, [{"requirement": "TP04", "alternative": 2}, {"requirement": "TP06"}, {"requirement": "TP07"}]
    )
    assert response.status_code == 201, response.content
    (dossier,) = Dossier.objects.all()
    assert dossier.documents.first().name == "Văn bản của người làm chứng xác nhận về việc sinh"
