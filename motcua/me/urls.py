"""The authorisation server's endpoints (django-oauth-toolkit), mounted at /o/: the app sends
the citizen to ``authorize/``, exchanges the code at ``token/`` (with its PKCE verifier), and
gives tokens up at ``revoke_token/``; a resource server may ask ``introspect/``. DOT's pages
for managing applications are not served: apps are registered by an administrator
(``manage.py register_mobile_app`` or the admin)."""

from django.urls import path
from oauth2_provider import views as dot

from motcua.me.oauth import AuthorizeView

app_name = "oauth2_provider"  # the namespace DOT's own views and templates reverse

urlpatterns = [
    path("authorize/", AuthorizeView.as_view(), name="authorize"),
    path("token/", dot.TokenView.as_view(), name="token"),
    path("revoke_token/", dot.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", dot.IntrospectTokenView.as_view(), name="introspect"),
]
