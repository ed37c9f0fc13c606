from django.contrib import admin

from motcua.audit.models import AuditEvent
from motcua.audit.services import audit_record, snapshot
from motcua.lib.clients import client_ip


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every add, change and delete writes an audit event.

    The admin's own save is the write path for reference data that has no service (holidays,
    opening hours …); the event is written in the same transaction as the change.
    """

    audit_chain = "system"

    def audit_snapshot(self, obj) -> dict:
        """What the event records of an object before and after; override to leave out secrets."""
        return snapshot(obj)

    def audit_extra(self, old, obj, change: bool) -> dict:
        """Facts to record beside before/after (``old`` is the stored row before a change)."""
        return {}

    def save_model(self, request, obj, form, change):
        old = type(obj).objects.filter(pk=obj.pk).first() if change and obj.pk else None
        before = self.audit_snapshot(old) if old is not None else None
        extra = self.audit_extra(old, obj, change)
        super().save_model(request, obj, form, change)
        audit_record(
            action=f"admin.{'change' if change else 'add'}",
            actor=request.user,
            obj=obj,
            before=before,
            after=self.audit_snapshot(obj),
            extra=extra,
            chain=self.audit_chain,
            ip=client_ip(request),
        )

    def delete_model(self, request, obj):
        before = self.audit_snapshot(obj)
        pk, label, text = obj.pk, obj._meta.label_lower, str(obj)
        super().delete_model(request, obj)
        audit_record(
            action="admin.delete",
            actor=request.user,
            object_type=label,
            object_id=str(pk),
            object_repr=text,
            before=before,
            chain=self.audit_chain,
            ip=client_ip(request),
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "chain", "seq", "actor_name", "action", "object_repr", "ip_address"]
    list_filter = ["chain", "action"]
    search_fields = ["object_id", "object_repr", "actor_name"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
