"""The outbox in the admin: read-only (rows are written by services, sent by the sender), with the
dead letters — refused, failed after the last retry, or "cần kiểm tra" — one filter away, and an
action that sends the chosen ones again (audited, motcua.notifications.services.outbox_resend)."""

from django.contrib import admin, messages

from motcua.lib.clients import client_ip
from motcua.notifications.messages import event_label
from motcua.notifications.models import OutboxMessage
from motcua.notifications.services import outbox_resend


class DeadLetterFilter(admin.SimpleListFilter):
    title = "tình trạng xử lý"
    parameter_name = "dead"

    def lookups(self, request, model_admin):
        return [("yes", "Thư lỗi chờ quản trị viên xử lý")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=OutboxMessage.DEAD)
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "channel",
        "recipient",
        "event_text",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = [DeadLetterFilter, "status", "channel"]
    search_fields = ["recipient", "event", "dossier__code"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="sự kiện", ordering="event")
    def event_text(self, message: OutboxMessage) -> str:
        return event_label(message.event)

    def has_resend_permission(self, request):
        return request.user.is_superuser or request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description="Gửi lại các thư lỗi đã chọn", permissions=["resend"])
    def resend(self, request, queryset):
        ip = client_ip(request)
        done = sum(outbox_resend(message=m, actor=request.user, ip=ip) for m in queryset)
        skipped = queryset.count() - done
        if done:
            self.message_user(request, f"Đã đưa {done} thư vào hàng gửi lại.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} thư không phải thư lỗi (đã gửi, đang gửi hoặc đang chờ gửi) nên không gửi lại.",
                messages.WARNING,
            )
