"""Issue 11 §4, end to end in Debian's Chromium, every step through the real pages: a citizen signs
in with VNeID at the local OpenID provider (npm oidc-provider), submits online with two PDF files,
the one-stop officer accepts it in the counter's online inbox, the specialist and the leader
process it in the back office (each step by the officer who holds it) and the officer marks the
result ready. After each stage the outbox is sent as the worker sends it (``sender.send_due()``)
to a real SMTP server on loopback (aiosmtpd): the citizen reads there an e-mail naming the code,
the agency and the appointment, and sees the status in words in "Hồ sơ của tôi". axe-core on each
page visited (no serious or critical violation); the citizen's pages at 390 and 1280 px at the end.

Time is not frozen here: the OpenID provider is another process, on the real clock, and its ID
tokens are checked against ours (issued at, expiry). The deadlines are read from the dossier.
"""

from email.header import decode_header, make_header
from email.message import Message
from io import BytesIO

import pytest
from pypdf import PdfWriter

from conftest import axe_violations, screenshot
from motcua.accounts.tests.oidc_standin import AN, sign_in_at_provider
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.tests.test_journey_browser import _act as act
from motcua.dossiers.tests.test_journey_browser import _sign_in as staff_sign_in
from motcua.notifications import sender
from motcua.notifications.messages import local_time

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VNEID = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"
EMAIL = "an.nguyen@example.vn"  # the stand-in's Nguyễn Văn An (tools/oidc-standin/accounts.json)


def a_pdf(title: str) -> bytes:
    """A small, valid one-page PDF."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def no_violations(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: {violations}"


def body_of(message: Message) -> str:
    """The plain-text part of an e-mail, decoded."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def new_mail(smtp, seen: int) -> list[tuple[str, str]]:
    """Send what the outbox holds, as the worker does; the e-mails that reached the SMTP server
    since ``seen`` as (subject, body), all to the citizen."""
    sender.send_due()
    with smtp.handler.lock:
        fresh = smtp.handler.messages[seen:]
    assert all(m["To"] == EMAIL for m in fresh), [m["To"] for m in fresh]
    return [(str(make_header(decode_header(m["Subject"]))), body_of(m)) for m in fresh]


def mine_status(citizen, live_server, code: str) -> str:
    """The status "Hồ sơ của tôi" shows for ``code``, axe-core checked."""
    citizen.goto(f"{live_server.url}/ho-so-cua-toi/")
    row = citizen.locator(".mine-table tr", has_text=code)
    assert row.count() == 1, citizen.locator("main").inner_text()[:1500]
    no_violations(citizen, "Hồ sơ của tôi")
    return row.locator('td[data-label="Tình trạng"]').inner_text().strip()


