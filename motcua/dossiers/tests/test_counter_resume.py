"""The citizen guided at reception comes back (issue 9, item 2): the same dossier is received
under its own code, the appointment counts from that reception; a second guidance is flagged;
a guidance never completed is closed and never counted as received. The counter's lists
("Chờ công dân", results waiting long) and the return page's missing step."""

import io

import pytest
from django.core.management import call_command

from motcua.audit.models import AuditEvent
from motcua.catalog import services as catalog_services
from motcua.dossiers import services, tracking
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import DocumentInput
from motcua.dossiers.tests.conftest import AT_APPROVAL, advance, intake, vn
from motcua.dossiers.tests.test_counter import form_data
from motcua.lib.errors import Conflict, InvalidInput

pytestmark = pytest.mark.django_db

S = Dossier.State
TODAY = "/quay/"
RETURN = "/quay/tra-ket-qua/"
# Friday 6 March 2026, 16:10: the officer guides Nguyễn Thị Hoa (TP02 missing).
FRIDAY_1610 = vn(2026, 3, 6, 16, 10)
# Tuesday 10 March 2026, 09:00: she comes back with it.
TUESDAY_0900 = vn(2026, 3, 10, 9, 0)


def resume_url(dossier) -> str:
    return f"/quay/ho-so/{dossier.code}/tiep-nhan-lai/"


@pytest.fixture
def officer(world, client):
    client.force_login(world.receptionist)
    return client


@pytest.fixture
def guided(world, frozen):
    """Guided on Friday 6 March 2026 at 16:10, TP01 handed in, TP02 missing."""
    frozen.move_to(FRIDAY_1610)
    return advance(world, S.INTAKE_SUPPLEMENT)


def resume_post(dossier, **overrides):
    return form_data(**{"version": dossier.version, **overrides})


# ---------------------------------------------------------------------------------------------
# The worked example


def test_the_guided_citizen_returns_on_tuesday_and_the_appointment_counts_from_tuesday(
    officer, world, frozen, guided
):
    code = guided.code
    frozen.move_to(TUESDAY_0900)
    page = officer.get(resume_url(guided))
    assert page.status_code == 200
    form = page.context["form"]
    # The checklist and the applicant come pre-filled from the dossier.
    assert form.initial["tp_tp01_received"] is True and "tp_tp02_received" not in form.initial
    assert form.initial["full_name"] == "Nguyễn Thị Hoa" and form.initial["citizen_id"] == "001190012345"
    body = page.content.decode()
    assert f'Tiếp nhận hồ sơ bổ sung <span class="dossier-code">{code}</span>' in body
    assert "Hướng dẫn ngày 06/03/2026 16:10" in body and "Giấy xác nhận tình trạng hôn nhân" in body
    assert f'action="/quay/ho-so/{code}/tiep-nhan-lai/"' in body

    response = officer.post(resume_url(guided), resume_post(guided))
    assert response.status_code == 302
    d = Dossier.objects.get(pk=guided.pk)
    assert response["Location"] == f"/quay/tiep-nhan/{d.uid}/"
    assert d.code == code and Dossier.objects.count() == 1  # same code, no new dossier
    assert (d.state, d.status_code) == (S.RECEIVED, 2)
    assert d.received_at == TUESDAY_0900 and d.clock_started_at == TUESDAY_0900
    # 5 working days from Tuesday 09:00 (counted from Friday 16:10 it would be Friday 13 March).
    assert d.due_at == vn(2026, 3, 17, 9, 0)
    assert sorted(d.documents.values_list("requirement_code", flat=True)) == ["TP01", "TP02"]
    assert d.pauses.get().ended_at == TUESDAY_0900
    event = d.events.get(action="receive")
    assert event.data["after_guidance"] is True and event.data["guidances"] == 1
    assert "hướng dẫn ngày 06/03/2026" in event.note
    done = officer.get(response["Location"]).content.decode()
    assert "In Mẫu 01: giấy tiếp nhận và hẹn trả" in done and code in done
    # The citizen tracks it with the code and the PIN of the receipt.
    tracked = tracking.track(code, d.pin, ip="127.0.0.1")
    assert tracked is not None and tracked.code == code


