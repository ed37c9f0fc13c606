from django.contrib import admin

from motcua.signing.models import AgencySigner, EResult


@admin.register(AgencySigner)
class AgencySignerAdmin(admin.ModelAdmin):
    """Keys are registered with ``manage.py signing_register`` (it reads the certificate and
    checks it); here an administrator sees them and retires one (``active``)."""

    list_display = ["agency", "kind", "user", "subject", "valid_until", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["agency__name", "agency__code", "subject", "user__username"]
    readonly_fields = [
        "agency",
        "kind",
        "user",
        "certificate",
        "chain",
        "key_ref",
        "subject",
        "valid_until",
        "created_at",
    ]
    fields = [*readonly_fields[:-1], "active", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(EResult)
class EResultAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "leader_signed_at", "issued_at"]
    search_fields = ["code"]
    readonly_fields = [f.name for f in EResult._meta.fields if f.name not in ("id", "token")]
    exclude = ["token"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
