"""Fixtures for the signing tests: their own certification authorities (made here, keys written
to a temporary folder), the agencies' leader and seal certificates registered through the
service, and the dossier world of the dossier tests (commune A handles, its one-stop unit
receives)."""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.printing import html_to_pdf
from motcua.dossiers.tests.conftest import World, build_world
from motcua.org.models import Membership
from motcua.org.testing import make_staff
from motcua.signing import pki, services
from motcua.signing.models import AgencySigner


@dataclass
class TestPKI:
    folder: Path
    ca: pki.Issued
    ca_path: Path
    rogue_ca: pki.Issued  # a CA nobody configured: its certificates count for nothing

    def issue_files(
        self, stem: str, common_name: str, organisation: str, *, rogue: bool = False
    ) -> tuple[str, str]:
        issued = pki.issue(self.rogue_ca if rogue else self.ca, common_name, organisation)
        cert_path, key_path = issued.write(self.folder, stem)
        return cert_path.read_text(), f"file:{key_path}"


def run(tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """A Debian tool the tests rely on (certutil, pdfsig, pdftoppm): ``make test`` installs them."""
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: `make test` installs libnss3-tools and poppler-utils.")
    return subprocess.run([path, *args], capture_output=True, text=True, check=check)  # noqa: S603 — our own arguments


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory) -> TestPKI:
    folder = tmp_path_factory.mktemp("pki")
    ca = pki.make_ca("CA thử nghiệm motcua", organisation="Tổ chức chứng thực thử nghiệm")
    ca_path = folder / "ca.pem"
    ca_path.write_bytes(ca.cert_pem)
    return TestPKI(folder, ca, ca_path, pki.make_ca("CA không được công nhận", organisation="Không rõ"))


@pytest.fixture
def nss_db(test_pki, tmp_path) -> Path:
    """An NSS database (Debian's libnss3-tools) trusting the test CA, for ``pdfsig -nssdir``."""
    folder = tmp_path / "nss"
    folder.mkdir()
    run("certutil", "-N", "--empty-password", "-d", f"sql:{folder}")
    run(
        "certutil",
        "-A",
        "-t",
        "C,C,C",
        "-n",
        "ca-thu-nghiem",
        "-i",
        str(test_pki.ca_path),
        "-d",
        f"sql:{folder}",
    )
    return folder


def pdfsig(path: Path, nss: Path) -> str:
    """pdfsig's report. Without ``-no-ocsp``: the test certificates carry no OCSP address, so
    nothing is fetched; and poppler 22.12 (Debian 12) with ``-no-ocsp`` reports "Unknown issue
    with Certificate" even for a chain NSS's own certutil made (a stale NSS error code)."""
    done = run("pdfsig", "-nssdir", f"sql:{nss}", str(path), check=False)
    return done.stdout + done.stderr


@dataclass
class SigningWorld:
    world: World
    leader_key: AgencySigner
    seal: AgencySigner

    def __getattr__(self, name):
        return getattr(self.world, name)


def register(
    test_pki: TestPKI, *, agency, kind: str, user=None, rogue: bool = False, stem: str = ""
) -> AgencySigner:
    name = user.full_name if user is not None else agency.name
    cert, key_ref = test_pki.issue_files(
        stem or f"{agency.code}-{kind}-{getattr(user, 'pk', 0)}", name, agency.name, rogue=rogue
    )
    return services.signer_register(
        agency=agency, kind=kind, user=user, certificate_pem=cert, key_ref=key_ref
    )


@pytest.fixture
def signing_world(db, test_pki, settings) -> SigningWorld:
    settings.SIGNING_TRUST_ANCHORS = [str(test_pki.ca_path)]
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.vn"
    world = build_world()
    commune_a = world.tree.commune_a  # type: ignore[attr-defined]  # World.tree is an OrgTree
    leader_key = register(test_pki, agency=commune_a, kind=AgencySigner.Kind.LEADER, user=world.leader)
    seal = register(test_pki, agency=commune_a, kind=AgencySigner.Kind.SEAL)
    return SigningWorld(world, leader_key, seal)


def other_leader(world: World, agency, username: str):
    return make_staff(username, agency, Membership.Role.LEADER, full_name="Lê Văn Khác")


def result_pdf_bytes(text: str = "QUYẾT ĐỊNH cấp giấy chứng nhận kết hôn") -> bytes:
    return html_to_pdf(
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'><style>@page{size:A4;margin:20mm}"
        "html{font-family:'Noto Serif'}</style></head><body>"
        f"<h1>{text}</h1><p>Cán bộ đính kèm văn bản kết quả này khi phê duyệt.</p></body></html>"
    )


def upload(data: bytes, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def page_png(pdf: bytes, tmp_path: Path, name: str = "trang", dpi: int = 150) -> Path:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    run("pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", str(source), str(tmp_path / name))
    return next(tmp_path.glob(f"{name}-*1.png"))
