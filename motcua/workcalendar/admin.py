"""Vietnamese admin for opening hours and the yearly schedule of days off.

Every add, change and delete is audited (``AuditedAdmin``, and the inline sessions one by one
below), and every change invalidates the cached calendars of every process.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from motcua.audit.admin import AuditedAdmin
from motcua.audit.services import audit_record, snapshot
from motcua.lib.clients import client_ip
from motcua.workcalendar.models import CalendarDay, WorkSchedule, WorkSession
from motcua.workcalendar.services import calendar_changed


class WorkSessionFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        by_day: dict[int, list[tuple]] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("start") or not data.get("end"):
                continue
            by_day.setdefault(data["weekday"], []).append((data["start"], data["end"]))
        for weekday, sessions in by_day.items():
            sessions.sort()
            for (_, end), (start, _) in zip(sessions, sessions[1:], strict=False):
                if start < end:
                    label = WorkSession.Weekday(weekday).label
                    raise ValidationError(f"Các buổi làm việc {label} chồng lên nhau: sửa lại giờ.")


class WorkSessionInline(admin.TabularInline):
    model = WorkSession
    formset = WorkSessionFormSet
    extra = 0


class CalendarAdmin(AuditedAdmin):
    """Audited, and invalidates the calendar cache after each change."""

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        calendar_changed()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        calendar_changed()


@admin.register(WorkSchedule)
class WorkScheduleAdmin(CalendarAdmin):
    list_display = ["name", "code", "is_default", "transfer_cutoff"]
    list_filter = ["is_default"]
    search_fields = ["name", "code"]
    inlines = [WorkSessionInline]

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        # The inline sessions are audited one by one, like the schedule itself.
        # Keyed by the Python object: a deleted row has lost its primary key after save().
        befores: dict[int, tuple[dict[str, Any], str, int]] = {}
        deleted = formset.deleted_forms
        for inline_form in formset.initial_forms:
            instance = inline_form.instance
            if instance.pk and (inline_form.has_changed() or inline_form in deleted):
                old = WorkSession.objects.filter(pk=instance.pk).first()
                if old is not None:
                    befores[id(instance)] = (snapshot(old), str(old), old.pk)
        formset.save()
        for obj in formset.new_objects:
            audit_record(
                action="admin.add", actor=request.user, obj=obj, after=snapshot(obj), ip=client_ip(request)
            )
        for obj, _fields in formset.changed_objects:
            stored = befores.get(id(obj))
            audit_record(
                action="admin.change",
                actor=request.user,
                obj=obj,
                before=stored[0] if stored else None,
                after=snapshot(obj),
                ip=client_ip(request),
            )
        for obj in formset.deleted_objects:
            before, text, pk = befores.get(id(obj), (None, str(obj), obj.pk))
            audit_record(
                action="admin.delete",
                actor=request.user,
                object_type=obj._meta.label_lower,
                object_id=str(pk or ""),
                object_repr=text,
                before=before,
                ip=client_ip(request),
            )
        calendar_changed()


class YearFilter(admin.SimpleListFilter):
    title = "năm"
    parameter_name = "nam"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> QuerySet[CalendarDay]:
        year = self.value()
        if year and year.isdigit():
            return queryset.filter(date__year=int(year))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    list_display = ["date", "weekday", "kind", "name", "replaces", "provisional"]
    list_filter = [YearFilter, "kind", "provisional"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"
    ordering = ["date"]

    @admin.display(description="thứ")
    def weekday(self, obj: CalendarDay) -> str:
        return WorkSession.Weekday(obj.date.weekday()).label
