"""How many SQL queries the busiest reads cost: the dossier page, the inbox and the dossier API.

Each count is pinned, and the lists are measured at two sizes: a page of 2 dossiers and a page
of 8 cost the same, so a query per row (N+1) added later fails here instead of in production.
When a change adds a query on purpose, update the number and say why in the commit."""

import pytest
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.dossiers import services
from motcua.dossiers.services import ApplicantData, SupplementItem
from motcua.dossiers.tests.conftest import intake

pytestmark = pytest.mark.django_db

# The dossier page of a dossier held by its specialist, with the actions it offers him
# (+2 for issue 12 §3 and 13 §4: its consignments, its national portal sync state; -1: the
# user's roles on the dossier's agencies read in one query; -1: the menu's counter entry is
# kept per process, org.selectors.MENU_ROLES).
DOSSIER_PAGE = 18
# The inbox ("Của tôi", every bucket counted), whatever the number of rows on the page; one of
# them the head of unit's unsatisfied ratings (motcua/feedback's panel). Unsearched, the page
# counts its rows with the buckets (no second COUNT); the procedure filter's list and the menu's
# counter entry are kept.
INBOX = 6
# GET /api/v1/dossiers/{code} (its actions: the user's roles on the dossier's agencies read in
# one query) and GET /api/v1/dossiers (a page of summaries).
API_DOSSIER = 9
API_LIST = 3


def _receive(world, n: int):
    applicant = ApplicantData(
        kind="person", name=f"Người nộp {n}", citizen_id="001190012345", phone="0912345678"
    )
    d = services.dossier_receive(actor=world.receptionist, data=intake(world, applicant=applicant))
    d = services.dossier_forward(actor=world.receptionist, dossier=d, expected_version=d.version)
    d = services.dossier_assign(
        actor=world.leader, dossier=d, expected_version=d.version, officer=world.specialist
    )
    services.dossier_add_comment(actor=world.specialist, dossier=d, body=f"Ý kiến {n}")
    return d


def _more(world, start: int, count: int):
    return [_receive(world, n) for n in range(start, start + count)]


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dossier_page_costs_a_fixed_number_of_queries(world, frozen, django_assert_num_queries):
    d = _receive(world, 1)
    d = services.dossier_request_supplement(
        actor=world.specialist,
        dossier=d,
        expected_version=d.version,
        items=[SupplementItem("Giấy xác nhận tình trạng hôn nhân", "Bản đã hết hạn")],
    )
    d = services.dossier_receive_supplement(actor=world.receptionist, dossier=d, expected_version=d.version)
    client = _signed_in(world.specialist)
    client.get(f"/xu-ly/ho-so/{d.code}/")  # the session and the kept calendars, once
    with django_assert_num_queries(DOSSIER_PAGE):
        response = client.get(f"/xu-ly/ho-so/{d.code}/")
    assert response.status_code == 200


def test_the_inbox_costs_the_same_for_2_and_for_8_dossiers(world, frozen, django_assert_num_queries):
    _more(world, 1, 2)
    client = _signed_in(world.specialist)
    client.get("/xu-ly/")
    with django_assert_num_queries(INBOX):
        small = client.get("/xu-ly/")
    _more(world, 3, 6)
    with django_assert_num_queries(INBOX):
        large = client.get("/xu-ly/")
    assert (len(small.context["rows"]), len(large.context["rows"])) == (2, 8)


def test_the_dossier_api_costs_a_fixed_number_of_queries(world, frozen, django_assert_num_queries):
    dossiers = _more(world, 1, 2)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=world.specialist)}")
    client.get(f"/api/v1/dossiers/{dossiers[0].code}")
    with django_assert_num_queries(API_DOSSIER):
        one = client.get(f"/api/v1/dossiers/{dossiers[0].code}")
    assert one.status_code == 200
    with django_assert_num_queries(API_LIST):
        small = client.get("/api/v1/dossiers")
    _more(world, 3, 6)
    with django_assert_num_queries(API_LIST):
        large = client.get("/api/v1/dossiers")
    assert (small.json()["count"], large.json()["count"]) == (2, 8)
