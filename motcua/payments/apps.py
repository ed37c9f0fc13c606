from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    verbose_name = "Phí, lệ phí và thanh toán"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.dossiers.services.hooks import AFTER_RECEIVE
        from motcua.payments.services import request_at_reception

        # A procedure paid at submission asks the online applicant to pay at reception.
        if request_at_reception not in AFTER_RECEIVE:
            AFTER_RECEIVE.append(request_at_reception)
