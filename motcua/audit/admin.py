from django.contrib import admin

from motcua.audit.models import AuditChain, AuditEvent
from motcua.audit.services import audit_record, snapshot
from motcua.lib.clients import client_ip
from motcua.org.models import Agency


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


CHAIN_NAMES = {"system": "Hệ thống", "catalog": "Danh mục thủ tục"}


def chain_name(key: str, agencies: dict[str, str]) -> str:
    """A chain is named for what it records: an agency's code → the agency's name."""
    return CHAIN_NAMES.get(key) or agencies.get(key) or key


class AgencyFilter(admin.SimpleListFilter):
    """The chain of events, named by its agency (chains are kept per receiving agency)."""

    title = "cơ quan"
    parameter_name = "chain"

    def lookups(self, request, model_admin):
        keys = list(AuditChain.objects.order_by("key").values_list("key", flat=True))
        agencies = dict(Agency.objects.filter(code__in=keys).values_list("code", "name"))
        return sorted(((k, chain_name(k, agencies)) for k in keys), key=lambda kv: kv[1])

    def queryset(self, request, queryset):
        return queryset.filter(chain=self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    """Who acted, by name (the name recorded with the event, kept if the account goes)."""

    title = "người thực hiện"
    parameter_name = "actor"
    NOBODY = "-"

    def lookups(self, request, model_admin):
        names = AuditEvent.objects.exclude(actor_name="").order_by("actor_name")
        lookups = [(name, name) for name in names.values_list("actor_name", flat=True).distinct()]
        return [(self.NOBODY, "Hệ thống (không có người thực hiện)"), *lookups]

    def queryset(self, request, queryset):
        if self.value() == self.NOBODY:
            return queryset.filter(actor_name="")
        return queryset.filter(actor_name=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "chain_label", "seq", "actor_name", "action", "object_repr", "ip_address"]
    list_filter = [AgencyFilter, ActorFilter, "action"]
    exclude = ["prev_hash", "hash", "chain"]
    search_fields = ["object_id", "object_repr", "actor_name"]
    date_hierarchy = "occurred_at"

    def get_queryset(self, request):
        self._agencies = dict(Agency.objects.values_list("code", "name"))
        return super().get_queryset(request)

    @admin.display(description="cơ quan (chuỗi)", ordering="chain")
    def chain_label(self, event):
        return chain_name(event.chain, getattr(self, "_agencies", {}))

    def get_readonly_fields(self, request, obj=None):
        # The hash columns have no Vietnamese label on the model: shown under ours.
        names = [f.name for f in AuditEvent._meta.fields if f.name not in ("prev_hash", "hash", "chain")]
        return ["chain_label", *names, "prev_hash_value", "hash_value"]

    @admin.display(description="mã băm sự kiện trước")
    def prev_hash_value(self, event):
        return event.prev_hash

    @admin.display(description="mã băm")
    def hash_value(self, event):
        return event.hash

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
