"""django-oauth-toolkit's admin, in Vietnamese (``OAUTH2_PROVIDER["*_ADMIN_CLASS"]``): the
library's own classes — tokens masked, never added by hand, revoked rather than deleted — with
Vietnamese columns and actions, and an application form with only what a mobile app (a public
client) needs. Not named ``admin.py``: DOT's admin module imports these while it loads."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from oauth2_provider import admin as dot_admin
from oauth2_provider.models import get_application_model


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = get_application_model()
        fields = [
            "name",
            "client_id",
            "client_type",
            "authorization_grant_type",
            "redirect_uris",
            "skip_authorization",
        ]


class ApplicationAdmin(admin.ModelAdmin):
    form = ApplicationForm
    list_display = ("name", "client_id", "client_type", "authorization_grant_type", "created")
    list_filter = ("client_type", "authorization_grant_type")
    radio_fields = {"client_type": admin.HORIZONTAL, "authorization_grant_type": admin.VERTICAL}
    search_fields = ("name", "client_id")


class AccessTokenAdmin(dot_admin.AccessTokenAdmin):
    list_display = ("masked_token", "user", "application", "scope", "expires")

    @admin.action(description="Thu hồi các mã truy cập đã chọn")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().revoke_tokens(request, queryset)

    @admin.display(description="mã (che bớt)")
    def masked_token(self, obj: Any) -> str:
        return str(super().masked_token(obj))


class RefreshTokenAdmin(dot_admin.RefreshTokenAdmin):
    list_display = ("masked_token", "user", "application", "created", "revoked")

    @admin.action(description="Thu hồi các mã làm mới đã chọn")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().revoke_tokens(request, queryset)

    @admin.display(description="mã (che bớt)")
    def masked_token(self, obj: Any) -> str:
        return str(super().masked_token(obj))


class GrantAdmin(dot_admin.GrantAdmin):
    list_display = ("masked_code", "user", "application", "expires")

    @admin.display(description="mã cấp quyền (che bớt)")
    def masked_code(self, obj: Any) -> str:
        return str(super().masked_code(obj))


class IDTokenAdmin(dot_admin.IDTokenAdmin):
    list_display = ("user", "application", "expires")
