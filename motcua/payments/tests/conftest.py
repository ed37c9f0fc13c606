"""Fixtures for the payments tests: the dossier tests' province and procedure (commune A), the
procedure priced at 100.000 đ of fee (lệ phí), and a dossier in processing held by the specialist."""

from datetime import datetime

import pytest
import time_machine

from motcua.catalog import services as catalog_services
from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.dossiers.tests.conftest import MONDAY_8AM, World, build_world, intake
from motcua.payments.services import payment_request_create

FEE_VND = 100_000
PROCESSING_AT = MONDAY_8AM


def priced(world: World, *, fees: list[dict] | None = None, **changes) -> None:
    procedure = Procedure.objects.get(pk=world.procedure.pk)  # type: ignore[attr-defined]
    catalog_services.procedure_update(
        procedure=procedure,
        actor=None,
        fees=fees
        if fees is not None
        else [
            {
                "kind": "fee",
                "amount_vnd": FEE_VND,
                "text": "100.000 đồng/hồ sơ",
                "description": "Lệ phí đăng ký",
            }
        ],
        **changes,
    )
    world.procedure = procedure


@pytest.fixture(autouse=True)
def tasks_at_once(settings):
    """The task worker settles a gateway success (``motcua.payments.tasks``); here each task runs
    as it is queued (Django's immediate backend), as a worker would a moment later. The worker
    itself is tested in test_ipn.py."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def world(db) -> World:
    w = build_world()
    priced(w)
    return w


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_8AM, tick=False) as traveller:
        yield traveller


def processing(world: World, **overrides):
    """A dossier received at the counter and forwarded to the specialist (processing)."""
    d = services.dossier_receive(actor=world.receptionist, data=intake(world, **overrides))
    return services.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )


def online_processing(world: World, **overrides):
    """A dossier the citizen submitted online (theirs in "Hồ sơ của tôi"), received and in processing."""
    d = services.dossier_submit_online(citizen=world.citizen, data=intake(world, channel=2, **overrides))
    d = services.dossier_receive(actor=world.receptionist, dossier=d, expected_version=d.version)
    return services.dossier_forward(
        actor=world.receptionist, dossier=d, expected_version=d.version, officer=world.specialist
    )


@pytest.fixture
def asked(world, frozen):
    """A payment request of 100.000 đ on the citizen's online dossier in processing, made by its
    specialist."""
    d = online_processing(world)
    return payment_request_create(actor=world.specialist, dossier=d, expected_version=d.version)


def vn_time(y, m, d, hh=0, mm=0) -> datetime:
    from motcua.workcalendar.calendar import VN_TZ

    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)
