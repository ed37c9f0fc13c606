from django.urls import path

from motcua.accounts import oidc_views
from motcua.accounts.views import SignInView

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", SignInView.as_view(), name="login"),
    # Signing out ends the national identity provider's session too (oidc_views.SignOutView).
    path("dang-xuat/", oidc_views.SignOutView.as_view(), name="logout"),
    path("dinh-danh/", oidc_views.start, name="oidc_start"),
    path("dinh-danh/ve/", oidc_views.callback, name="oidc_callback"),
]
