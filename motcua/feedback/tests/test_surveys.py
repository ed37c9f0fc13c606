"""The periodic survey: a reproducible random sample of returned dossiers, single-use signed
invitations, anonymous answers, and the share of satisfied + very satisfied per element."""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.feedback import links, surveys
from motcua.feedback.models import SurveyInvitation, SurveyResponse
from motcua.lib.errors import Forbidden, InvalidInput
from motcua.notifications.models import OutboxMessage

State = Dossier.State
ELEMENTS = ("access", "procedure", "official", "result", "feedback")


def answers(satisfaction: dict[str, int]) -> dict[str, str]:
    form = {}
    for key in ELEMENTS:
        form.update(
            {
                f"{key}-assessment": "4",
                f"{key}-satisfaction": str(satisfaction.get(key, 3)),
                f"{key}-expectation": "2",
            }
        )
    return form


@pytest.fixture
def six_returned(world, frozen):
    return [advance(world, State.RETURNED) for _ in range(6)]


def make_round(world, size=4, seed=7, **kw):
    values = {
        "actor": world.leader,
        "agency_id": world.tree.commune_a.pk,
        "name": "Khảo sát quý I/2026",
        "closed_from": date(2026, 3, 1),
        "closed_until": date(2026, 3, 31),
        "sample_size": size,
        "seed": seed,
    }
    return surveys.survey_round_create(**{**values, **kw})


def test_the_sample_is_random_and_the_same_seed_draws_the_same_dossiers(world, six_returned):
    agency = world.tree.commune_a
    args = {"agency": agency, "closed_from": date(2026, 3, 1), "closed_until": date(2026, 3, 31), "size": 3}
    first = surveys.draw_sample(seed=1, **args)
    assert first == surveys.draw_sample(seed=1, **args)
    assert len(first) == 3 and set(first) <= {d.pk for d in six_returned}
    assert any(surveys.draw_sample(seed=s, **args) != first for s in range(2, 8))
    # Outside the period: nothing to draw.
    assert (
        surveys.draw_sample(
            agency=agency, closed_from=date(2026, 4, 1), closed_until=date(2026, 4, 30), size=3, seed=1
        )
        == []
    )


def test_a_round_invites_by_sms_link_and_an_answer_is_recorded_once_and_anonymously(world, six_returned):
    rnd = make_round(world)
    invitations = list(rnd.invitations.all())
    assert len(invitations) == 4 and {i.channel for i in invitations} == {"sms"}  # the dossiers have phones
    sms = OutboxMessage.objects.filter(event="feedback.survey", channel="sms")
    assert sms.count() == 4
    path = re.search(r"(/khao-sat/[^ ]+/)", sms[0].body).group(1)
    assert sms[0].body.endswith(path) and sms[0].body.isascii()  # the link whole, within the SMS
    long_name = world.tree.commune_a
    long_name.name, long_name.short_name = "Ủy ban nhân dân " + "rất " * 60 + "dài", ""
    assert surveys.invitation_text(long_name, "http://x.vn" + path).startswith("Mời ông/bà")

    citizen = Client()
    form = citizen.get(path)
    assert form.status_code == 200 and "Tiếp cận dịch vụ" in form.content.decode()
    done = citizen.post(path, answers({"access": 5, "procedure": 4, "official": 2}))
    assert "Cảm ơn ông/bà đã tham gia khảo sát" in done.content.decode()
    response = SurveyResponse.objects.get()
    assert response.answers["access"] == {"assessment": 4, "satisfaction": 5, "expectation": 2}
    assert {f.name for f in SurveyResponse._meta.get_fields()} == {
        "id",
        "round",
        "channel",
        "answers",
        "answered_on",
    }
    used = SurveyInvitation.objects.get(used_on__isnull=False)
    assert used.dossier is None  # no way back from the answer to the dossier

    again = citizen.post(path, answers({"access": 1}))
    assert again.status_code == 409 and "đã được sử dụng" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_a_forged_link_or_an_incomplete_answer_records_nothing(world, six_returned):
    make_round(world)
    forged = Client().post(reverse("feedback:survey", args=["gia-mao:123"]), answers({}))
    assert forged.status_code == 403 and "Đường dẫn khảo sát không hợp lệ" in forged.content.decode()
    with pytest.raises(Forbidden):
        surveys.survey_answer(token=links.survey_token("0" * 32)[:-3] + "abc", data=answers({}))
    invitation = SurveyInvitation.objects.first()
    partial = answers({})
    del partial["result-satisfaction"]
    with pytest.raises(InvalidInput) as caught:
        surveys.survey_answer(token=links.survey_token(invitation.nonce), data=partial)
    assert caught.value.details == {"result-satisfaction": "Vui lòng chọn một mức từ 1 đến 5."}
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used_on is None and invitation.dossier is not None


def test_the_result_is_the_share_of_satisfied_and_very_satisfied_per_element_and_their_mean(
    world, six_returned
):
    rnd = make_round(world)
    tokens = [links.survey_token(i.nonce) for i in rnd.invitations.order_by("pk")]
    surveys.survey_answer(
        token=tokens[0],
        data=answers({"access": 5, "procedure": 4, "official": 4, "result": 5, "feedback": 3}),
    )
    surveys.survey_answer(
        token=tokens[1],
        data=answers({"access": 4, "procedure": 2, "official": 4, "result": 5, "feedback": 3}),
    )
    surveys.survey_answer(
        token=tokens[2],
        data=answers({"access": 3, "procedure": 1, "official": 5, "result": 4, "feedback": 4}),
    )
    surveys.survey_paper_entry(
        actor=world.receptionist,
        round_id=rnd.pk,
        data=answers({"access": 5, "procedure": 5, "official": 1, "result": 5, "feedback": 2}),
    )
    result = surveys.survey_result(rnd)
    shares = {e.key: e.share for e in result.elements}
    # access 3 of 4, procedure 2 of 4, official 3 of 4, result 4 of 4, feedback 1 of 4
    assert shares == {"access": 75.0, "procedure": 50.0, "official": 75.0, "result": 100.0, "feedback": 25.0}
    assert result.overall == 65.0 and (result.responses, result.invited) == (4, 4)


def test_a_round_with_a_period_ending_before_it_starts_is_refused(world, six_returned):
    with pytest.raises(InvalidInput) as caught:
        make_round(world, closed_from=date(2026, 3, 31), closed_until=date(2026, 3, 1))
    assert caught.value.details == {"closed_until": "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."}
    with pytest.raises(Forbidden):
        make_round(world, actor=world.outsider)
    assert not SurveyInvitation.objects.exists()


def test_the_survey_pages_create_a_round_and_show_its_result(client, world, six_returned):
    client.force_login(world.leader)
    response = client.post(
        reverse("feedback:surveys"),
        {
            "name": "Đợt 1",
            "agency": world.tree.commune_a.pk,
            "closed_from": "01/03/2026",
            "closed_until": "31/03/2026",
            "sample_size": "3",
            "seed": "5",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "0 phiếu / 3 lời mời" in page and "hạt giống 5" in page
    bad = client.post(
        reverse("feedback:surveys"),
        {
            "name": "",
            "agency": world.tree.commune_a.pk,
            "closed_from": "31/03/2026",
            "closed_until": "01/03/2026",
            "sample_size": "0",
        },
    )
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Nhập tên đợt khảo sát." in html and "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu." in html
