"""The OAuth dance a mobile app does, through Django's test client (authorization code + PKCE)."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

REDIRECT_URI = "https://app.motcua.example/oauth/callback"
BOTH = "dossiers:read dossiers:write"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_query(
    app, challenge: str, *, scope: str = BOTH, state: str = "trang-thai-1", method="S256"
) -> str:
    return urlencode(
        {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": method,
        }
    )


def approve(client, app, challenge: str, *, scope: str = BOTH, state: str = "trang-thai-1") -> str:
    """The signed-in citizen opens the authorisation page and allows the app: the code."""
    page = client.get(f"/o/authorize/?{authorize_query(app, challenge, scope=scope, state=state)}")
    assert page.status_code == 200, page.content
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["allow"] = "Cho phép"
    answer = client.post("/o/authorize/", data)
    assert answer.status_code == 302, answer.content
    location = urlparse(answer["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == [state]
    return query["code"][0]


def exchange(client, app, code: str, verifier: str):
    return client.post(
        "/o/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app.client_id,
            "code_verifier": verifier,
        },
    )


def token_for(client, app, *, scope: str = BOTH) -> dict:
    verifier, challenge = pkce_pair()
    code = approve(client, app, challenge, scope=scope)
    answer = exchange(client, app, code, verifier)
    assert answer.status_code == 200, answer.content
    return answer.json()


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