def test_a_citizen_signs_in_with_vneid_submits_online_and_follows_it_to_the_result(
    live_server, oidc_provider, smtp, browser, page, world
):
    base = live_server.url
    procedure = world.procedure
    citizen = page

    # 1. The citizen opens the procedure's page and signs in with VNeID at the provider.
    citizen.goto(f"{base}/thu-tuc/{procedure.code}/")
    no_violations(citizen, "procedure page, signed out")
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    citizen.wait_for_url("**/tai-khoan/dang-nhap/**")
    no_violations(citizen, "sign-in page")
    citizen.get_by_role("link", name=VNEID).click()
    citizen.wait_for_url(f"{oidc_provider.issuer}/interaction/*")
    sign_in_at_provider(citizen, AN["login"])
    citizen.wait_for_url(f"{base}/nop-truc-tuyen/{procedure.code}/")
    assert citizen.locator(".site-nav__user").inner_text() == "Nguyễn Văn An"
    no_violations(citizen, "start of the online submission")

    # 2. The wizard: for themself, their particulars from VNeID, two PDF files, the result at the
    # counter, the review, submitted.
    citizen.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    citizen.wait_for_url("**/cho-ai/")
    no_violations(citizen, "wizard: for whom")
    citizen.get_by_role("button", name="Tiếp tục").click()
    citizen.wait_for_url("**/nguoi-nop/")
    assert citizen.get_by_label("Họ và tên").input_value() == "Nguyễn Văn An"
    no_violations(citizen, "wizard: applicant")
    citizen.get_by_role("button", name="Tiếp tục").click()
    citizen.wait_for_url("**/giay-to/")
    no_violations(citizen, "wizard: documents")
    for code, name in (("TP01", "to-khai-ket-hon.pdf"), ("TP02", "xac-nhan-hon-nhan.pdf")):
        citizen.set_input_files(
            f"#file-{code}", files=[{"name": name, "mimeType": "application/pdf", "buffer": a_pdf(name)}]
        )
    citizen.get_by_role("button", name="Tiếp tục").click()
    citizen.wait_for_url("**/nhan-ket-qua/")
    no_violations(citizen, "wizard: delivery")
    citizen.get_by_label("Nhận tại Bộ phận Một cửa").check()
    citizen.get_by_role("button", name="Tiếp tục").click()
    citizen.wait_for_url("**/xem-lai/")
    review = citizen.locator("main").inner_text()
    assert "to-khai-ket-hon.pdf" in review and "xac-nhan-hon-nhan.pdf" in review, review[:2000]
    no_violations(citizen, "wizard: review")
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    citizen.wait_for_url("**/da-nop/")
    dossier = Dossier.objects.get()
    assert dossier.code in citizen.locator(".done-code").inner_text()
    no_violations(citizen, "submitted")
    assert dossier.national_identity is True
    assert dossier.owner.profile.identity_subject == AN["sub"]
    uploaded = DossierFile.objects.filter(document__dossier=dossier).values_list("original_name", flat=True)
    assert sorted(uploaded) == [
        "to-khai-ket-hon.pdf",
        "xac-nhan-hon-nhan.pdf",
    ]
    agency = dossier.handling_agency.name

    assert mine_status(citizen, live_server, dossier.code) == "Mới đăng ký"
    [(subject, body)] = new_mail(smtp, 0)
    assert dossier.code in subject and "đăng ký trực tuyến" in subject, subject
    assert f"Cơ quan giải quyết: {agency}." in body, body
    seen = 1

    # 3. The one-stop officer (password sign-in, another browser) accepts it online.
    officer_ctx, officer = staff_sign_in(browser, live_server, world.receptionist.username)
    officer.goto(f"{base}/quay/truc-tuyen/")
    assert dossier.code in officer.locator("article.online-dossier").inner_text()
    no_violations(officer, "online inbox")
    officer.get_by_role("button", name=f"Tiếp nhận hồ sơ {dossier.code}").click()
    officer.wait_for_url(f"**/quay/tiep-nhan/{dossier.uid}/")
    assert "Đã tiếp nhận hồ sơ" in officer.locator("main").inner_text()
    no_violations(officer, "counter receipt")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.RECEIVED and dossier.due_at is not None
    appointment = local_time(dossier.due_at)

    assert mine_status(citizen, live_server, dossier.code) == "Được tiếp nhận"
    [(subject, body)] = new_mail(smtp, seen)
    assert dossier.code in subject and "tiếp nhận" in subject, subject
    assert f"Hẹn trả kết quả: {appointment}." in body and f"Cơ quan giải quyết: {agency}." in body, body
    assert dossier.pin and dossier.pin in body
    seen += 1

    # 4. The back office: the officer hands it over, the specialist appraises it and passes it to
    # the leader, the leader approves, the officer makes the result ready.
    act(officer, live_server, dossier.code, "Chuyển xử lý")
    no_violations(officer, "dossier page")
    specialist_ctx, specialist = staff_sign_in(browser, live_server, world.specialist.username)
    specialist.goto(f"{base}/xu-ly/ho-so/{dossier.code}/")
    assert "Nguyễn Văn An" in specialist.locator("main").inner_text()
    no_violations(specialist, "dossier page, specialist")
    act(specialist, live_server, dossier.code, "Chuyển xử lý")

    assert mine_status(citizen, live_server, dossier.code) == "Đang xử lý"
    mails = new_mail(smtp, seen)
    assert mails and all(dossier.code in subject for subject, _ in mails), mails
    [(subject, body)] = mails
    assert "đang được giải quyết" in subject, subject
    assert (
        f"Người đang xử lý: Chuyên viên — {agency}." in body and f"Hẹn trả kết quả: {appointment}." in body
    ), body
    seen += len(mails)

    leader_ctx, leader = staff_sign_in(browser, live_server, world.leader.username)
    act(leader, live_server, dossier.code, "Phê duyệt")
    no_violations(leader, "dossier page, leader")
    act(officer, live_server, dossier.code, "Hoàn thành kết quả")
    dossier.refresh_from_db()
    assert dossier.state == Dossier.State.FINISHED

    assert mine_status(citizen, live_server, dossier.code) == "Đã xử lý xong"
    mails = new_mail(smtp, seen)
    finished = [(s, b) for s, b in mails if "đã có kết quả" in s]
    assert len(finished) == 1, mails
    subject, body = finished[0]
    assert dossier.code in subject and f"Cơ quan giải quyết: {agency}." in body, body
    assert "mang theo giấy tiếp nhận" in body

    # Each step was taken by the officer who held the dossier then, through the pages.
    steps = [(e.action, e.actor.username if e.actor else None) for e in dossier.events.order_by("at", "pk")]
    officer_name, specialist_name, leader_name = (
        world.receptionist.username,
        world.specialist.username,
        world.leader.username,
    )
    assert steps == [
        ("submit_online", dossier.owner.username),
        ("receive", officer_name),
        ("forward", officer_name),
        ("forward", specialist_name),
        ("approve", leader_name),
        ("finish", officer_name),
    ], steps

    # 5. The citizen's pages, on a 390 px phone and at 1280 px.
    citizen.get_by_role("link", name=dossier.code).click()
    assert "Đã xử lý xong" in citizen.locator(".status-line").inner_text()
    no_violations(citizen, "dossier detail")
    for width, height in ((1280, 900), (390, 844)):
        citizen.set_viewport_size({"width": width, "height": height})
        for name, path in (("mine", "/ho-so-cua-toi/"), ("detail", f"/ho-so-cua-toi/{dossier.code}/")):
            citizen.goto(base + path)
            assert citizen.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
            no_violations(citizen, f"{name} at {width} px")
            screenshot(citizen, f"e2e-citizen-{name}-{width}")

    for ctx in (officer_ctx, specialist_ctx, leader_ctx):
        ctx.close()
