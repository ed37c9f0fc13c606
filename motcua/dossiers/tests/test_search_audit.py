"""A search of the dossiers (inbox, API, admin) looks for people: each writes an audit event
that says who searched for what, where, and how many dossiers it found."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.audit.models import AuditEvent
from motcua.audit.selectors import audit_verify_chains
from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance

pytestmark = pytest.mark.django_db
CITIZEN_ID = "001190012345"  # the applicant of conftest.intake


def searches() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="personal_data.search").order_by("pk"))


def test_an_inbox_search_by_citizen_id_is_audited_with_who_what_and_how_many(client, world, frozen):
    advance(world, services.State.PROCESSING)
    client.force_login(world.specialist)
    response = client.get("/xu-ly/", {"scope": "agency", "q": f" {CITIZEN_ID} "}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    [event] = searches()
    assert event.actor == world.specialist
    assert event.ip_address == "10.1.2.3"
    assert event.extra == {
        "q": CITIZEN_ID,
        "kind": "citizen_id",
        "results": 1,
        "where": "inbox",
        "agency": None,
    }
    assert event.chain == world.specialist.memberships.get().agency.code
    assert audit_verify_chains() == []


def test_an_inbox_without_a_search_writes_nothing(client, world, frozen):
    advance(world, services.State.PROCESSING)
    client.force_login(world.specialist)
    assert client.get("/xu-ly/", {"scope": "agency"}).status_code == 200
    assert searches() == []


def test_an_api_search_by_name_is_audited_even_when_it_finds_nobody(world, frozen):
    advance(world, services.State.PROCESSING)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.leader, name='thử')}")
    found = api.get("/api/v1/dossiers", {"scope": "agency", "q": "Hoa"})
    assert found.status_code == 200 and found.json()["count"] == 1
    nobody = api.get("/api/v1/dossiers", {"scope": "agency", "q": "Không Ai Tên Này"})
    assert nobody.json()["count"] == 0
    assert [
        (e.actor, e.extra["q"], e.extra["kind"], e.extra["results"], e.extra["where"]) for e in searches()
    ] == [
        (world.leader, "Hoa", "text", 1, "api"),
        (world.leader, "Không Ai Tên Này", "text", 0, "api"),
    ]


def test_an_admin_search_is_audited(client, world, frozen):
    advance(world, services.State.PROCESSING)
    admin = get_user_model().objects.create_superuser(username="sieu", password="x" * 20, email="a@b.vn")
    client.force_login(admin)
    assert client.get("/quan-tri/dossiers/dossier/", {"q": CITIZEN_ID}).status_code == 200
    assert client.get("/quan-tri/dossiers/dossier/").status_code == 200  # a plain listing: nothing
    [event] = searches()
    assert (event.actor, event.chain) == (admin, "system")
    assert (event.extra["q"], event.extra["results"], event.extra["where"]) == (CITIZEN_ID, 1, "admin")
