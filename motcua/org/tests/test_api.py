"""GET /api/v1/agencies: the public list of agencies."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_agencies_in_tree_order_with_unit_and_parent(client, org_tree):
    response = client.get("/api/v1/agencies")

    assert response.status_code == 200
    body = response.json()
    assert len(body) == 7
    # Parents come before their children (the list is in materialised-path order).
    seen: set[str] = set()
    for agency in body:
        assert agency["parent"] is None or agency["parent"] in seen
        seen.add(agency["code"])
    assert body[0] == {
        "code": "000.00.00.H99",
        "name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "kind": "peoples_committee",
        "administrative_unit": {"code": "99", "name": "Tỉnh Thử Nghiệm"},
        "parent": None,
    }
    one_stop = next(a for a in body if a["code"] == "000.01.31.H99")
    assert one_stop["parent"] == "000.00.31.H99"
    assert one_stop["administrative_unit"] == {"code": "99001", "name": "Xã An Bình"}


def test_it_filters_by_kind_and_administrative_unit(client, org_tree):
    one_stops = client.get("/api/v1/agencies", {"kind": "one_stop"}).json()
    in_an_binh = client.get("/api/v1/agencies", {"admin_unit": "99001"}).json()

    assert sorted(a["code"] for a in one_stops) == ["000.01.31.H99", "000.01.32.H99"]
    assert [a["code"] for a in in_an_binh] == ["000.00.31.H99", "000.01.31.H99"]


@pytest.mark.parametrize("q", ["xa an binh", "XÃ AN BÌNH", "Xã An Bình", "000.00.31"])
def test_it_searches_names_without_accents_and_codes_by_prefix(client, org_tree, q):
    found = client.get("/api/v1/agencies", {"q": q}).json()

    assert found[0]["code"] == "000.00.31.H99"
    assert {a["code"] for a in found} <= {"000.00.31.H99", "000.01.31.H99"}


def test_it_answers_400_in_vietnamese_for_an_unknown_kind(client, org_tree):
    response = client.get("/api/v1/agencies", {"kind": "ministry"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"
    assert "Loại cơ quan “ministry” không hợp lệ" in response.json()["message"]


def test_it_hides_inactive_agencies(client, org_tree):
    from motcua.org import services

    services.agency_update(agency=org_tree.one_stop_b, active=False)

    codes = [a["code"] for a in client.get("/api/v1/agencies").json()]
    assert "000.01.32.H99" not in codes
    assert len(codes) == 6


def test_it_lists_without_one_query_per_agency(client, org_tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/api/v1/agencies")


def test_it_documents_the_endpoint_in_openapi(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    assert "/api/v1/agencies" in schema["paths"]
