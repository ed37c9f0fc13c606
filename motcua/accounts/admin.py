"""Accounts in the admin: Django's UserAdmin, audited, with the user's roles inline.

The audit snapshots never carry the password hash: a password change is recorded as the fact
that it happened ("password_changed"), not as the old and new hashes.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp import admin as otp_totp_admin

from motcua.accounts import admin_language
from motcua.accounts.admin_language import PermissionsInVietnamese
from motcua.accounts.forms import AdminLoginForm
from motcua.accounts.models import User
from motcua.accounts.otp import staff_otp_reset
from motcua.audit.admin import AuditedAdmin
from motcua.audit.services import audit_record, snapshot
from motcua.lib.clients import client_ip
from motcua.org.admin import AuditedInlinesMixin
from motcua.org.models import Membership

SECRET_FIELDS = ("password",)

# The admin's sign-in form pauses an account guessed at from many addresses, as the sign-in page does.
admin.site.login_form = AdminLoginForm


admin_language.install()


def user_snapshot(user: User) -> dict:
    data = snapshot(user)
    for name in SECRET_FIELDS:
        data.pop(name, None)
    return data


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["agency", "role", "include_subtree", "active"]
    autocomplete_fields = ["agency"]
    verbose_name = "vai trò tại cơ quan"
    verbose_name_plural = "vai trò tại cơ quan"


admin.site.unregister(Group)
# django-otp's own page of TOTP devices shows their keys, in English, and deletes them unaudited:
# an administrator recovers an officer's second factor with the action on the account instead.
admin.site.unregister(otp_totp_admin.TOTPDevice)


@admin.register(Group)
class GroupAdmin(PermissionsInVietnamese, DjangoGroupAdmin):  # type: ignore[misc]
    pass


@admin.register(User)
class UserAdmin(PermissionsInVietnamese, AuditedInlinesMixin, AuditedAdmin, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "kind", "email", "phone", "is_staff", "is_active"]
    list_filter = ["kind", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "full_name", "email", "phone"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Thông tin cá nhân", {"fields": ["full_name", "kind", "email", "phone"]}),
        (
            "Quyền trong trang quản trị",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Thời điểm", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "kind", "usable_password", "password1", "password2"],
            },
        ),
    ]

    actions = ["reset_second_factor"]

    @admin.action(description="Đặt lại xác thực hai bước (mất điện thoại, đổi máy)")
    def reset_second_factor(self, request, queryset):
        removed = 0
        for user in queryset:
            removed += staff_otp_reset(user=user, actor=request.user, ip=client_ip(request))
        self.message_user(
            request,
            f"Đã đặt lại xác thực hai bước cho {queryset.count()} tài khoản ({removed} thiết bị bị gỡ). "
            "Ở lần đăng nhập tới, cán bộ sẽ đăng ký lại ứng dụng xác thực.",
        )

    def inline_audit_chain(self, obj) -> str:
        if isinstance(obj, Membership):
            return obj.agency.code
        return super().inline_audit_chain(obj)

    def audit_snapshot(self, obj) -> dict:
        return user_snapshot(obj)

    def audit_extra(self, old, obj, change: bool) -> dict:
        # Read before the save: obj.password may already hold the new hash.
        if not change:
            return {"password_set": True}
        return {"password_changed": old is not None and old.password != obj.password}

    def user_change_password(self, request, id, form_url=""):
        # Django's view saves the form itself (not through save_model): audit around it.
        with transaction.atomic():
            old_hash = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and old_hash is not None:
                user = User.objects.filter(pk=id).first()
                if user is not None and user.password != old_hash:
                    audit_record(
                        action="admin.password_change",
                        actor=request.user,
                        obj=user,
                        extra={"password_changed": True, "usable_password": user.has_usable_password()},
                        chain=self.audit_chain,
                        ip=client_ip(request),
                    )
        return response
