"""The payments' task (Django's Tasks API; ``manage.py db_worker`` runs it)."""

from django.tasks import task

from motcua.payments.services import payment_settle


@task()
def settle_payment(payment_id: int, ip: str | None = None) -> bool:
    """Bring a gateway payment's success onto its dossier (``payment_settle``): queued by the IPN
    once the gateway has its answer. A success already settled (the polling job, the scheduler's
    catch-up, a copy of this task) is left alone."""
    return payment_settle(payment_id, ip=ip)