def test_the_resume_page_is_found_by_code_or_by_a_scanned_form(officer, guided):
    found = officer.get("/quay/tiep-nhan-lai/", {"ma": guided.code.lower()})
    assert found.status_code == 302 and found["Location"] == resume_url(guided)
    scanned = officer.get("/quay/tiep-nhan-lai/", {"ma": f"https://dvc.example.vn/tra-cuu/?ma={guided.code}"})
    assert scanned["Location"] == resume_url(guided)
    missing = officer.get("/quay/tiep-nhan-lai/", {"ma": "000.01.31.H99-260306-0099"})
    assert missing.status_code == 404
    assert "Không tìm thấy hồ sơ mã “000.01.31.H99-260306-0099”" in missing.content.decode()
    assert officer.get("/quay/tiep-nhan-lai/").status_code == 400


def test_the_service_receives_the_guided_dossier_with_the_checklist_of_what_arrived(world, frozen, guided):
    frozen.move_to(TUESDAY_0900)
    d = services.dossier_receive(
        actor=world.receptionist, dossier=guided, expected_version=guided.version, data=intake(world)
    )
    assert d.code == guided.code and d.received_at == TUESDAY_0900
    audit = AuditEvent.objects.filter(action="dossier.receive").get()
    assert audit.extra["after_guidance"] is True and audit.after["state"] == S.RECEIVED


# ---------------------------------------------------------------------------------------------
# A second guidance


def test_a_second_guidance_is_allowed_but_flagged_and_shown_in_the_history(officer, world, frozen, guided):
    frozen.move_to(TUESDAY_0900)
    response = officer.post(
        resume_url(guided),
        resume_post(
            guided,
            action="supplement",
            tp_tp02_received=None,
            item_0_name="Giấy xác nhận tình trạng hôn nhân",
            item_0_reason="Bản mang đến đã hết hạn",
        ),
    )
    assert response.status_code == 302
    d = Dossier.objects.get(pk=guided.pk)
    assert d.code == guided.code and d.state == S.INTAKE_SUPPLEMENT and d.received_at is None
    second = d.events.filter(action="request-supplement").get()
    assert second.data["guidance"] == 2 and second.data["repeat_guidance"] is True
    assert second.note.startswith("Hướng dẫn bổ sung lần thứ 2")
    audit = AuditEvent.objects.filter(action="dossier.request_supplement").order_by("seq").last()
    assert audit.extra["repeat_guidance"] is True
    assert list(d.pauses.order_by("started_at").values_list("ended_at", flat=True)) == [TUESDAY_0900, None]
    history = officer.get(f"/xu-ly/ho-so/{d.code}/").content.decode()
    assert "Hướng dẫn bổ sung lần thứ 2" in history
    # The citizen is told again what to bring.
    page = officer.get(resume_url(d)).content.decode()
    assert "Hồ sơ đã được hướng dẫn bổ sung 2 lần" in page and "Bản mang đến đã hết hạn" in page
    # She comes back on Thursday with everything: received, the event counts both guidances.
    frozen.move_to(vn(2026, 3, 12, 8, 0))
    d = services.dossier_receive(
        actor=world.receptionist, dossier=d, expected_version=d.version, data=intake(world)
    )
    assert d.events.get(action="receive").data["guidances"] == 2
    assert d.due_at == vn(2026, 3, 19, 8, 0)


def test_the_first_guidance_is_not_flagged(guided):
    first = guided.events.get()
    assert first.data["guidance"] == 1 and "repeat_guidance" not in first.data


# ---------------------------------------------------------------------------------------------
# Bad input: nothing changes


def test_a_dossier_not_waiting_for_a_supplement_cannot_be_received_again(officer, world, received):
    page = officer.get(resume_url(received))
    assert page.status_code == 409
    assert "không chờ bổ sung khi tiếp nhận" in page.content.decode()
    before = Dossier.objects.values().get(pk=received.pk)
    response = officer.post(resume_url(received), resume_post(received))
    assert response.status_code == 409
    assert Dossier.objects.values().get(pk=received.pk) == before
    with pytest.raises(Conflict) as caught:
        services.dossier_receive(
            actor=world.receptionist, dossier=received, expected_version=received.version, data=intake(world)
        )
    assert caught.value.code == "wrong_state"
    assert Dossier.objects.values().get(pk=received.pk) == before


def test_a_checklist_still_missing_a_document_is_refused_with_the_document_named(officer, frozen, guided):
    frozen.move_to(TUESDAY_0900)
    response = officer.post(resume_url(guided), resume_post(guided, tp_tp02_received=None))
    assert response.status_code == 400
    assert response.context["form"].errors
    d = Dossier.objects.get(pk=guided.pk)
    assert (d.state, d.version, d.received_at) == (S.INTAKE_SUPPLEMENT, guided.version, None)


