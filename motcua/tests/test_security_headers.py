"""Every page carries a Content Security Policy: this site's own scripts only, no plug-ins, no
framing by other sites."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/tra-cuu/", "/tai-khoan/dang-nhap/"])
def test_pages_carry_a_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["script-src"] == "'self'"  # no inline script, no other origin
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
