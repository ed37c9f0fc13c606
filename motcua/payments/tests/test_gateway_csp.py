"""The citizen's payment page, whose form is answered with a redirect to the gateway, allows the
gateway's origin in its CSP form-action; every other page keeps form-action 'self'."""

import pytest
from django.utils import timezone

from motcua.accounts.models import Profile
from motcua.payments.testing.world import build_world, payment_request

pytestmark = pytest.mark.django_db


def _form_action(response) -> str:
    policy = dict(
        p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";") if p.strip()
    )
    return policy["form-action"]


def test_only_the_payment_page_may_send_its_form_on_to_the_gateway(client, vnpay_standin):
    world = build_world()
    request = payment_request(world)
    Profile.objects.create(user=world.citizen, citizen_id="001190012345", identity_verified_at=timezone.now())
    client.force_login(world.citizen)
    page = client.get(f"/ho-so-cua-toi/{request.dossier.code}/thanh-toan/")
    assert page.status_code == 200
    assert _form_action(page) == f"'self' {vnpay_standin.url}"
    assert "script-src 'self'" in page["Content-Security-Policy"]  # the rest of the policy kept
    assert _form_action(client.get("/ho-so-cua-toi/")) == "'self'"