def test_a_stale_page_is_told_to_reload_and_nothing_changes(officer, frozen, guided):
    frozen.move_to(TUESDAY_0900)
    response = officer.post(resume_url(guided), resume_post(guided, version=guided.version - 1))
    assert response.status_code == 302 and response["Location"] == resume_url(guided)
    d = Dossier.objects.get(pk=guided.pk)
    assert (d.state, d.version) == (S.INTAKE_SUPPLEMENT, guided.version)


def test_another_procedure_is_a_new_dossier_not_this_one(world, frozen, guided):
    other = catalog_services.procedure_create(
        actor=None,
        code="9.000102",
        name="Thủ tục đăng ký khai sinh",
        field=world.procedure.field,
        level="commune",
        processing_time=1,
        time_unit="working_days",
        fees=[{"amount_vnd": 0, "text": "Miễn lệ phí"}],
        documents=[{"code": "TP01", "name": "Tờ khai", "original_count": 1, "mandatory": True}],
        results=[{"code": "KQ1", "name": "Giấy khai sinh"}],
    )
    catalog_services.offering_create(agency=world.tree.commune_a, procedure=other, actor=None)
    with pytest.raises(InvalidInput) as caught:
        services.dossier_receive(
            actor=world.receptionist,
            dossier=guided,
            expected_version=guided.version,
            data=intake(world, procedure="9.000102", documents=[DocumentInput("TP01")]),
        )
    assert caught.value.code == "procedure_mismatch"
    assert "thủ tục khác phải tiếp nhận thành hồ sơ mới" in caught.value.message
    d = Dossier.objects.get(pk=guided.pk)
    assert (d.state, d.version, d.procedure_id) == (S.INTAKE_SUPPLEMENT, guided.version, world.procedure.pk)


def test_an_officer_of_another_commune_cannot_reopen_it(client, world, guided):
    client.force_login(world.outsider)
    response = client.get(resume_url(guided))
    assert response.status_code == 404
    assert Dossier.objects.get(pk=guided.pk).version == guided.version


def test_without_the_checklist_the_dossier_page_says_where_to_tick_what_arrived(world, guided):
    with pytest.raises(InvalidInput) as caught:
        services.dossier_receive(actor=world.receptionist, dossier=guided, expected_version=guided.version)
    assert "Tiếp nhận hồ sơ bổ sung" in caught.value.message


# ---------------------------------------------------------------------------------------------
# Closing a guidance never completed


def run_close(*args) -> str:
    out = io.StringIO()
    call_command("close_expired_guidance", *args, stdout=out)
    return out.getvalue()


def test_a_guidance_never_completed_is_closed_after_30_days_and_never_counted_as_received(
    world, frozen, guided
):
    other = advance(world, S.RECEIVED)  # received the same Friday: untouched
    frozen.move_to(vn(2026, 4, 5, 16, 9))  # 30 days less a minute
    assert "Không có hồ sơ nào" in run_close()
    assert Dossier.objects.get(pk=guided.pk).state == S.INTAKE_SUPPLEMENT
    frozen.move_to(vn(2026, 4, 5, 16, 10))
    assert "(chạy thử)" in run_close("--dry-run") and guided.code in run_close("--dry-run")
    assert Dossier.objects.get(pk=guided.pk).state == S.INTAKE_SUPPLEMENT
    out = run_close()
    assert f"Đã đóng 1 hồ sơ quá 30 ngày chưa bổ sung:\n  {guided.code}" in out
    d = Dossier.objects.get(pk=guided.pk)
    assert (d.state, d.status_code, d.received_at, d.due_at) == (S.REFUSED, 3, None, None)
    assert d.closed_at == vn(2026, 4, 5, 16, 10)
    assert d.pauses.get().ended_at == vn(2026, 4, 5, 16, 10)
    event = d.events.get(action="close-guidance")
    assert event.actor is None and event.data["expired"] is True
    assert "Quá 30 ngày kể từ ngày hướng dẫn bổ sung (06/03/2026)" in event.note
    # Never received: no status 2 in its history, not among the received dossiers.
    assert not DossierEvent.objects.filter(dossier=d, status_code=2).exists()
    assert list(Dossier.objects.filter(received_at__isnull=False)) == [other]
    assert AuditEvent.objects.filter(action="dossier.close_guidance", actor__isnull=True).count() == 1
    # Idempotent: run again, nothing changes.
    version = d.version
    assert "Không có hồ sơ nào" in run_close()
    assert Dossier.objects.get(pk=guided.pk).version == version
    assert services.dossier_close_guidance(dossier=d.code) is None
    assert Dossier.objects.get(pk=other.pk).state == S.RECEIVED


