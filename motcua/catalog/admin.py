from decimal import Decimal

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from motcua.audit.admin import AuditedAdmin
from motcua.catalog import services
from motcua.catalog.models import (
    Channel,
    Fee,
    Field,
    LegalBasis,
    Offering,
    Procedure,
    ProcessStep,
    ProcessTemplate,
    RequiredDocument,
    ResultDocument,
)
from motcua.lib.errors import DomainError

SHORT_NAME = 90  # characters of a procedure's name in the admin's list


class IncompleteFilter(admin.SimpleListFilter):
    title = "Thiếu thông tin"
    parameter_name = "thieu"

    def lookups(self, request, model_admin):
        return [("1", "Thiếu thông tin"), ("0", "Đầy đủ")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(incomplete=True)
        if self.value() == "0":
            return queryset.filter(incomplete=False)
        return queryset


@admin.register(Field)
class FieldAdmin(AuditedAdmin):
    list_display = ["code", "name", "managing_ministry"]
    search_fields = ["code", "name"]
    filter_horizontal = ["counters"]


class LinesField(forms.CharField):
    """A list of texts, one a line (``RequiredDocument.alternatives``)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]


class DocumentForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label="Hình thức nộp áp dụng",
        choices=[(c.value, c.label) for c in Channel if c.value],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Không chọn: áp dụng cho mọi hình thức nộp.",
    )
    alternatives = LinesField(
        label="Các giấy tờ thay thế nhau",
        required=False,
        help_text="Mỗi giấy tờ một dòng, giấy tờ thường nộp đầu tiên; nộp một trong số đó là đủ.",
    )

    class Meta:
        model = RequiredDocument
        fields = ["channels", "alternatives"]

    def clean_channels(self):
        return [c for c in Channel.values if c and c in self.cleaned_data["channels"]]


class DocumentInline(admin.StackedInline):
    model = RequiredDocument
    form = DocumentForm
    extra = 0
    fields = [
        ("code", "order", "mandatory", "present_only"),
        "name",
        ("original_count", "certified_copy_count", "photocopy_count"),
        "condition",
        ("template", "template_name"),
        ("channels", "alternative_of", "classified_manually"),
        "alternatives",
        "classification_note",
    ]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ["order", "kind", "channel", "amount_vnd", "currency", "text", "note", "collected_by"]


class ResultInline(admin.TabularInline):
    model = ResultDocument
    extra = 0
    fields = ["order", "code", "name"]


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    extra = 0
    fields = ["order", "number", "title", "issued_on", "issuer"]


@admin.register(Procedure)
class ProcedureAdmin(AuditedAdmin):
    # Readable at a glance: a short name (the full one on hover), the time as one phrase.
    list_display = [
        "code",
        "short_name",
        "level",
        "field",
        "time_text",
        "online_level",
        "missing_text",
        "active",
    ]
    list_display_links = ["code", "short_name"]
    list_per_page = 50
    list_filter = [IncompleteFilter, "level", "online_level", "active", "field"]
    search_fields = ["code", "name"]
    list_select_related = ["field"]
    readonly_fields = ["missing", "demo_values", "source", "incomplete", "updated_at"]

    @admin.display(description="tên thủ tục", ordering="name_folded")
    def short_name(self, procedure):
        name = procedure.name
        if len(name) <= SHORT_NAME:
            return name
        return format_html('<span title="{}">{}…</span>', name, name[:SHORT_NAME].rsplit(" ", 1)[0])

    @admin.display(description="thời hạn")
    def time_text(self, procedure):
        if not procedure.has_time:
            return "Chưa rõ"
        return f"{procedure.processing_time} {procedure.get_time_unit_display()}"

    inlines = [DocumentInline, FeeInline, ResultInline, LegalBasisInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "field", ("level", "levels"), "active"]}),
        (
            "Thời hạn",
            {
                "fields": [
                    ("processing_time", "time_unit", "online_time"),
                    ("counting_rule", "supplement_policy"),
                ]
            },
        ),
        (
            "Thực hiện",
            {
                "fields": [
                    "applicants",
                    "agency_kind",
                    "competent_agency",
                    "executing_agency",
                    ("online_level", "postal_allowed"),
                    "requirements",
                    "steps_text",
                ]
            },
        ),
        (
            "Công bố",
            {"fields": ["publishing_decision", "procedure_type", ("effective_from", "effective_to")]},
        ),
        ("Tình trạng dữ liệu", {"fields": ["incomplete", "missing", "demo_values", "source", "updated_at"]}),
    ]

    @admin.display(description="Còn thiếu")
    def missing_text(self, obj):
        return ", ".join(obj.missing)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Inlines are saved by now: refresh the search index and what is still missing.
        services.procedure_refresh(procedure=form.instance)


class OfferingForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = ["agency", "procedure", "local_time", "active"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        procedure = data.get("procedure")
        if procedure is not None and procedure.incomplete and data.get("active", True):
            raise ValidationError(
                f"Thủ tục {procedure.code} còn thiếu thông tin ({', '.join(procedure.missing)}), "
                "chưa thể đưa vào danh mục của cơ quan. Hãy bổ sung trước."
            )
        local = data.get("local_time")
        if (
            procedure is not None
            and local
            and procedure.processing_time
            and local > procedure.processing_time
        ):
            raise ValidationError(
                f"Thời hạn tại địa phương ({local}) không được dài hơn thời hạn của thủ tục "
                f"({procedure.processing_time} {procedure.get_time_unit_display()})."
            )
        return data


@admin.register(Offering)
class OfferingAdmin(AuditedAdmin):
    form = OfferingForm
    list_display = ["agency", "procedure", "local_time", "active"]
    list_filter = ["active", "agency"]
    search_fields = ["procedure__code", "procedure__name", "agency__name", "agency__code"]
    list_select_related = ["agency", "procedure"]
    autocomplete_fields = ["procedure"]


class StepFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        template = self.instance
        procedure = getattr(template, "procedure", None)
        if procedure is None or any(self.errors):
            return
        total = Decimal(0)
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("budget_hours") or 0
        try:
            target, explained = services.process_target_hours(procedure=procedure, agency=template.agency)
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        if total != target:
            raise ValidationError(
                f"Tổng thời gian các bước ({services.format_hours(total)} giờ làm việc) khác thời hạn giải "
                f"quyết của thủ tục ({explained})."
            )


class StepInline(admin.TabularInline):
    model = ProcessStep
    formset = StepFormSet
    extra = 0
    fields = ["order", "name", "performer", "role", "agency", "budget_hours"]


@admin.register(ProcessTemplate)
class ProcessTemplateAdmin(AuditedAdmin):
    list_display = ["name", "procedure", "agency", "active"]
    list_filter = ["active"]
    search_fields = ["name", "procedure__code", "procedure__name"]
    list_select_related = ["procedure", "agency"]
    autocomplete_fields = ["procedure"]
    inlines = [StepInline]
