"""Dossiers in the admin: read-only (list, search, filters, detail with its steps and events).

Every change goes through ``services``; the admin can neither add, change nor delete. Opening a
dossier's page shows the applicant's personal data, so it is audited like any staff view; so is
a search (by name or citizen ID, it looks for a person).
"""

from django.contrib import admin

from motcua.audit.services import audit_record
from motcua.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from motcua.dossiers.selectors import record_search
from motcua.dossiers.services.rules import ACTION_LABELS
from motcua.lib.clients import client_ip


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentInline(ReadOnlyInline):
    model = DossierDocument
    # A tuple: the same names are the columns and the read-only columns (one list could not be
    # typed as both).
    fields = readonly_fields = ("requirement_code", "name", "copy_kind", "count", "digitised")


class StepInline(ReadOnlyInline):
    model = DossierStep
    fields = readonly_fields = (
        "seq",
        "name",
        "agency",
        "giver",
        "receiver",
        "started_at",
        "due_at",
        "finished_at",
        "timeliness",
    )


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = readonly_fields = (
        "at",
        "action_label",
        "state_label",
        "status_code",
        "actor_name",
        "agency_name",
        "note",
    )

    @admin.display(description="hành động")
    def action_label(self, event):
        return ACTION_LABELS.get(event.action, event.action)

    @admin.display(description="trạng thái sau")
    def state_label(self, event):
        return Dossier.State(event.state).label if event.state in Dossier.State.values else event.state

    @admin.display(description="người thực hiện")
    def actor_name(self, event):
        return event.actor.get_full_name() if event.actor else "–"

    @admin.display(description="cơ quan")
    def agency_name(self, event):
        return event.agency.name if event.agency else "–"


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "applicant_name",
        "procedure",
        "receiving_agency",
        "holder_agency",
        "state",
        "status_code",
        "received_at",
        "due_at",
        "timeliness",
    ]
    list_select_related = ["procedure", "receiving_agency", "holder_agency"]
    list_filter = ["status_code", "state", "channel", "timeliness", "supplement_flagged", "receiving_agency"]
    search_fields = ["code", "applicant_name", "citizen_id"]
    date_hierarchy = "received_at"
    ordering = ["-received_at", "-pk"]
    inlines = [DocumentInline, StepInline, EventInline]
    show_full_result_count = False

    # Technical columns of the API's retries (no meaning for an administrator, no label).
    exclude = ["idempotency_key", "idempotency_fingerprint", "created_by", "uid"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dossier._meta.fields if f.name not in self.exclude] + [
            "uid_value",
            "created_by_name",
        ]

    @admin.display(description="mã ngẫu nhiên (địa chỉ trang hồ sơ)")
    def uid_value(self, dossier):
        return dossier.uid

    @admin.display(description="người tạo")
    def created_by_name(self, dossier):
        return dossier.created_by.get_full_name() if dossier.created_by else "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        # The change list counted the search's results already (cl.result_count): recorded here
        # rather than in get_search_results, which would have to count them a second time.
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and changelist.query.strip():
            record_search(
                request.user,
                q=changelist.query,
                count=changelist.result_count,
                where="admin",
                ip=client_ip(request),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        dossier = Dossier.objects.select_related("receiving_agency").filter(pk=object_id).first()
        if dossier is not None and getattr(response, "status_code", 200) == 200:
            audit_record(
                action="personal_data.view",
                actor=request.user,
                obj=dossier,
                extra={"code": dossier.code, "via": "admin"},
                chain=dossier.receiving_agency.code,
                ip=client_ip(request),
            )
        return response
