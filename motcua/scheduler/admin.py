"""Periodic jobs in the admin: read-only (manage.py scheduler writes them)."""

from django.contrib import admin

from motcua.scheduler.models import JobLease


@admin.register(JobLease)
class JobLeaseAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_started_at", "last_finished_at", "locked_by", "last_error"]
    readonly_fields = [f.name for f in JobLease._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