def test_the_expiry_is_a_setting(world, frozen, guided, settings):
    settings.MOTCUA_INTAKE_SUPPLEMENT_EXPIRY_DAYS = 7
    frozen.move_to(vn(2026, 3, 13, 16, 9))
    assert "Không có hồ sơ nào quá 7 ngày" in run_close()
    frozen.move_to(vn(2026, 3, 13, 16, 10))
    assert guided.code in run_close()
    assert Dossier.objects.get(pk=guided.pk).state == S.REFUSED


def test_a_second_guidance_restarts_the_waiting_time(world, frozen, guided):
    frozen.move_to(vn(2026, 3, 20, 8, 0))
    d = services.dossier_request_supplement(
        actor=world.receptionist,
        dossier=guided,
        expected_version=guided.version,
        items=[services.SupplementItem("Tờ khai", "Thiếu chữ ký")],
    )
    frozen.move_to(vn(2026, 4, 10, 8, 0))  # 35 days after the first, 21 after the second
    assert "Không có hồ sơ nào" in run_close()
    assert Dossier.objects.get(pk=d.pk).state == S.INTAKE_SUPPLEMENT


# ---------------------------------------------------------------------------------------------
# The counter's lists


def test_the_counter_lists_what_waits_for_the_citizen_with_how_long(officer, world, frozen):
    frozen.move_to(vn(2026, 3, 2, 8, 0))
    submitted = advance(world, S.SUBMITTED)
    frozen.move_to(vn(2026, 3, 3, 8, 0))
    guided = advance(world, S.INTAKE_SUPPLEMENT)
    frozen.move_to(vn(2026, 3, 4, 8, 0))
    supplement = advance(world, S.SUPPLEMENT)
    payment = advance(world, S.PAYMENT)
    processing = advance(world, S.PROCESSING)
    frozen.move_to(vn(2026, 3, 6, 10, 0))
    page = officer.get(TODAY)
    rows = {slug: rows for slug, _t, _e, _k, rows in page.context["sections"]}["cho-cong-dan"]
    # The online submission waits for the counter (its online inbox), not for the citizen.
    assert [r["d"] for r in rows] == [guided, supplement, payment]
    assert submitted not in [r["d"] for r in rows] and processing not in [r["d"] for r in rows]
    assert [r["waited_days"] for r in rows] == [3, 2, 2]
    assert rows[0]["expires_at"] == vn(2026, 4, 2, 8, 0)
    body = page.content.decode()
    assert (
        "Chờ công dân" in body and "Bổ sung giấy tờ để được tiếp nhận" in body and "Nộp phí, lệ phí" in body
    )
    assert "Tự đóng nếu chưa bổ sung: 02/04/2026" in body
    assert f'href="{resume_url(guided)}"' in body
    # Another commune's officer sees none of them.
    officer.force_login(world.outsider)
    rows = {slug: rows for slug, _t, _e, _k, rows in officer.get(TODAY).context["sections"]}["cho-cong-dan"]
    assert rows == []


def test_a_result_waiting_ten_working_days_is_marked(officer, world, frozen):
    frozen.move_to(vn(2026, 3, 2, 8, 0))
    waiting = advance(world, S.FINISHED)
    ready = waiting.finished_at
    assert ready == vn(2026, 3, 2, 8, 0)
    # Nine working days later (Friday 13 March, 08:00): not yet.
    frozen.move_to(vn(2026, 3, 13, 8, 0))
    rows = {slug: rows for slug, _t, _e, _k, rows in officer.get(TODAY).context["sections"]}["cho-tra"]
    assert [r["waiting_long"] for r in rows] == [False]
    # Ten working days (Monday 16 March, 08:00): marked.
    frozen.move_to(vn(2026, 3, 16, 8, 0))
    page = officer.get(TODAY)
    rows = {slug: rows for slug, _t, _e, _k, rows in page.context["sections"]}["cho-tra"]
    assert [r["waiting_long"] for r in rows] == [True]
    assert '0 ngày <span class="badge badge-warn">Chờ nhận lâu</span>' not in page.content.decode()
    assert '14 ngày <span class="badge badge-warn">Chờ nhận lâu</span>' in page.content.decode()


