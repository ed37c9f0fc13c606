"""Counter devices: issued by the centre director (a one-time pairing code), paired by the tablet
(a cookie, never an officer's session), revoked; the tablet shows the dossier the officer at its
counter has just served and nothing else."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.feedback import devices
from motcua.feedback.models import CounterDevice, Rating
from motcua.feedback.tests.conftest import SATISFIED
from motcua.lib.errors import Forbidden

State = Dossier.State


def paired(world, counter, director) -> tuple[CounterDevice, Client]:
    device, code = devices.device_issue(actor=director, counter_id=counter.pk)
    tablet = Client()
    response = tablet.post(reverse("feedback:pair"), {"code": code.lower()[:4] + "-" + code[4:]})
    assert response.status_code == 302
    device.refresh_from_db()
    return device, tablet


def test_a_director_issues_a_device_whose_code_pairs_once_and_only_hashes_are_stored(
    world, counter, director
):
    device, code = devices.device_issue(actor=director, counter_id=counter.pk)
    assert len(code) == 8 and code not in device.pairing_hash
    tablet = Client()
    assert tablet.post(reverse("feedback:pair"), {"code": code}).status_code == 302
    token = tablet.cookies[settings.FEEDBACK_DEVICE_COOKIE]
    assert token["httponly"] and token.value not in CounterDevice.objects.get().token_hash
    # The code is spent: a second tablet cannot pair with it.
    other = Client().post(reverse("feedback:pair"), {"code": code})
    assert other.status_code == 403 and "Mã ghép không đúng hoặc đã hết hạn" in other.content.decode()
    assert settings.FEEDBACK_DEVICE_COOKIE not in Client().cookies


def test_a_pairing_code_expires_and_a_receptionist_cannot_issue_devices(world, counter, director, frozen):
    device, code = devices.device_issue(actor=director, counter_id=counter.pk)
    frozen.shift(timedelta(minutes=31))
    assert Client().post(reverse("feedback:pair"), {"code": code}).status_code == 403
    with pytest.raises(Forbidden):
        devices.device_issue(actor=world.receptionist, counter_id=counter.pk)


def test_the_tablet_shows_the_dossier_its_officer_just_served_and_records_the_counter_rating(
    world, counter, director, frozen
):
    device, tablet = paired(world, counter, director)
    idle = tablet.get(reverse("feedback:tablet")).content.decode()
    assert "Chưa có cán bộ nhận làm việc tại quầy này" in idle

    devices.device_sit(actor=world.receptionist, device_id=device.pk)
    other = advance(world, State.RECEIVED)  # received only: not offered
    assert other.code not in tablet.get(reverse("feedback:tablet")).content.decode()
    served = advance(world, State.RETURNED)
    page = tablet.get(reverse("feedback:tablet")).content.decode()
    assert served.code in page and "Lê Thị Tân" in page

    # A dossier other than the one shown is refused; the one shown is rated.
    wrong = tablet.post(reverse("feedback:tablet"), {"ma": other.code, **SATISFIED})
    assert wrong.status_code == 409
    done = tablet.post(reverse("feedback:tablet"), {"ma": served.code, **SATISFIED})
    assert "Cảm ơn ông/bà!" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.counter, rating.officer) == ("counter", counter, world.receptionist)
    # Rated: the tablet goes back to waiting, and a later visit does not offer it again.
    assert served.code not in tablet.get(reverse("feedback:tablet")).content.decode()


def test_the_tablet_forgets_a_dossier_served_more_than_half_an_hour_ago(world, counter, director, frozen):
    device, tablet = paired(world, counter, director)
    devices.device_sit(actor=world.receptionist, device_id=device.pk)
    served = advance(world, State.REFUSED)
    assert served.code in tablet.get(reverse("feedback:tablet")).content.decode()
    frozen.shift(timedelta(minutes=31))
    assert served.code not in tablet.get(reverse("feedback:tablet")).content.decode()


def test_a_revoked_device_and_a_made_up_cookie_open_nothing(world, counter, director):
    device, tablet = paired(world, counter, director)
    devices.device_revoke(actor=director, device_id=device.pk)
    assert "Ghép thiết bị đánh giá tại quầy" in tablet.get(reverse("feedback:tablet")).content.decode()
    stranger = Client()
    stranger.cookies[settings.FEEDBACK_DEVICE_COOKIE] = "khong-phai-ma-that"
    assert "Ghép thiết bị đánh giá tại quầy" in stranger.get(reverse("feedback:tablet")).content.decode()


def test_the_device_page_issues_for_directors_and_lets_officers_sit_at_a_counter(
    client, world, counter, director
):
    client.force_login(director)
    response = client.post(
        reverse("feedback:devices"), {"action": "issue", "counter": counter.pk, "label": "Máy 1"}
    )
    assert response.status_code == 200 and "Mã ghép cho “Máy 1”" in response.content.decode()
    device = CounterDevice.objects.get()
    client.force_login(world.receptionist)
    page = client.get(reverse("feedback:devices")).content.decode()
    assert "Máy 1" in page and "Cấp thiết bị mới" not in page
    client.post(reverse("feedback:devices"), {"action": "sit", "device": device.pk})
    device.refresh_from_db()
    assert device.officer == world.receptionist
    client.force_login(world.outsider)  # commune B: not their counter
    assert "Máy 1" not in client.get(reverse("feedback:devices")).content.decode()
    assert client.post(reverse("feedback:devices"), {"action": "sit", "device": device.pk}).status_code == 404
