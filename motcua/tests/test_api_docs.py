import pytest


@pytest.mark.django_db
def test_the_api_docs_page_uses_no_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn" not in body.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in body


@pytest.mark.django_db
def test_the_openapi_schema_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "motcua API"
