from django.urls import path

from motcua.accounts import oidc_views, views_local, views_otp, views_profile
from motcua.accounts.views import SignInView

app_name = "accounts"

urlpatterns = [
    path("dang-nhap/", SignInView.as_view(), name="login"),
    # Signing out ends the national identity provider's session too (oidc_views.SignOutView).
    path("dang-xuat/", oidc_views.SignOutView.as_view(), name="logout"),
    path("dinh-danh/", oidc_views.start, name="oidc_start"),
    path("dinh-danh/ve/", oidc_views.callback, name="oidc_callback"),
    # Local accounts of citizens and organisations (phone number + password, SMS code).
    path("dang-ky/", views_local.register, name="register"),
    path("dang-ky/xac-thuc/<uuid:ref>/", views_local.register_verify, name="register_verify"),
    path("quen-mat-khau/", views_local.password_reset, name="password_reset"),
    path("quen-mat-khau/<uuid:ref>/", views_local.password_reset_verify, name="password_reset_verify"),
    path("thong-tin/", views_profile.profile, name="profile"),
    # The staff second factor (TOTP).
    path("xac-thuc-hai-buoc/", views_otp.otp_verify, name="otp_verify"),
    path("xac-thuc-hai-buoc/dang-ky/", views_otp.otp_enrol, name="otp_enrol"),
]
