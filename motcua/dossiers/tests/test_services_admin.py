"""The admin shows dossiers read-only; opening one is an audited view of personal data."""

import pytest
from django.contrib.auth import get_user_model

from motcua.audit.models import AuditEvent
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged(client):
    user = get_user_model().objects.create_superuser(username="sieu", password="x" * 20, email="a@b.vn")
    client.force_login(user)
    return client


def test_the_admin_lists_and_searches_dossiers_but_cannot_change_them(world, frozen, admin_client_logged):
    d = advance(world, services.State.PROCESSING)
    listing = admin_client_logged.get("/quan-tri/dossiers/dossier/", {"q": "Hoa"})
    assert listing.status_code == 200 and d.code in listing.text
    assert admin_client_logged.get("/quan-tri/dossiers/dossier/add/").status_code == 403
    page = admin_client_logged.get(f"/quan-tri/dossiers/dossier/{d.pk}/change/")
    assert page.status_code == 200 and "001190012345" in page.text
    assert AuditEvent.objects.filter(action="personal_data.view", object_id=str(d.pk)).count() == 1
    posted = admin_client_logged.post(f"/quan-tri/dossiers/dossier/{d.pk}/change/", {"state": "returned"})
    assert posted.status_code == 403
    assert (
        admin_client_logged.post(f"/quan-tri/dossiers/dossier/{d.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Dossier.objects.get(pk=d.pk).state == "processing"
    assert admin_client_logged.get("/quan-tri/notifications/outboxmessage/").status_code == 200
