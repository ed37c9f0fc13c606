"""The portal's test world: the dossiers' world (a marriage-registration procedure of commune A,
TP01 and TP02 required, TP03 optional, received at one-stop unit A), offered online in full,
and two citizens with profiles (Hoa, who submits, and Bình, who must never see Hoa's)."""

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.accounts.models import Profile
from motcua.catalog.models import Procedure
from motcua.dossiers.tests.conftest import MONDAY_8AM, build_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# A Windows executable (MZ header) named as a PDF.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
CITIZEN_ID = "001190012345"


def pdf(name: str = "to-khai.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_citizen(username: str, *, full_name: str, citizen_id: str, dob: date, phone: str):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.create_user(
        username=username,
        password="mat-khau-thu-nghiem",  # noqa: S106 — a test account
        kind=User.Kind.CITIZEN,
        full_name=full_name,
        phone=phone,
        email=f"{username}@example.vn",
    )
    Profile.objects.create(
        user=user, citizen_id=citizen_id, date_of_birth=dob, address="Thôn Đông, xã An Bình"
    )
    return user


@pytest.fixture
def world(db):
    world = build_world()
    Procedure.objects.filter(pk=world.procedure.pk).update(online_level=Procedure.OnlineLevel.FULL)
    world.procedure.refresh_from_db()
    world.hoa = make_citizen(
        "hoa", full_name="Nguyễn Thị Hoa", citizen_id=CITIZEN_ID, dob=date(1990, 5, 17), phone="0912345678"
    )
    world.binh = make_citizen(
        "binh", full_name="Trần Văn Bình", citizen_id="001085012345", dob=date(1985, 1, 2), phone="0987654321"
    )
    return world


@pytest.fixture
def frozen():
    with time_machine.travel(MONDAY_8AM, tick=False) as traveller:
        yield traveller
