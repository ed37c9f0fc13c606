from django.contrib import admin

from motcua.payments.models import FeeTariff, Payment, PaymentRequest, Receipt, Refund


@admin.register(FeeTariff)
class FeeTariffAdmin(admin.ModelAdmin):
    list_display = [
        "description",
        "procedure",
        "kind",
        "channel",
        "amount_vnd",
        "resolution_number",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["kind", "channel"]
    search_fields = ["description", "resolution_number", "procedure__code", "procedure__name"]
    autocomplete_fields = ["procedure"]


class ReadOnly(admin.ModelAdmin):
    """Payments are written by the services only (motcua/payments/services.py): admin reads."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PaymentRequest)
class PaymentRequestAdmin(ReadOnly):
    list_display = ["dossier", "total_vnd", "state", "due_by", "requested_at"]
    list_filter = ["state", "timing"]
    search_fields = ["dossier__code"]


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["txn_ref", "request", "method", "state", "amount_vnd", "created_at", "finished_at"]
    list_filter = ["method", "state"]
    search_fields = ["txn_ref", "gateway_transaction_no", "receipt_number", "request__dossier__code"]


@admin.register(Refund)
class RefundAdmin(ReadOnly):
    list_display = ["payment", "amount_vnd", "reason", "refunded_at"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ["series", "number", "agency", "payer_name", "total_vnd", "issued_at"]
    search_fields = ["payer_name", "payment__request__dossier__code"]
