"""The demo's mobile app, registered with the authorisation server (``manage.py demo_load``)."""

from typing import Any

from motcua.me.services import mobile_app_register

DEMO_CLIENT_ID = "motcua-demo-app"
DEMO_REDIRECT_URI = "vn.motcua.app:/oauth/callback"


def build_demo_mobile_app(*, stdout: Any) -> Any:
    app = mobile_app_register(
        name="Ứng dụng Dịch vụ công (dùng thử)", redirect_uris=[DEMO_REDIRECT_URI], client_id=DEMO_CLIENT_ID
    )
    stdout.write(
        f"Ứng dụng di động dùng thử: client_id {app.client_id}, địa chỉ quay về {DEMO_REDIRECT_URI} "
        "(OAuth 2.0: /o/authorize/ với PKCE S256, /o/token/; API /api/v1/me/)."
    )
    return app
