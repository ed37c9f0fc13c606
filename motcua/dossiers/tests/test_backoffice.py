"""Back office pages (/xu-ly/) through Django's test client, with state built by the real
services (fixtures of ``conftest.py``: commune A's one-stop unit receives, commune A handles;
the process is reception 4 h → appraisal 24 h → approval 8 h → return 4 h, 5 working days).

The worked example of the buckets: on Friday 6 March 2026 at 10:00 the agency holds
- A, received Monday 23 February 08:00, due Monday 2 March 08:00: late by 34 working hours;
- B, received Monday 2 March 08:00, due Monday 9 March 08:00: due by the next working day's close;
- C, received Friday 6 March 08:00, still at the one-stop unit;
- D, received Tuesday 3 March 08:00, waiting for a supplement the specialist asked for.
"""

import dataclasses
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import ApplicantData, SupplementItem
from motcua.dossiers.tests.conftest import PROCEDURE_CODE, intake, vn
from motcua.dossiers.views.backoffice import STALE_MESSAGE

pytestmark = pytest.mark.django_db

INBOX = "/xu-ly/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def page_url(dossier) -> str:
    return f"/xu-ly/ho-so/{dossier.code}/"


def action_url(dossier, action: str) -> str:
    return f"/xu-ly/ho-so/{dossier.code}/thao-tac/{action}/"


def person(name: str) -> ApplicantData:
    return ApplicantData(
        kind="person",
        name=name,
        citizen_id="001190012345",
        date_of_birth=date(1990, 5, 17),
        phone="0912345678",
        address="Thôn Đông, xã An Bình",
    )


def receive(world, name: str = "Nguyễn Thị Hoa") -> Dossier:
    return services.dossier_receive(actor=world.receptionist, data=intake(world, applicant=person(name)))


def to_specialist(world, dossier, officer=None) -> Dossier:
    """Forwarded from the one-stop unit to commune A and assigned by its leader."""
    d = services.dossier_forward(actor=world.receptionist, dossier=dossier, expected_version=dossier.version)
    return services.dossier_assign(
        actor=world.leader, dossier=d, expected_version=d.version, officer=officer or world.specialist
    )


