"""The mobile app's authorisation: the whole OAuth dance with PKCE, then /api/v1/me with the
token; what is refused, with the API's error body."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from motcua.accounts.models import Profile, User
from motcua.accounts.services import api_token_create
from motcua.me.services import mobile_app_register
from motcua.me.tests.oauth_flow import (
    REDIRECT_URI,
    approve,
    authorize_query,
    bearer,
    exchange,
    pkce_pair,
    token_for,
)

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def app(db):
    return mobile_app_register(name="Dịch vụ công Tỉnh Demo", redirect_uris=[REDIRECT_URI])


@pytest.fixture
def citizen(db):
    user = User.objects.create_user(
        username="0912345678", full_name="Nguyễn Thị Hoa", kind=User.Kind.CITIZEN, phone="0912345678"
    )
    Profile.objects.create(user=user, citizen_id="001190012345", address="Thôn Đông, xã An Bình")
    return user


@pytest.fixture
def staff(db):
    return User.objects.create_user(username="canbo", full_name="Trần Văn Bình", kind=User.Kind.STAFF)


def test_a_citizen_authorises_the_app_with_pkce_and_the_app_reads_their_profile(client, app, citizen, frozen):
    client.force_login(citizen)
    verifier, challenge = pkce_pair()
    page = client.get(f"/o/authorize/?{authorize_query(app, challenge)}")
    text = page.content.decode()
    assert "Cho phép ứng dụng “Dịch vụ công Tỉnh Demo”?" in text
    assert "Nộp hồ sơ, bổ sung và rút hồ sơ thay bạn" in text
    code = approve(client, app, challenge)

    answer = exchange(client, app, code, verifier)

    assert answer.status_code == 200
    token = answer.json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert set(token["scope"].split()) == {"dossiers:read", "dossiers:write"}
    client.logout()  # the app has no session: only the token
    me = client.get("/api/v1/me", **bearer(token["access_token"]))
    assert me.status_code == 200
    assert me.json() | {} == {
        "username": "0912345678",
        "kind": "citizen",
        "full_name": "Nguyễn Thị Hoa",
        "phone": "0912345678",
        "email": "",
        "citizen_id": "001190012345",
        "date_of_birth": None,
        "address": "Thôn Đông, xã An Bình",
        "tax_code": "",
        "organisation_name": "",
        "representative": "",
        "identity_verified": False,
        "notify_channels": me.json()["notify_channels"],
    }


def test_the_code_is_refused_with_a_wrong_verifier_and_then_with_none(client, app, citizen, frozen):
    client.force_login(citizen)
    verifier, challenge = pkce_pair()
    code = approve(client, app, challenge)

    wrong = exchange(client, app, code, pkce_pair()[0])

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    missing = client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app.client_id,
        },
    )
    assert missing.status_code == 400


def test_the_plain_pkce_method_is_refused(client, app, citizen, frozen):
    client.force_login(citizen)
    verifier, _ = pkce_pair()
    page = client.get(f"/o/authorize/?{authorize_query(app, verifier, method='plain')}")
    if page.status_code == 200:  # DOT refuses it when the code would be made
        form = page.context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None} | {"allow": "Cho phép"}
        page = client.post("/o/authorize/", data)
    assert page.status_code == 302
    assert "error=invalid_request" in page["Location"]
    assert "code=" not in page["Location"]


def test_without_a_code_challenge_the_app_is_sent_back_an_error(client, app, citizen, frozen):
    client.force_login(citizen)
    query = authorize_query(app, "").replace("&code_challenge=&code_challenge_method=S256", "")
    page = client.get(f"/o/authorize/?{query}")
    assert page.status_code == 302
    assert "error=invalid_request" in page["Location"]


def test_a_signed_out_visitor_is_sent_to_sign_in_first(client, app, frozen):
    _, challenge = pkce_pair()
    page = client.get(f"/o/authorize/?{authorize_query(app, challenge)}")
    assert page.status_code == 302
    assert page["Location"].startswith("/tai-khoan/")
    assert "next=/o/authorize/" in page["Location"]


def test_an_unknown_app_gets_a_vietnamese_page_not_a_redirect(client, citizen, frozen):
    client.force_login(citizen)
    page = client.get(
        "/o/authorize/?response_type=code&client_id=khong-co&redirect_uri=https://evil.example/cb"
    )
    assert page.status_code in (400, 401)
    text = page.content.decode()
    assert "Ứng dụng này chưa được đăng ký với hệ thống." in text
    assert "evil.example" not in page.get("Location", "")


def test_a_staff_account_cannot_authorise_an_app(client, app, staff, frozen):
    client.force_login(staff)
    _, challenge = pkce_pair()
    page = client.get(f"/o/authorize/?{authorize_query(app, challenge)}")
    assert page.status_code == 403
    assert "Tài khoản cán bộ, công chức không dùng được" in page.content.decode()
    from oauth2_provider.models import Grant

    assert not Grant.objects.exists()


def test_a_code_is_refused_once_its_account_became_staff(client, app, citizen, frozen):
    client.force_login(citizen)
    verifier, challenge = pkce_pair()
    code = approve(client, app, challenge)
    User.objects.filter(pk=citizen.pk).update(kind=User.Kind.STAFF)
    answer = exchange(client, app, code, verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def test_an_expired_token_is_refused_with_the_error_body(client, app, citizen, frozen):
    client.force_login(citizen)
    token = token_for(client, app)["access_token"]
    client.logout()
    assert client.get("/api/v1/me", **bearer(token)).status_code == 200

    frozen.shift(timedelta(seconds=3601))
    answer = client.get("/api/v1/me", **bearer(token))

    assert answer.status_code == 401
    assert answer.json() == {
        "code": "invalid_token",
        "message": "Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi: "
        "hãy đăng nhập lại trong ứng dụng.",
        "details": {},
    }


def test_a_revoked_token_is_refused(client, app, citizen, frozen):
    client.force_login(citizen)
    token = token_for(client, app)
    client.logout()

    revoked = client.post("/o/revoke_token/", {"token": token["access_token"], "client_id": app.client_id})

    assert revoked.status_code == 200
    answer = client.get("/api/v1/me", **bearer(token["access_token"]))
    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_token"


def test_the_refresh_token_gives_a_new_access_token(client, app, citizen, frozen):
    client.force_login(citizen)
    token = token_for(client, app)
    client.logout()
    frozen.shift(timedelta(hours=2))
    refreshed = client.post(
        "/o/token/",
        {"grant_type": "refresh_token", "refresh_token": token["refresh_token"], "client_id": app.client_id},
    )
    assert refreshed.status_code == 200
    assert client.get("/api/v1/me", **bearer(refreshed.json()["access_token"])).status_code == 200


def test_without_a_token_the_answer_is_401_in_the_error_shape(client, db):
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.json() == {"code": "unauthenticated", "message": "Cần đăng nhập.", "details": {}}


def test_a_staff_api_key_is_refused_on_me_and_an_app_token_on_the_staff_api(
    client, app, citizen, staff, frozen
):
    key = api_token_create(user=staff, name="tich-hop")
    answer = client.get("/api/v1/me", **bearer(key))
    assert answer.status_code == 403
    assert answer.json()["code"] == "staff_token"
    # The staff key still opens the staff operations.
    assert client.get("/api/v1/dossiers", **bearer(key)).status_code == 200

    client.force_login(citizen)
    token = token_for(client, app)["access_token"]
    client.logout()
    staff_api = client.get("/api/v1/dossiers", **bearer(token))
    assert staff_api.status_code == 401
    assert staff_api.json()["code"] == "unauthenticated"


def test_a_read_only_token_cannot_write(client, app, citizen, frozen):
    client.force_login(citizen)
    token = token_for(client, app, scope="dossiers:read")["access_token"]
    client.logout()
    answer = client.post(
        "/api/v1/me/dossiers/X/withdraw",
        {"version": 1, "reason": "Nộp nhầm"},
        content_type="application/json",
        **bearer(token),
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "insufficient_scope"
    assert answer.json()["details"] == {"required_scope": "dossiers:write"}


def test_the_command_registers_a_public_client_with_pkce(db, capsys):
    call_command("register_mobile_app", "--name", "Ứng dụng thử", "--redirect-uri", "vn.motcua.app:/oauth")
    client_id = capsys.readouterr().out.strip()
    from oauth2_provider.models import Application

    app = Application.objects.get(client_id=client_id)
    assert (app.name, app.client_type, app.authorization_grant_type) == (
        "Ứng dụng thử",
        "public",
        "authorization-code",
    )
    assert app.redirect_uris == "vn.motcua.app:/oauth"


def test_the_demo_app_is_registered_once_however_often_the_demo_loads(db):
    from io import StringIO

    from oauth2_provider.models import Application

    from motcua.me.demo import DEMO_CLIENT_ID, build_demo_mobile_app

    build_demo_mobile_app(stdout=StringIO())
    out = StringIO()
    build_demo_mobile_app(stdout=out)
    app = Application.objects.get()
    assert (app.client_id, app.client_type, app.redirect_uris) == (
        DEMO_CLIENT_ID,
        "public",
        "vn.motcua.app:/oauth/callback",
    )
    assert "client_id motcua-demo-app" in out.getvalue()


def test_an_app_comes_back_through_its_own_scheme(client, citizen, frozen):
    from io import StringIO
    from urllib.parse import urlencode

    from motcua.me.demo import DEMO_REDIRECT_URI, build_demo_mobile_app

    app = build_demo_mobile_app(stdout=StringIO())
    client.force_login(citizen)
    _, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": DEMO_REDIRECT_URI,
        "scope": "dossiers:read",
        "state": "s1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = client.get(f"/o/authorize/?{urlencode(query)}")
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None} | {"allow": "Cho phép"}
    answer = client.post("/o/authorize/", data)
    assert answer.status_code == 302
    assert answer["Location"].startswith("vn.motcua.app:/oauth/callback?")
    assert "code=" in answer["Location"]
