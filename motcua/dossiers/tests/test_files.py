"""Uploads: PDF, JPEG and PNG recognised from their content, size-limited, hashed, stored."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from motcua.dossiers import services
from motcua.dossiers.files import validate_upload
from motcua.dossiers.models import DossierFile
from motcua.dossiers.tests.conftest import advance
from motcua.lib.errors import Conflict, Forbidden, InvalidInput

S = services.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("to-khai.pdf", PDF, "application/pdf"),
        ("anh.jpg", _image("JPEG"), "image/jpeg"),
        ("anh-chup.PNG", _image("PNG"), "image/png"),
        ("khong-duoi", _image("PNG"), "image/png"),  # the name does not matter, the content does
    ],
)
def test_pdf_jpeg_and_png_are_recognised_from_their_content(name, content, content_type):
    checked = validate_upload(SimpleUploadedFile(name, content, content_type="application/octet-stream"))
    assert checked.content_type == content_type
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.pdf", b"MZ\x90\x00 this is an executable"),
        ("trang.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # PNG magic, broken image
        ("tai-lieu.docx", b"PK\x03\x04 a zip file"),
        ("anh.gif", _image("GIF")),
    ],
)
def test_anything_else_is_refused_in_vietnamese(name, content):
    with pytest.raises(InvalidInput) as caught:
        validate_upload(SimpleUploadedFile(name, content))
    assert caught.value.code == "file_type"
    assert f"Tệp “{name}” không phải" in caught.value.message


def png_claiming(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header claims ``width`` × ``height`` pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [30000, 10000])  # beyond twice Pillow's limit, and just beyond it
def test_a_png_claiming_a_huge_size_is_refused_in_vietnamese(side):
    with pytest.raises(InvalidInput) as caught:
        validate_upload(SimpleUploadedFile("bom.png", png_claiming(side, side)))
    assert caught.value.code == "image_too_large"
    assert caught.value.message == (
        "Ảnh “bom.png” có kích thước quá lớn (hơn 89.478.485 điểm ảnh). Hãy quét hoặc chụp lại "
        "ở độ phân giải thấp hơn, ví dụ 300 dpi."
    )


def test_a_file_over_the_limit_is_refused(settings):
    settings.DOSSIER_FILE_MAX_BYTES = 1024
    with pytest.raises(InvalidInput) as caught:
        validate_upload(SimpleUploadedFile("lon.pdf", PDF + b" " * 2000 + b"%%EOF"))
    assert caught.value.code == "file_too_large"
    assert caught.value.message == "Tệp “lon.pdf” lớn hơn 1 KB."


def test_the_default_limit_is_ten_megabytes():
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(InvalidInput) as caught:
        validate_upload(big)
    assert caught.value.message == "Tệp “lon.pdf” lớn hơn 10 MB."


def test_an_empty_file_is_refused():
    with pytest.raises(InvalidInput):
        validate_upload(SimpleUploadedFile("rong.pdf", b""))


@pytest.mark.django_db
def test_a_scan_joins_its_document_and_marks_it_digitised(world, frozen, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    d = advance(world, S.RECEIVED)
    stored = services.dossier_attach_file(
        actor=world.receptionist,
        dossier=d,
        requirement_code="TP01",
        uploaded_file=SimpleUploadedFile("to-khai.pdf", PDF),
    )
    assert stored.document.requirement_code == "TP01" and stored.document.digitised
    assert (stored.content_type, stored.original_name, stored.uploaded_by) == (
        "application/pdf",
        "to-khai.pdf",
        world.receptionist,
    )
    assert stored.file.name.startswith(f"dossiers/{d.uid}/") and "to-khai" not in stored.file.name
    with stored.file.open("rb") as fh:
        assert fh.read() == PDF
    # An optional document not ticked at the counter is created when its scan arrives.
    extra = services.dossier_attach_file(
        actor=world.receptionist,
        dossier=d,
        requirement_code="TP03",
        uploaded_file=SimpleUploadedFile("khac.png", _image("PNG")),
    )
    assert extra.document.requirement_code == "TP03"
    with pytest.raises(InvalidInput):
        services.dossier_attach_file(
            actor=world.receptionist,
            dossier=d,
            requirement_code="TP99",
            uploaded_file=SimpleUploadedFile("a.pdf", PDF),
        )
    with pytest.raises(Forbidden):
        services.dossier_attach_file(
            actor=world.outsider,
            dossier=d,
            requirement_code="TP01",
            uploaded_file=SimpleUploadedFile("a.pdf", PDF),
        )
    with pytest.raises(InvalidInput):
        services.dossier_attach_file(
            actor=world.receptionist,
            dossier=d,
            requirement_code="TP01",
            uploaded_file=SimpleUploadedFile("a.pdf", b"not a pdf"),
        )
    assert DossierFile.objects.count() == 2


@pytest.mark.django_db
def test_no_file_joins_a_closed_dossier(world, frozen):
    d = advance(world, S.REFUSED)
    with pytest.raises(Conflict):
        services.dossier_attach_file(
            actor=world.receptionist,
            dossier=d,
            requirement_code="TP01",
            uploaded_file=SimpleUploadedFile("a.pdf", PDF),
        )