# ---------------------------------------------------------------------------------------------
# The return page offers the missing step


def test_an_approved_dossier_not_finished_offers_the_missing_step_at_the_return_page(officer, world, frozen):
    d = advance(world, S.APPROVED)
    page = officer.get(RETURN, {"ma": d.code})
    body = page.content.decode()
    assert page.context["form"] is None
    assert "chưa “Hoàn thành kết quả”" in body
    assert 'action="/quay/tra-ket-qua/hoan-thanh/"' in body
    response = officer.post("/quay/tra-ket-qua/hoan-thanh/", {"code": d.code, "version": d.version})
    assert response.status_code == 302 and response["Location"] == f"{RETURN}?ma={d.code}"
    d.refresh_from_db()
    assert d.state == S.FINISHED
    page = officer.get(RETURN, {"ma": d.code})
    assert page.context["form"] is not None  # now it can be returned


def test_finishing_from_a_stale_return_page_changes_nothing(officer, world, frozen):
    d = advance(world, S.APPROVED)
    response = officer.post("/quay/tra-ket-qua/hoan-thanh/", {"code": d.code, "version": d.version - 1})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).state == S.APPROVED


def test_a_guided_dossier_at_the_return_page_offers_the_resume(officer, guided):
    body = officer.get(RETURN, {"ma": guided.code}).content.decode()
    assert "chưa được tiếp nhận" in body and f'href="{resume_url(guided)}"' in body


def test_a_rejected_dossier_is_returned_as_not_granted_with_its_reason(officer, world, frozen):
    d = advance(world, AT_APPROVAL)
    d = services.dossier_reject(
        actor=world.leader, dossier=d, expected_version=d.version, reason="Chưa đủ tuổi kết hôn"
    )
    page = officer.get(RETURN, {"ma": d.code})
    body = page.content.decode()
    assert page.context["form"] is not None  # returned like a result
    assert "Hồ sơ KHÔNG được giải quyết." in body and "Lý do: Chưa đủ tuổi kết hôn" in body
    assert f"/bieu-mau/{d.uid}/03/" in body or "In Mẫu" in body
    rows = {slug: rows for slug, _t, _e, _k, rows in officer.get(TODAY).context["sections"]}["cho-tra"]
    assert [r["rejected"] for r in rows] == [True]


def test_the_documents_kept_when_the_checklist_is_replaced_keep_their_files(world, frozen, guided):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    services.dossier_attach_file(
        actor=world.receptionist,
        dossier=guided,
        requirement_code="TP01",
        uploaded_file=SimpleUploadedFile("tp01.pdf", pdf, content_type="application/pdf"),
    )
    guided.refresh_from_db()
    d = services.dossier_receive(
        actor=world.receptionist,
        dossier=guided,
        expected_version=guided.version,
        data=intake(world, documents=[DocumentInput("TP01", "certified_copy", 2), DocumentInput("TP02")]),
    )
    tp01 = d.documents.get(requirement_code="TP01")
    assert (tp01.copy_kind, tp01.count, tp01.files.count()) == ("certified_copy", 2, 1)
    assert d.documents.count() == 2


def test_a_malformed_version_is_answered_on_the_page_and_nothing_changes(officer, frozen, guided):
    response = officer.post(resume_url(guided), resume_post(guided, version="abc"))
    assert response.status_code == 400
    assert "Phiên bản hồ sơ không hợp lệ." in response.content.decode()
    assert Dossier.objects.get(pk=guided.pk).version == guided.version


def test_only_a_receptionist_reopens_a_guided_dossier(client, world, guided):
    client.force_login(world.specialist)
    assert client.get(resume_url(guided)).status_code == 403
    assert client.post(resume_url(guided), resume_post(guided)).status_code == 403
    assert Dossier.objects.get(pk=guided.pk).state == S.INTAKE_SUPPLEMENT


def test_finishing_from_the_return_page_takes_a_post_only(officer):
    assert officer.get("/quay/tra-ket-qua/hoan-thanh/").status_code == 405
    assert officer.put("/quay/ho-so/000.01.31.H99-260306-0001/tiep-nhan-lai/").status_code == 405