def reload(dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def codes(response) -> list[str]:
    return [row["dossier"].code for row in response.context["rows"]]


@pytest.fixture
def four(world):
    """A, B, C, D of the module docstring; the clock left at Friday 6 March 2026 10:00."""
    import time_machine

    with time_machine.travel(vn(2026, 2, 23, 8, 0), tick=False) as t:
        a = to_specialist(world, receive(world, "Trần Văn An"))
        t.move_to(vn(2026, 3, 2, 8, 0))
        b = to_specialist(world, receive(world, "Lê Thị Bình"))
        t.move_to(vn(2026, 3, 3, 8, 0))
        d = to_specialist(world, receive(world, "Phạm Văn Dũng"))
        d = services.dossier_request_supplement(
            actor=world.specialist,
            dossier=d,
            expected_version=d.version,
            items=[SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Bản đã hết hạn sử dụng")],
        )
        t.move_to(vn(2026, 3, 6, 8, 0))
        c = receive(world, "Hoàng Thị Cúc")
        t.move_to(vn(2026, 3, 6, 10, 0))
        yield {"A": reload(a), "B": reload(b), "C": reload(c), "D": reload(d)}


# ---------------------------------------------------------------------------------------------
# Who may come in


@pytest.mark.parametrize("path", [INBOX, "/xu-ly/ho-so/{code}/", "/xu-ly/ho-so/{code}/tep/1/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, received, path):
    response = client.get(path.format(code=received.code))
    assert response.status_code == 302
    assert response["Location"].startswith("/tai-khoan/") and "next=" in response["Location"]


def test_an_anonymous_action_is_sent_to_sign_in_and_changes_nothing(client, received):
    response = client.post(action_url(received, "forward"), {"version": received.version})
    assert response.status_code == 302
    assert reload(received).version == received.version


def test_a_citizen_is_forbidden(client, world, received):
    client.force_login(world.citizen)
    assert client.get(INBOX).status_code == 403
    assert client.get(page_url(received)).status_code == 403
    response = client.post(action_url(received, "forward"), {"version": received.version})
    assert response.status_code == 403
    assert reload(received).version == received.version


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", INBOX),
        ("delete", INBOX),
        ("post", "/xu-ly/ho-so/{code}/"),
        ("put", "/xu-ly/ho-so/{code}/"),
        ("get", "/xu-ly/ho-so/{code}/thao-tac/forward/"),
        ("get", "/xu-ly/ho-so/{code}/y-kien/"),
        ("post", "/xu-ly/ho-so/{code}/tep/1/"),
    ],
)
def test_wrong_methods_get_405(client, world, received, method, path):
    client.force_login(world.leader)
    assert getattr(client, method)(path.format(code=received.code)).status_code == 405


def test_an_unknown_dossier_is_404(client, world, received):
    client.force_login(world.leader)
    assert client.get("/xu-ly/ho-so/000.01.31.H99-260302-9999/").status_code == 404


def test_the_outsider_gets_404_on_the_dossier_page_and_sees_nothing_in_the_inbox(client, world, four):
    client.force_login(world.outsider)
    response = client.get(page_url(four["B"]))
    assert response.status_code == 404  # as for a code that does not exist: no way to enumerate
    unknown = client.get("/xu-ly/ho-so/000.01.31.H99-260302-9999/")
    assert unknown.status_code == 404
    assert response.content.decode().replace(four["B"].code, "CODE") == unknown.content.decode().replace(
        "000.01.31.H99-260302-9999", "CODE"
    )
    assert "Lê Thị Bình" not in response.content.decode()
    refused = AuditEvent.objects.filter(action="personal_data.refused").get()
    assert (refused.actor, refused.object_id) == (world.outsider, str(four["B"].pk))
    inbox = client.get(INBOX, {"scope": "agency"})
    assert inbox.status_code == 200
    assert codes(inbox) == []
    assert inbox.context["buckets"][0]["count"] == 0
    # naming commune A's agency does not help
    refused = client.get(INBOX, {"scope": "agency", "agency": world.tree.commune_a.code})
    assert refused.status_code == 400
    assert "không có quyền" in refused.context["errors"][0]
    assert codes(refused) == []


def test_a_specialist_of_another_agency_sees_nothing_of_commune_a(client, world, four):
    client.force_login(world.dept_specialist)
    assert client.get(page_url(four["A"])).status_code == 404
    assert codes(client.get(INBOX, {"scope": "agency"})) == []


def test_the_supervisor_sees_the_dossier_but_gets_no_action_form(client, world, four):
    client.force_login(world.supervisor)
    response = client.get(page_url(four["B"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lê Thị Bình" in body
    assert response.context["action_forms"] == []
    assert "/thao-tac/" not in body
    assert "Bạn không có thao tác nào" in body
    assert 'action="/xu-ly/ho-so/' not in body  # no comment form either
    # and posting anyway is refused without a change
    before = reload(four["B"])
    refused = client.post(action_url(four["B"], "approve"), {"version": before.version})
    assert refused.status_code == 403
    assert reload(four["B"]).version == before.version


def test_the_supervisor_sees_the_whole_province_in_the_agency_inbox(client, world, four):
    client.force_login(world.supervisor)
    response = client.get(INBOX, {"scope": "agency"})
    assert sorted(codes(response)) == sorted(d.code for d in four.values())


def test_viewing_a_dossier_page_is_audited(client, world, four):
    client.force_login(world.specialist)
    before = AuditEvent.objects.filter(action="personal_data.view").count()
    client.get(page_url(four["B"]))
    assert AuditEvent.objects.filter(action="personal_data.view").count() == before + 1


# ---------------------------------------------------------------------------------------------
# Inbox: buckets, counts, filters, sorting, pages


def test_the_leaders_agency_inbox_counts_each_bucket(client, world, four):
    client.force_login(world.leader)
    response = client.get(INBOX, {"scope": "agency"})
    assert response.status_code == 200
    counts = {b["value"]: b["count"] for b in response.context["buckets"]}
    # Named for the action each waits for: A and B the specialist's appraisal, C the counter's
    # forwarding, D the applicant's supplement.
    assert counts == {
        "all": 4,
        "to_assign": 0,
        "to_process": 3,
        "to_approve": 0,
        "to_finish": 0,
        "supplement": 1,
        "payment": 0,
        "due_soon": 1,
        "late": 1,
    }
    body = response.content.decode()
    assert "Đến hạn trong ngày làm việc tới" in body and "Chờ công dân bổ sung" in body
    assert "Chờ phân công" in body and "Chờ phê duyệt" in body and "Chờ hoàn thành kết quả" in body


@pytest.mark.parametrize(
    ("bucket", "expected"),
    [("late", ["A"]), ("due_soon", ["B"]), ("supplement", ["D"]), ("to_process", ["A", "B", "C"])],
)
def test_each_bucket_lists_its_dossiers(client, world, four, bucket, expected):
    client.force_login(world.leader)
    response = client.get(INBOX, {"scope": "agency", "bucket": bucket})
    assert sorted(codes(response)) == sorted(four[k].code for k in expected)


def test_the_due_column_says_how_late_or_how_long_is_left(client, world, four):
    client.force_login(world.leader)
    response = client.get(INBOX, {"scope": "agency"})
    due = {row["dossier"].code: row["due"] for row in response.context["rows"]}
    # A: due Mon 2 March 08:00; Fri 6 March 10:00 is 7 + 3×8 + 3 = 34 working hours later
    assert due[four["A"].code] == {"kind": "late", "text": "Quá hạn 4 ngày làm việc"}
    # B: due Mon 9 March 08:00; from Fri 10:00: 1.5 + 3.5 + 1 = 6 working hours
    assert due[four["B"].code] == {"kind": "soon", "text": "Còn 6 giờ làm việc"}
    assert due[four["D"].code]["text"] == "Chờ bổ sung"
    body = response.content.decode()
    assert "Quá hạn 4 ngày làm việc" in body and "Còn 6 giờ làm việc" in body
    assert "02/03/2026 08:00" in body


def test_an_appointment_stored_beyond_the_calendar_shows_its_date_without_the_badge(client, world, four):
    """31/12/9999 (an extension accepted before its bound existed) made the inbox answer 500: the
    working-time arithmetic refuses a date outside the calendar's span. The date is shown alone."""
    Dossier.objects.filter(pk=four["C"].pk).update(due_at=vn(9999, 12, 31, 17, 0))
    client.force_login(world.leader)
    for bucket in ("all", "to_process"):
        response = client.get(INBOX, {"scope": "agency", "bucket": bucket})
        assert response.status_code == 200
        due = {row["dossier"].code: row["due"] for row in response.context["rows"]}
        assert due[four["C"].code] == {"kind": "none", "text": ""}
        assert due[four["B"].code] == {"kind": "soon", "text": "Còn 6 giờ làm việc"}
        assert "31/12/9999 17:00" in response.content.decode()
    page = client.get(page_url(four["C"]))
    assert page.status_code == 200
    assert "31/12/9999" in page.content.decode()
    assert "extend" not in [f.action.name for f in page.context["action_forms"]]


def test_an_extension_past_the_limit_is_refused_on_the_page_and_nothing_is_saved(client, world, four):
    client.force_login(world.leader)
    c = four["C"]  # received Friday 6 March 08:00, due Friday 13 March 08:00
    response = client.post(
        action_url(c, "extend"),
        {"version": c.version, "reason": "Cần xác minh tại địa phương", "new_due_at": "31/12/9999 23:59"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Ngày hẹn trả mới muộn nhất là 17:00 20/03/2026" in body
    assert 'value="31/12/9999 23:59"' in body
    assert (reload(c).version, reload(c).extension_count) == (c.version, 0)


def test_mine_lists_only_what_the_officer_holds(client, world, four):
    client.force_login(world.specialist)
    mine = client.get(INBOX)
    assert mine.context["scope"] == "mine"
    assert sorted(codes(mine)) == sorted(four[k].code for k in ("A", "B", "D"))
    client.force_login(world.specialist2)
    assert codes(client.get(INBOX)) == []


def test_the_agency_chooser_narrows_to_one_agency_and_its_subtree(client, world, four):
    client.force_login(world.leader)
    one_stop = client.get(INBOX, {"scope": "agency", "agency": world.tree.one_stop_a.code})
    assert codes(one_stop) == [four["C"].code]
    commune = client.get(INBOX, {"scope": "agency", "agency": world.tree.commune_a.code})
    assert len(codes(commune)) == 4
    # the chooser offers the agencies the leader can see, not commune B
    offered = {a.code for a in commune.context["agencies"]}
    assert world.tree.one_stop_a.code in offered and world.tree.commune_b.code not in offered


def test_search_finds_by_code_prefix_or_applicant_name(client, world, four):
    client.force_login(world.leader)
    by_name = client.get(INBOX, {"scope": "agency", "q": "bình"})
    assert codes(by_name) == [four["B"].code]
    by_code = client.get(INBOX, {"scope": "agency", "q": four["C"].code})
    assert codes(by_code) == [four["C"].code]
    nothing = client.get(INBOX, {"scope": "agency", "q": "Không Ai Tên Này"})
    assert codes(nothing) == []
    assert "Không có hồ sơ nào" in nothing.content.decode()


def test_search_finds_by_the_tail_of_a_code_as_read_out_at_the_counter(client, world, four):
    client.force_login(world.leader)
    code = four["C"].code  # …-260306-0001: the day and the day's number
    day, number = code.rsplit("-", 2)[1:]
    assert codes(client.get(INBOX, {"scope": "agency", "q": f"{day}-{number}"})) == [code]
    assert codes(client.get(INBOX, {"scope": "agency", "q": f"{day}-{int(number)}"})) == [code]
    assert codes(client.get(INBOX, {"scope": "agency", "q": f"{day}-9999"})) == []


def test_the_procedure_filter_keeps_only_that_procedure(client, world, four):
    client.force_login(world.leader)
    assert len(codes(client.get(INBOX, {"scope": "agency", "procedure": PROCEDURE_CODE}))) == 4
    assert codes(client.get(INBOX, {"scope": "agency", "procedure": "1.000000"})) == []
    offered = [code for code, _ in client.get(INBOX, {"scope": "agency"}).context["procedures"]]
    assert offered == [PROCEDURE_CODE]


def test_sorting_by_due_time_both_ways(client, world, four):
    client.force_login(world.leader)
    ascending = codes(client.get(INBOX, {"scope": "agency", "sort": "due_at"}))
    descending = codes(client.get(INBOX, {"scope": "agency", "sort": "-due_at"}))
    assert ascending[0] == four["A"].code  # the latest-received is due last, A first
    assert ascending[1] == four["B"].code
    assert descending == list(reversed(ascending))


@pytest.mark.parametrize(("param", "value"), [("bucket", "hom-qua"), ("sort", "name"), ("scope", "everyone")])
def test_an_unknown_filter_value_gets_a_vietnamese_400(client, world, four, param, value):
    client.force_login(world.leader)
    response = client.get(INBOX, {param: value})
    assert response.status_code == 400
    assert f"“{value}” không hợp lệ" in response.context["errors"][0]
    assert f"“{value}” không hợp lệ" in response.content.decode()


def test_the_inbox_shows_twenty_a_page(client, world, frozen):
    for i in range(23):
        receive(world, f"Người nộp số {i:02d}")
    client.force_login(world.leader)
    first = client.get(INBOX, {"scope": "agency"})
    assert len(first.context["rows"]) == 20
    assert first.context["page"].paginator.num_pages == 2
    assert 'rel="next"' in first.content.decode()
    second = client.get(INBOX, {"scope": "agency", "page": 2})
    assert len(second.context["rows"]) == 3
    assert set(codes(first)).isdisjoint(codes(second))
    assert 'rel="prev"' in second.content.decode()
    # the links keep the filters
    assert "scope=agency" in first.context["next_url"] and "page=2" in first.context["next_url"]


def test_an_htmx_request_gets_only_the_list_region(client, world, four):
    client.force_login(world.leader)
    response = client.get(INBOX, {"scope": "agency", "bucket": "late"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="danh-sach"')
    assert "<html" not in body and "<h1>" not in body
    assert four["A"].code in body and four["B"].code not in body
    assert "HX-Request" in response["Vary"]
    full = client.get(INBOX, {"scope": "agency"})
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


def test_the_inbox_query_count_does_not_grow_with_the_rows(
    client, world, frozen, django_assert_max_num_queries
):
    client.force_login(world.leader)
    for i in range(2):
        to_specialist(world, receive(world, f"Người nộp {i}"))
    client.get(INBOX, {"scope": "agency"})  # warm the working calendar cache
    with CaptureQueriesContext(connection) as few:
        response = client.get(INBOX, {"scope": "agency"})
    assert len(response.context["rows"]) == 2
    for i in range(18):
        to_specialist(world, receive(world, f"Người nộp thêm {i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX, {"scope": "agency"})
    assert len(response.context["rows"]) == 20


# ---------------------------------------------------------------------------------------------
# The dossier page


def test_the_dossier_page_shows_applicant_documents_steps_and_history(client, world, four):
    client.force_login(world.specialist)
    response = client.get(page_url(four["A"]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in [
        "Trần Văn An",
        "0912345678",
        "Tờ khai đăng ký kết hôn",
        "Giấy xác nhận tình trạng hôn nhân",
        "Thủ tục đăng ký kết hôn",
        "Tiếp nhận hồ sơ",
        "Thẩm định hồ sơ",
        "Trịnh Văn Lãnh",  # the leader gave the appraisal step to the specialist
        "Nguyễn Văn Chuyên",
        "23/02/2026 08:00",
        "Quá trình xử lý",
        "Diễn biến",
    ]:
        assert text in body, text
    steps = response.context["steps"]
    assert [s.name for s in steps] == ["Tiếp nhận hồ sơ", "Thẩm định hồ sơ"]
    assert steps[0].finished_at is not None


def test_the_specialist_gets_only_the_actions_of_the_current_step(client, world, four):
    client.force_login(world.specialist)
    names = [f.action.name for f in client.get(page_url(four["B"])).context["action_forms"]]
    assert "forward" in names and "request-supplement" in names
    assert "approve" not in names and "assign" not in names and "return-result" not in names


def test_the_leader_may_reassign_and_approve_from_the_page(client, world, four):
    client.force_login(world.leader)
    response = client.get(page_url(four["B"]))
    names = [f.action.name for f in response.context["action_forms"]]
    # At the specialist's step the leader reassigns; he approves at the approval step only.
    assert "assign" in names and "approve" not in names and "forward" not in names
    body = response.content.decode()
    assert "Đinh Thị Hai" in body  # another officer of commune A is offered
    b = four["B"]
    moved = client.post(action_url(b, "assign"), {"version": b.version, "officer": world.specialist2.pk})
    assert moved.status_code == 302 and moved["Location"] == page_url(b)
    b = reload(b)
    assert b.holder == world.specialist2
    assert b.version == four["B"].version + 1
    client.force_login(world.specialist2)
    sent = client.post(action_url(b, "forward"), {"version": b.version, "officer": world.leader.pk})
    assert sent.status_code == 302
    b = reload(b)
    assert (b.current_step.name, b.holder) == ("Phê duyệt", world.leader)
    client.force_login(world.leader)
    approved = client.post(action_url(b, "approve"), {"version": b.version, "note": "Đủ điều kiện"})
    assert approved.status_code == 302
    b = reload(b)
    assert b.state == Dossier.State.APPROVED
    followed = client.get(page_url(b))
    assert "Đã thực hiện: Phê duyệt" in followed.content.decode()


def test_an_officer_cannot_be_assigned_from_another_agency(client, world, four):
    client.force_login(world.leader)
    b = four["B"]
    response = client.post(action_url(b, "assign"), {"version": b.version, "officer": world.outsider.pk})
    assert response.status_code == 400
    assert "không thuộc cơ quan" in response.content.decode()
    assert reload(b).holder == world.specialist


def test_a_stale_version_gets_the_conflict_message_and_changes_nothing(client, world, four):
    b = four["B"]
    client.force_login(world.specialist)
    seen = client.get(page_url(b)).context["dossier"].version
    # meanwhile the leader gives the dossier to somebody else
    services.dossier_assign(
        actor=world.leader, dossier=b, expected_version=b.version, officer=world.specialist2
    )
    after_leader = reload(b)
    response = client.post(
        action_url(b, "request-supplement"),
        {"version": seen, "item_name_1": "Sổ hộ khẩu", "item_reason_1": "Bản sao mờ"},
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert STALE_MESSAGE in body
    assert 'value="Sổ hộ khẩu"' in body and 'value="Bản mờ"' not in body  # what was typed is kept
    now = reload(b)
    assert (now.version, now.state, now.holder_id) == (
        after_leader.version,
        after_leader.state,
        world.specialist2.pk,
    )
    assert now.supplement_count == 0


def test_the_service_conflict_of_a_race_reads_the_same(client, world, four, monkeypatch):
    """The version matched when the page read it, but another writer won inside the service."""
    b = four["B"]
    client.force_login(world.leader)
    real = services.dossier_stop

    def racing(**kwargs):
        services.dossier_assign(
            actor=world.leader, dossier=b, expected_version=b.version, officer=world.specialist2
        )
        return real(**kwargs)

    from motcua.dossiers.actions import ACTIONS

    monkeypatch.setitem(ACTIONS, "stop", dataclasses.replace(ACTIONS["stop"], service=racing))
    response = client.post(action_url(b, "stop"), {"version": b.version, "reason": "Theo yêu cầu"})
    assert response.status_code == 409
    assert STALE_MESSAGE in response.content.decode()
    assert reload(b).state == Dossier.State.PROCESSING


def test_bad_input_is_refused_in_vietnamese_with_the_values_kept(client, world, four):
    client.force_login(world.leader)
    b = four["B"]
    response = client.post(
        action_url(b, "extend"),
        {"version": b.version, "reason": "Cần xác minh thêm", "new_due_at": "31/02/2026"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "dd/mm/yyyy HH:MM" in body
    assert "Cần xác minh thêm" in body and 'value="31/02/2026"' in body
    assert reload(b).version == b.version and reload(b).extension_count == 0
    no_reason = client.post(action_url(b, "stop"), {"version": b.version, "reason": "  "})
    assert no_reason.status_code == 400
    assert "Hãy ghi rõ lý do." in no_reason.content.decode()
    assert reload(b).state == Dossier.State.PROCESSING


def test_an_extension_too_close_to_the_appointment_is_not_offered_and_refused(client, world, four):
    client.force_login(world.leader)
    b = four["B"]  # due Monday 08:00, 6 working hours away
    offered = [f.action.name for f in client.get(page_url(b)).context["action_forms"]]
    assert "extend" not in offered and "stop" in offered
    assert "extend" in [f.action.name for f in client.get(page_url(four["C"])).context["action_forms"]]
    response = client.post(
        action_url(b, "extend"),
        {"version": b.version, "reason": "Cần xác minh", "new_due_at": "16/03/2026 16:00"},
    )
    assert response.status_code == 409
    assert "ít nhất 1 ngày làm việc" in response.content.decode()
    assert reload(b).extension_count == 0


def test_an_action_this_user_may_not_take_is_403_and_changes_nothing(client, world, four):
    client.force_login(world.specialist)
    b = four["B"]
    response = client.post(action_url(b, "approve"), {"version": b.version})
    assert response.status_code == 403
    assert "Phê duyệt" in response.content.decode()
    assert reload(b).state == Dossier.State.PROCESSING and reload(b).version == b.version


def test_an_unknown_action_is_404(client, world, four):
    client.force_login(world.leader)
    assert client.post(action_url(four["B"], "delete"), {"version": 1}).status_code == 404


def test_the_specialist_requests_a_supplement_with_items(client, world, four):
    client.force_login(world.specialist)
    b = four["B"]
    response = client.post(
        action_url(b, "request-supplement"),
        {
            "version": b.version,
            "item_name_1": "Giấy xác nhận tình trạng hôn nhân",
            "item_reason_1": "Đã quá 6 tháng",
            "item_name_2": "Tờ khai",
            "item_reason_2": "",
        },
    )
    assert response.status_code == 400  # the second row has no reason
    assert "Ghi rõ lý do cần bổ sung." in response.content.decode()
    assert reload(b).state == Dossier.State.PROCESSING
    response = client.post(
        action_url(b, "request-supplement"),
        {
            "version": b.version,
            "item_name_1": "Giấy xác nhận tình trạng hôn nhân",
            "item_reason_1": "Đã quá 6 tháng",
        },
    )
    assert response.status_code == 302
    b = reload(b)
    assert b.state == Dossier.State.SUPPLEMENT
    assert b.pauses.get().items == [{"name": "Giấy xác nhận tình trạng hôn nhân", "reason": "Đã quá 6 tháng"}]
    body = client.get(page_url(b)).content.decode()
    assert "<strong>Giấy xác nhận tình trạng hôn nhân</strong>: Đã quá 6 tháng" in body


def test_the_specialist_forwards_to_the_leader_for_approval(client, world, four):
    client.force_login(world.specialist)
    b = four["B"]
    response = client.post(
        action_url(b, "forward"),
        {"version": b.version, "officer": world.leader.pk, "note": "Đề nghị phê duyệt"},
    )
    assert response.status_code == 302
    b = reload(b)
    assert b.current_step.name == "Phê duyệt" and b.holder == world.leader


def test_a_comment_is_added_and_shown(client, world, four):
    client.force_login(world.specialist)
    b = four["B"]
    response = client.post(f"/xu-ly/ho-so/{b.code}/y-kien/", {"body": "Đã gọi điện cho người nộp."})
    assert response.status_code == 302
    assert DossierEvent.objects.filter(dossier=b, kind="comment", note="Đã gọi điện cho người nộp.").exists()
    page = client.get(page_url(b))
    assert "Đã gọi điện cho người nộp." in page.content.decode()
    empty = client.post(f"/xu-ly/ho-so/{b.code}/y-kien/", {"body": ""})
    assert empty.status_code == 400


def test_the_print_links_point_at_the_forms_that_apply(client, world, four):
    client.force_login(world.specialist)
    links = client.get(page_url(four["D"])).context["print_links"]
    numbers = [link["number"] for link in links]
    assert numbers == ["01", "02", "06"]
    assert links[0]["url"] == f"/bieu-mau/{four['D'].uid}/mau-01.pdf"


# ---------------------------------------------------------------------------------------------
# Files


@pytest.fixture
def with_pdf(world, four):
    b = four["B"]
    stored = services.dossier_attach_file(
        actor=world.specialist,
        dossier=b,
        requirement_code="TP01",
        uploaded_file=SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf"),
    )
    return b, stored


def test_the_file_is_streamed_inline_with_its_type_to_someone_in_jurisdiction(client, world, with_pdf):
    b, stored = with_pdf
    client.force_login(world.specialist)
    response = client.get(f"/xu-ly/ho-so/{b.code}/tep/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "to-khai.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(response.streaming_content) == PDF
    page = client.get(page_url(b)).content.decode()
    assert f'<iframe class="bo-preview bo-preview--pdf" src="/xu-ly/ho-so/{b.code}/tep/{stored.pk}/"' in page


def test_an_image_is_previewed_with_alt_text(client, world, with_pdf):
    from PIL import Image

    b, _ = with_pdf
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    image = services.dossier_attach_file(
        actor=world.specialist,
        dossier=reload(b),
        requirement_code="TP02",
        uploaded_file=SimpleUploadedFile("xac-nhan.png", buffer.getvalue(), content_type="image/png"),
    )
    client.force_login(world.specialist)
    page = client.get(page_url(b)).content.decode()
    assert f'src="/xu-ly/ho-so/{b.code}/tep/{image.pk}/"' in page
    assert 'alt="Bản quét “Giấy xác nhận tình trạng hôn nhân” – tệp xac-nhan.png"' in page
    assert client.get(f"/xu-ly/ho-so/{b.code}/tep/{image.pk}/")["Content-Type"] == "image/png"


def test_the_file_view_checks_jurisdiction_again(client, world, with_pdf, four):
    b, stored = with_pdf
    client.force_login(world.outsider)
    assert client.get(f"/xu-ly/ho-so/{b.code}/tep/{stored.pk}/").status_code == 404
    client.force_login(world.specialist)
    # a file id under the wrong dossier code is not found
    assert client.get(f"/xu-ly/ho-so/{four['A'].code}/tep/{stored.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------------
# More actions through their forms, with worked values


def test_an_extension_typed_as_dd_mm_yyyy_is_read_in_vietnam_time(client, world, four):
    client.force_login(world.leader)
    c = four["C"]  # received Friday 6 March 08:00, due a week later: time enough to extend
    response = client.post(
        action_url(c, "extend"),
        {"version": c.version, "reason": "Cần xác minh tại địa phương", "new_due_at": "20/03/2026 16:00"},
    )
    assert response.status_code == 302
    c = reload(c)
    assert c.due_at == vn(2026, 3, 20, 16, 0)  # 09:00 UTC
    assert c.extension_count == 1
    page = client.get(page_url(c))
    body = page.content.decode()
    assert "hẹn mới <strong>20/03/2026 16:00</strong>. Lý do: Cần xác minh tại địa phương" in body
    assert "04" in [link["number"] for link in page.context["print_links"]]
    # a second extension is not offered any more
    assert "extend" not in [f.action.name for f in page.context["action_forms"]]


def test_fees_are_asked_on_the_payments_page_not_by_a_free_amount(client, world, four):
    client.force_login(world.specialist)
    b = four["B"]
    page = client.get(page_url(b))
    assert {f.action.name for f in page.context["action_forms"]}.isdisjoint(
        {"request-payment", "record-payment"}
    )
    assert f'href="/thu-phi/{b.code}/"' in page.content.decode()
    refused = client.post(action_url(b, "request-payment"), {"version": b.version, "amount_vnd": "1.250.000"})
    assert refused.status_code == 404
    b = reload(b)
    assert (b.state, b.fee_due_vnd, b.version) == (Dossier.State.PROCESSING, None, four["B"].version)


def test_stopping_needs_a_reason_and_closes_the_dossier(client, world, four):
    client.force_login(world.leader)
    b = four["B"]
    response = client.post(
        action_url(b, "stop"),
        {"version": b.version, "reason": "Người nộp đề nghị dừng để hoàn thiện giấy tờ"},
    )
    assert response.status_code == 302
    b = reload(b)
    assert b.state == Dossier.State.STOPPED
    page = client.get(page_url(b))
    assert "05" in [link["number"] for link in page.context["print_links"]]
    assert "Người nộp đề nghị dừng để hoàn thiện giấy tờ" in page.content.decode()
    assert b.code not in codes(client.get(INBOX, {"scope": "agency"}))


def test_a_finished_and_returned_dossier_page_offers_nothing_to_the_leader(client, world, four):
    b = four["B"]
    b = services.dossier_forward(
        actor=world.specialist, dossier=b, expected_version=b.version, officer=world.leader
    )
    b = services.dossier_approve(actor=world.leader, dossier=b, expected_version=b.version)
    b = services.dossier_finish(actor=world.receptionist, dossier=b, expected_version=b.version)
    b = services.dossier_return_result(
        actor=world.receptionist, dossier=b, expected_version=b.version, collected_by="Lê Thị Bình"
    )
    client.force_login(world.leader)
    response = client.get(page_url(b))
    assert response.status_code == 200
    assert response.context["action_forms"] == []
    body = response.content.decode()
    assert "Đã trả kết quả (mã 10)" in body
    assert "Phê duyệt" in body  # the approval step is in the timeline


def test_a_pages_selects_read_each_list_once_and_a_choice_is_still_checked(world, frozen):
    """The action forms of one page draw their officers and agencies from lists read once
    (``ActionChoices.listed``), however often the selects are drawn; what comes back is still
    checked against the query itself."""
    from motcua.dossiers.actions import ACTIONS
    from motcua.dossiers.forms.backoffice import ActionChoices, ActionForm
    from motcua.dossiers.views.backoffice import OFFICER_ROLES
    from motcua.org.selectors import agencies_list, officers_acting_on

    choices = ActionChoices(
        officers=officers_acting_on([world.tree.commune_a], OFFICER_ROLES),
        forward_officers=officers_acting_on([world.tree.commune_a], OFFICER_ROLES),
        agencies=agencies_list(active=True),
    )
    forms = [ActionForm(action=ACTIONS[name], choices=choices) for name in ("assign", "forward", "assign")]
    with CaptureQueriesContext(connection) as drawn:
        html = "".join(str(form) for form in forms)
    assert len(drawn) == 3  # officers, the forward's officers, agencies: once each
    assert (
        html.count(f'<option value="{world.specialist.pk}">{world.specialist.get_full_name()}</option>') == 3
    )
    assert f">{world.tree.commune_a.name} ({world.tree.commune_a.code})</option>" in html
    outsider = ActionForm(
        {"version": 1, "officer": world.outsider.pk}, action=ACTIONS["assign"], choices=choices
    )
    assert not outsider.is_valid()
    assert outsider.errors["officer"] == ["Cán bộ được chọn không thuộc cơ quan đang giữ hồ sơ."]
    chosen = ActionForm(
        {"version": 1, "officer": world.specialist.pk}, action=ACTIONS["assign"], choices=choices
    )
    assert chosen.is_valid(), chosen.errors
