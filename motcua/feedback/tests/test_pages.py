"""The rating pages: online through the tracking page and "Hồ sơ của tôi" (a signed link), a
forged link, the message's link, the paper form, the head's page, and the API's 4xx answers."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance, intake
from motcua.feedback import links
from motcua.feedback.models import Rating
from motcua.feedback.tests.conftest import SATISFIED, UNSATISFIED
from motcua.notifications.models import OutboxMessage

State = Dossier.State


def rate_link(html: str) -> str:
    found = re.search(r'href="(/danh-gia/ho-so/[^"]+/)"', html)
    assert found, "no rating link on the page"
    return found.group(1)


def track(client, dossier):
    return client.post(reverse("tracking:lookup"), {"ma": dossier.code, "pin": dossier.pin})


def test_a_returned_dossier_is_rated_from_the_tracking_page(client, returned):
    page = track(client, returned).content.decode()
    assert "Đánh giá mức độ hài lòng" in page
    url = rate_link(page)
    form = client.get(url)
    assert form.status_code == 200 and returned.code in form.content.decode()
    done = client.post(url, SATISFIED)
    assert done.status_code == 200
    assert "Cảm ơn ông/bà đã đánh giá" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.source, rating.satisfied) == ("online", "tracking", True)

    again = client.get(url)  # the same link later: told it is done, nothing new
    assert "đã được đánh giá qua kênh “Trực tuyến”" in again.content.decode()
    assert client.post(url, UNSATISFIED).status_code == 409
    assert Rating.objects.count() == 1


def test_a_dossier_in_processing_offers_no_rating_and_its_link_is_refused(client, world, frozen):
    dossier = advance(world, State.PROCESSING)
    assert "/danh-gia/ho-so/" not in track(client, dossier).content.decode()
    url = links.rating_path(dossier.code, "tracking")  # a link made by hand for it
    response = client.post(url, SATISFIED)
    assert response.status_code == 409
    assert "chưa thể đánh giá" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_dossier_guided_at_reception_offers_a_rating_on_the_tracking_page(client, world, frozen):
    dossier = advance(world, State.INTAKE_SUPPLEMENT)
    assert "/danh-gia/ho-so/" in track(client, dossier).content.decode()


def test_a_forged_or_expired_link_is_refused_clearly_and_records_nothing(client, returned, frozen):
    url = links.rating_path(returned.code, "tracking")
    forged = url[:-6] + "abcde/"  # the signature's end changed
    response = client.post(forged, SATISFIED)
    assert response.status_code == 403
    assert "Đường dẫn đánh giá không hợp lệ hoặc đã hết hạn" in response.content.decode()
    frozen.shift(timedelta(days=61))
    assert client.post(url, SATISFIED).status_code == 403
    assert not Rating.objects.exists()


def test_an_incomplete_form_comes_back_with_each_missing_answer_marked(client, returned):
    url = links.rating_path(returned.code, "tracking")
    response = client.post(url, {"contacts": "none"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("Vui lòng chọn một câu trả lời.") == 2
    assert 'value="none" required checked' in html  # what was chosen stays chosen
    assert not Rating.objects.exists()


def test_the_owner_rates_from_hồ_sơ_của_tôi(client, world, frozen):
    data = intake(world, channel=2)
    submitted = advance(world, State.SUBMITTED, data=data)
    assert submitted.owner == world.citizen
    from motcua.dossiers import services as dossier_services

    d = dossier_services.dossier_receive(
        actor=world.receptionist, dossier=submitted, expected_version=submitted.version
    )
    client.force_login(world.citizen)
    listing = client.get(reverse("portal:mine")).content.decode()
    assert "/danh-gia/ho-so/" not in listing  # received, not yet served
    returned = _finish_and_return(world, d)
    listing = client.get(reverse("portal:mine")).content.decode()
    detail = client.get(reverse("portal:detail", kwargs={"code": returned.code})).content.decode()
    assert rate_link(listing) and rate_link(detail)
    assert client.post(rate_link(detail), UNSATISFIED).status_code == 200
    rating = Rating.objects.get()
    assert (rating.source, rating.satisfied) == ("my_dossiers", False)


def _finish_and_return(world, d):
    from motcua.dossiers import services as s

    d = s.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )
    d = s.dossier_forward(actor=world.specialist, dossier=d, expected_version=d.version, officer=world.leader)
    d = s.dossier_approve(actor=world.leader, dossier=d, expected_version=d.version)
    d = s.dossier_finish(actor=world.receptionist, dossier=d, expected_version=d.version)
    return s.dossier_return_result(
        actor=world.receptionist, dossier=d, expected_version=d.version, collected_by="Hoa"
    )


def test_the_returned_message_carries_a_working_signed_link(client, returned):
    mail = OutboxMessage.objects.filter(
        dossier=returned, event="dossier.return-result", channel="email"
    ).get()
    line = next(x for x in mail.body.splitlines() if x.startswith("Đánh giá mức độ hài lòng: "))
    path = line.split(": ", 1)[1].removeprefix("http://127.0.0.1:8000")
    sms = OutboxMessage.objects.get(dossier=returned, event="dossier.return-result", channel="sms")
    assert "/danh-gia/" not in sms.body  # too long for an SMS
    assert client.post(path, SATISFIED).status_code == 200
    assert Rating.objects.get().source == "message_link"


def test_the_head_of_unit_sees_the_unsatisfied_rating_in_the_inbox_and_marks_it_handled(
    client, world, returned
):
    client.post(links.rating_path(returned.code, "tracking"), UNSATISFIED)
    client.force_login(world.leader)
    inbox = client.get(reverse("backoffice:inbox")).content.decode()
    assert "Đánh giá không hài lòng chờ xử lý" in inbox and returned.code in inbox
    page = client.get(reverse("feedback:unsatisfied")).content.decode()
    assert "Nhiều hơn một cơ quan, đơn vị" in page  # the answers, in words
    rating = Rating.objects.get()
    response = client.post(
        reverse("feedback:mark_handled", args=[rating.pk]), {"note": "Đã liên hệ, giải thích"}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.handled_by == world.leader
    assert "Đánh giá không hài lòng chờ xử lý" not in client.get(reverse("backoffice:inbox")).content.decode()

    client.force_login(world.receptionist)  # the officer rated never sees it
    assert "Đánh giá không hài lòng" not in client.get(reverse("backoffice:inbox")).content.decode()
    assert client.get(reverse("feedback:unsatisfied")).status_code == 403


def test_an_officer_types_in_a_paper_form_of_a_dossier_in_their_jurisdiction_only(client, world, returned):
    from motcua.org.models import Membership
    from motcua.org.testing import make_staff

    colleague = make_staff(
        "mc2_xa_a", world.tree.one_stop_a, Membership.Role.RECEPTIONIST, full_name="Lê Thu"
    )
    client.force_login(world.outsider)
    response = client.post(reverse("feedback:paper"), {"ma": returned.code, **SATISFIED})
    assert response.status_code in (403, 404)
    client.force_login(colleague)
    response = client.post(reverse("feedback:paper"), {"ma": returned.code, **SATISFIED})
    assert response.status_code == 200 and "Đã ghi nhận phiếu đánh giá" in response.content.decode()
    again = client.post(reverse("feedback:paper"), {"ma": returned.code, **SATISFIED})
    assert again.status_code == 409 and "Phiếu giấy" in again.content.decode()
    assert Rating.objects.get().channel == "paper"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"token": "gia-mao"}, 403, "rating_link_invalid"),
        ({"answers": {"contacts": "none"}}, 400, "rating_incomplete"),
    ],
)
def test_the_api_answers_4xx_for_bad_input_and_records_nothing(client, returned, change, status, code):
    body = {
        "token": links.rating_token(returned.code, "tracking"),
        "answers": {"contacts": "none", "agencies": "none", "misconduct": "no"},
        "satisfied": True,
        **change,
    }
    response = client.post("/api/v1/ratings", body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]
    assert not Rating.objects.exists()


def test_the_api_rates_once_then_answers_409(client, returned):
    body = {
        "token": links.rating_token(returned.code, "my_dossiers"),
        "answers": {"contacts": "one", "agencies": "one_stop", "misconduct": "no"},
        "satisfied": False,
    }
    first = client.post("/api/v1/ratings", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["satisfied"] is False
    second = client.post("/api/v1/ratings", body, content_type="application/json")
    assert second.status_code == 409 and second.json()["code"] == "rating_duplicate"
    assert client.get("/api/v1/ratings/questionnaire").json()["version"] == "DG-2026.1"
