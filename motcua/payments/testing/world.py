"""Gateway payments built through the real services, for the gateway tests and their neighbours:
the dossier tests' world (commune A, its officers, a citizen), its procedure given a fee, a dossier
in processing asked to pay (`payment_request_create`) and a gateway attempt started
(`payment_start_gateway`, which also gives the redirect URL)."""

from __future__ import annotations

from motcua.catalog import services as catalog_services
from motcua.catalog.models import Procedure
from motcua.dossiers.services import State
from motcua.dossiers.tests.conftest import World, advance, build_world
from motcua.payments.models import Payment, PaymentRequest
from motcua.payments.services import payment_request_create, payment_start_gateway

__all__ = ["World", "build_world", "gateway_payment", "payment_request"]


def payment_request(world: World, *, amount_vnd: int = 125_000) -> PaymentRequest:
    """A dossier of `world` in processing, asked by its specialist to pay `amount_vnd`."""
    procedure: Procedure = world.procedure  # type: ignore[assignment]  # World's fields are untyped
    catalog_services.procedure_update(
        procedure=procedure,
        actor=None,
        fees=[{"amount_vnd": amount_vnd, "text": "Lệ phí đăng ký", "kind": "fee"}],
    )
    dossier = advance(world, State.PROCESSING)
    return payment_request_create(actor=world.specialist, dossier=dossier, expected_version=dossier.version)


def gateway_payment(
    world: World,
    *,
    amount_vnd: int = 125_000,
    request: PaymentRequest | None = None,
    client_ip: str = "203.0.113.7",
    return_url: str = "http://testserver/thanh-toan/vnpay/ket-qua",
) -> tuple[Payment, str]:
    """A started gateway payment and the URL the citizen's browser would be sent to."""
    request = request or payment_request(world, amount_vnd=amount_vnd)
    return payment_start_gateway(
        citizen=world.citizen, request=request, client_ip=client_ip, return_url=return_url
    )
