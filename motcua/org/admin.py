"""Administration of the organisation, in Vietnamese. Every change is audited.

Agencies are saved through the services (agency_create / agency_update / agency_move), which
keep the materialised paths of the whole subtree right and audit on the agency's own chain.
"""

from django import forms
from django.contrib import admin

from motcua.audit.admin import AuditedAdmin
from motcua.audit.services import audit_record, snapshot
from motcua.lib.clients import client_ip
from motcua.lib.errors import DomainError
from motcua.lib.text import fold
from motcua.org import services
from motcua.org.models import AdministrativeUnit, Agency, Counter, Membership, ServicePoint


class AuditedInlinesMixin(AuditedAdmin):
    """Audits what inlines add, change and delete (AuditedAdmin covers the parent object only)."""

    def inline_audit_chain(self, obj) -> str:
        return self.audit_chain

    def inline_snapshot(self, obj) -> dict:
        return snapshot(obj)

    def save_formset(self, request, form, formset, change):
        model = formset.model
        initial_pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk]
        before = {
            obj.pk: self.inline_snapshot(obj) for obj in model._default_manager.filter(pk__in=initial_pks)
        }
        deleted = [
            (f.instance.pk, str(f.instance), self.inline_audit_chain(f.instance))
            for f in formset.deleted_forms
            if f.instance.pk
        ]
        super().save_formset(request, form, formset, change)
        label = model._meta.label_lower
        for obj in formset.new_objects:
            audit_record(
                action="admin.add",
                actor=request.user,
                obj=obj,
                after=self.inline_snapshot(obj),
                chain=self.inline_audit_chain(obj),
                ip=client_ip(request),
            )
        for obj, _fields in formset.changed_objects:
            audit_record(
                action="admin.change",
                actor=request.user,
                obj=obj,
                before=before.get(obj.pk),
                after=self.inline_snapshot(obj),
                chain=self.inline_audit_chain(obj),
                ip=client_ip(request),
            )
        for pk, text, chain in deleted:
            audit_record(
                action="admin.delete",
                actor=request.user,
                object_type=label,
                object_id=str(pk),
                object_repr=text,
                before=before.get(pk),
                chain=chain,
                ip=client_ip(request),
            )


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedAdmin):
    list_display = ["code", "name", "division_type", "level", "scheme", "parent"]
    list_filter = ["scheme", "level", "division_type"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    ordering = ["scheme", "code"]


class AgencyAdminForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "admin_unit",
            "schedule",
            "address",
            "phone",
            "email",
            "active",
        ]

    def clean_code(self):
        try:
            return services.validate_agency_code(self.cleaned_data["code"])
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        parent = cleaned.get("parent")
        if parent is not None and self.instance.pk and parent.path.startswith(self.instance.path):
            self.add_error(
                "parent", "Không thể đặt cơ quan dưới chính nó hoặc dưới một cơ quan trực thuộc nó."
            )
        return cleaned


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    form = AgencyAdminForm
    list_display = ["code", "name", "kind", "parent", "admin_unit", "active"]
    list_filter = ["kind", "active", "admin_unit__scheme"]
    search_fields = ["code", "name", "short_name", "name_folded"]
    list_select_related = ["parent", "admin_unit"]
    autocomplete_fields = ["parent", "admin_unit"]
    ordering = ["path"]

    def get_search_results(self, request, queryset, search_term):
        # Also match the folded name, so that "ủy ban bình minh" and "uy ban binh minh" agree.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded:
            found |= queryset.filter(name_folded__contains=folded)
        return found, may_have_duplicates

    def save_model(self, request, obj, form, change):
        # Through the services: they keep the subtree's paths and write the audit events.
        data = form.cleaned_data
        own = {name: data[name] for name in form.Meta.fields if name != "parent"}
        if not change:
            created = services.agency_create(parent=data.get("parent"), actor=request.user, **own)
            obj.pk, obj.path, obj.name_folded = created.pk, created.path, created.name_folded
            obj._state.adding = False
            return
        changes = {name: own[name] for name in form.changed_data if name in own}
        if changes:
            services.agency_update(agency=obj, actor=request.user, **changes)
        if "parent" in form.changed_data:
            services.agency_move(agency=obj, parent=data.get("parent"), actor=request.user)


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ["number", "name", "active"]


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedInlinesMixin, AuditedAdmin):
    list_display = ["name", "agency", "address", "schedule", "active"]
    list_filter = ["active", "agency__kind"]
    search_fields = ["name", "address", "agency__name", "agency__code"]
    list_select_related = ["agency", "schedule"]
    autocomplete_fields = ["agency"]
    inlines = [CounterInline]


@admin.register(Counter)
class CounterAdmin(AuditedAdmin):
    list_display = ["__str__", "service_point", "number", "active"]
    list_filter = ["active"]
    search_fields = ["name", "service_point__name", "service_point__agency__name"]
    list_select_related = ["service_point"]
    autocomplete_fields = ["service_point"]


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "agency", "role", "include_subtree", "active"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if getattr(user, "kind", None) != "staff":
            raise forms.ValidationError("Chỉ cấp vai trò cho tài khoản cán bộ, công chức.")
        return user


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    form = MembershipAdminForm
    list_display = ["user", "role", "agency", "include_subtree", "active"]
    list_filter = ["role", "active", "include_subtree"]
    search_fields = ["user__username", "user__full_name", "agency__name", "agency__code"]
    list_select_related = ["user", "agency"]
    autocomplete_fields = ["user", "agency"]
