"""Sign-in through the national identity, end to end: Django's test client here, the real
OpenID provider (npm oidc-provider, tools/oidc-standin/) over HTTP on loopback there."""

import re
from datetime import date, timedelta
from html import escape, unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import Profile, User
from motcua.accounts.signin_methods import NATIONAL_IDENTITY, SESSION_KEY
from motcua.accounts.tests.oidc_standin import AN, BINH, query_of, running_standin
from motcua.audit.models import AuditEvent

START = "/tai-khoan/dinh-danh/"
CALLBACK = "http://testserver/tai-khoan/dinh-danh/ve/"


@pytest.fixture(scope="module")
def standin():
    with running_standin(redirect_uris=[CALLBACK], post_logout_redirect_uris=["http://testserver/"]) as s:
        yield s


@pytest.fixture
def provider(standin, settings, db):
    standin.oidc_settings(settings)
    standin.http.cookies.clear()  # a fresh browser at the provider for each test
    standin.misbehave("")
    yield standin
    standin.misbehave("")


def _start(client, next_url: str = "") -> str:
    response = client.get(START, {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return response["Location"]


def _sign_in(client, provider, who=AN, next_url: str = ""):
    back = provider.sign_in(_start(client, next_url), who)
    assert back.startswith(CALLBACK), back
    return client.get(query_of(back))


def _refusals():
    return list(
        AuditEvent.objects.filter(action="accounts.national_sign_in_refused").values_list("extra", flat=True)
    )


def test_the_sign_in_asks_for_code_with_pkce_state_nonce_and_loa1(client, provider):
    location = _start(client)
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    assert location.startswith(f"{provider.issuer}/auth?")
    assert params["response_type"] == "code"
    assert params["client_id"] == "motcua"
    assert params["redirect_uri"] == CALLBACK
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20
    assert params["acr_values"] == "LoA1"
    assert params["scope"].split() == ["openid", "profile", "email", "phone", "address"]


def test_acr_values_is_a_setting(client, provider, settings):
    settings.OIDC_ACR_VALUES = "LoA2"

    params = parse_qs(urlsplit(_start(client)).query)

    assert params["acr_values"] == ["LoA2"]


def test_a_citizen_signs_in_and_gets_an_account_filled_from_the_identity(client, provider):
    before = timezone.now()

    response = _sign_in(client, provider, next_url="/thu-tuc/")

    assert response.status_code == 302 and response["Location"] == "/thu-tuc/"
    user = User.objects.get()
    assert user.kind == User.Kind.CITIZEN
    assert (user.full_name, user.phone, user.email) == ("Nguyễn Văn An", "0912000001", "an.nguyen@example.vn")
    assert not user.has_usable_password()
    profile = user.profile
    assert profile.identity_issuer == provider.issuer and profile.identity_subject == "vneid-0001"
    assert profile.citizen_id == "001090000001"
    assert profile.date_of_birth == date(1990, 5, 12)
    assert profile.address == "Số 12, tổ 3, phường Phan Thiết, tỉnh Tuyên Quang"
    assert profile.identity_verified and before <= profile.identity_verified_at <= timezone.now()
    session = client.session
    assert session[AUTH_SESSION_KEY] == str(user.pk)
    assert session[SESSION_KEY] == NATIONAL_IDENTITY
    event = AuditEvent.objects.get(action="accounts.sign_in")
    assert event.actor == user and event.ip_address == "127.0.0.1"
    assert event.extra["method"] == "national_identity" and event.extra["account_created"] is True
    assert event.extra["acr"] == "LoA1"


def test_the_next_page_must_be_on_this_site(client, provider):
    response = _sign_in(client, provider, next_url="https://lua-dao.example/")

    assert response.status_code == 302 and response["Location"] == "/"


def test_signing_in_again_finds_the_same_account_by_issuer_and_subject(client, provider):
    _sign_in(client, provider)
    client.logout()
    first = User.objects.get()
    Profile.objects.filter(user=first).update(
        identity_verified_at=None, address="Địa chỉ mới do công dân sửa"
    )

    response = _sign_in(client, provider)

    assert response.status_code == 302
    assert User.objects.count() == 1 and client.session[AUTH_SESSION_KEY] == str(first.pk)
    profile = Profile.objects.get(user=first)
    assert profile.identity_verified  # verified again now
    assert profile.address == "Địa chỉ mới do công dân sửa"  # what the citizen changed stays
    assert AuditEvent.objects.get(action="accounts.sign_in", extra__account_created=False).actor == first


def test_an_account_with_the_same_email_is_never_taken_over(client, provider):
    local = User.objects.create_user(username="an-local", email="an.nguyen@example.vn", password="x" * 12)

    _sign_in(client, provider)

    national = User.objects.exclude(pk=local.pk).get()
    assert client.session[AUTH_SESSION_KEY] == str(national.pk)
    assert national.profile.identity_subject == "vneid-0001"
    assert not Profile.objects.filter(user=local).exists()


def test_a_staff_account_may_not_sign_in_this_way(client, provider):
    officer = User.objects.create_user(username="canbo", kind=User.Kind.STAFF, password="x" * 12)
    Profile.objects.create(user=officer, identity_issuer=provider.issuer, identity_subject=BINH["sub"])

    response = _sign_in(client, provider, who=BINH)

    assert response.status_code == 403
    assert "Tài khoản cán bộ, công chức không đăng nhập bằng định danh điện tử" in response.content.decode()
    assert AUTH_SESSION_KEY not in client.session
    assert Profile.objects.get(user=officer).identity_verified_at is None
    assert [e["reason"] for e in _refusals()] == ["staff"]


def test_a_locked_account_stays_locked(client, provider):
    _sign_in(client, provider)
    client.logout()
    User.objects.update(is_active=False)

    response = _sign_in(client, provider)

    assert response.status_code == 403 and AUTH_SESSION_KEY not in client.session
    assert "đang bị khóa" in response.content.decode()
    assert [e["reason"] for e in _refusals()] == ["inactive"]


@pytest.mark.parametrize(
    ("mode", "reason", "says"),
    [
        ("signature", "signature", "không có chữ ký hợp lệ của hệ thống định danh điện tử"),
        ("nonce", "nonce", "không thuộc về lần đăng nhập này"),
        ("iss", "issuer", "không do hệ thống định danh điện tử mà Cổng tin cậy cấp"),
        ("aud", "audience", "được cấp cho một ứng dụng khác"),
    ],
)
def test_a_token_that_fails_a_check_is_refused_and_nothing_is_created(client, provider, mode, reason, says):
    provider.misbehave(mode)

    response = _sign_in(client, provider)

    assert response.status_code == 400
    page = response.content.decode()
    assert says in page and "Không đăng nhập được bằng định danh điện tử" in page
    assert "chưa ghi nhận thông tin nào" in page
    assert not User.objects.exists() and not Profile.objects.exists()
    assert AUTH_SESSION_KEY not in client.session and SESSION_KEY not in client.session
    assert [e["reason"] for e in _refusals()] == [reason]


def test_a_token_of_another_issuer_than_configured_is_refused(client, provider, settings):
    # motcua trusts another issuer than the one that signs (same endpoints, as a mix-up would give).
    settings.OIDC_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
    settings.OIDC_ISSUER = "https://xacthuc.dichvucong.gov.vn"

    response = _sign_in(client, provider)

    assert response.status_code == 400 and not User.objects.exists()
    assert [e["reason"] for e in _refusals()] == ["issuer"]


def test_a_sign_in_finished_after_the_time_allowed_is_refused(client, provider, settings):
    settings.OIDC_STATE_MAX_AGE = 600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        location = _start(client)
    back = provider.sign_in(location, AN)

    with time_machine.travel(start + timedelta(seconds=601), tick=False):
        response = client.get(query_of(back))

    assert response.status_code == 400
    page = response.content.decode()
    assert "đã quá thời gian cho phép" in page and "hoàn tất trong 10 phút" in page
    assert not User.objects.exists()
    assert [e["reason"] for e in _refusals()] == ["state_expired"]


def test_an_unknown_state_is_refused(client, provider):
    _start(client)

    response = client.get("/tai-khoan/dinh-danh/ve/", {"code": "abc", "state": "trang-thai-gia-mao"})

    assert response.status_code == 400
    assert "không khớp với lần đăng nhập nào đang chờ" in response.content.decode()
    assert [e["reason"] for e in _refusals()] == ["state"]


def test_a_return_is_used_once(client, provider):
    back = provider.sign_in(_start(client), AN)
    assert client.get(query_of(back)).status_code == 302
    client.logout()

    replay = client.get(query_of(back))

    assert replay.status_code == 400 and AUTH_SESSION_KEY not in client.session
    assert [e["reason"] for e in _refusals()] == ["state"]


def test_the_return_from_another_browser_is_refused(client, provider):
    back = provider.sign_in(_start(client), AN)

    response = Client().get(query_of(back))  # an attacker's browser, without our state

    assert response.status_code == 400 and not User.objects.exists()


def test_a_refusal_at_the_provider_is_said_and_nothing_is_created(client, provider):
    state = parse_qs(urlsplit(_start(client)).query)["state"][0]

    response = client.get("/tai-khoan/dinh-danh/ve/", {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert "Bạn đã hủy đăng nhập" in response.content.decode()
    assert not User.objects.exists()
    assert [e["reason"] for e in _refusals()] == ["denied"]


def test_an_unreachable_provider_is_said(client, provider, settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9"  # discard port: nothing answers

    response = client.get(START)

    assert response.status_code == 502
    assert "Hiện không kết nối được với hệ thống định danh điện tử" in response.content.decode()
    assert [e["reason"] for e in _refusals()] == ["unreachable"]


def test_a_provider_gone_before_the_return_is_said_and_nothing_is_created(client, provider, settings):
    back = provider.sign_in(_start(client), AN)
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"  # nothing answers

    response = client.get(query_of(back))

    assert response.status_code == 502 and not User.objects.exists()
    assert [e["reason"] for e in _refusals()] == ["unreachable"]


def test_signing_out_ends_the_providers_session_too(client, provider):
    _sign_in(client, provider)
    # Signed in at the provider: a new sign-in there goes straight back, no credentials asked.
    assert provider.authorize(_start(client)).is_redirect

    response = client.post("/tai-khoan/dang-xuat/")

    assert AUTH_SESSION_KEY not in client.session
    # A page that goes on by itself to the provider (a redirect would break the form-action CSP).
    assert response.status_code == 200
    page = response.content.decode()
    end_url = unescape(re.search(r'<a [^>]*id="end-session" href="([^"]+)"', page).group(1))
    assert f'<meta http-equiv="refresh" content="0;url={escape(end_url)}">' in page
    end = urlsplit(end_url)
    params = parse_qs(end.query)
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.issuer}/session/end"
    assert params["post_logout_redirect_uri"] == ["http://testserver/"]
    assert params["id_token_hint"][0].count(".") == 2
    assert provider.end_session(end_url).startswith("http://testserver/")
    # The provider's session has ended: signing in again asks for credentials.
    page = provider.authorize(_start(client))
    assert page.status_code == 200 and 'name="password"' in page.text


def test_a_password_sign_out_stays_local(client, provider):
    User.objects.create_user(username="canbo", kind=User.Kind.STAFF, password="mat-khau-dung-2026")
    client.post("/tai-khoan/dang-nhap/", {"username": "canbo", "password": "mat-khau-dung-2026"})

    response = client.post("/tai-khoan/dang-xuat/")

    assert response.status_code == 302 and response["Location"] == "/"


def test_the_login_page_offers_the_national_sign_in_when_configured(client, provider, settings):
    button = "Đăng nhập bằng tài khoản định danh điện tử (VNeID)"
    page = client.get("/tai-khoan/dang-nhap/", {"next": "/thu-tuc/"}).content.decode()
    assert button in page and 'href="/tai-khoan/dinh-danh/?next=/thu-tuc/"' in page

    settings.OIDC_ISSUER = ""

    assert button not in client.get("/tai-khoan/dang-nhap/").content.decode()
    assert client.get(START).status_code == 404
