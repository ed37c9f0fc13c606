"""manage.py files_cleanup: a file left by a rolled-back upload is removed once it is old enough;
a referenced file and a fresh orphan are kept; a row whose file is missing is reported."""

import io
import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.models import DossierFile
from motcua.dossiers.services import records
from motcua.dossiers.tests.conftest import advance

S = services.State
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Boom(Exception):
    pass


@pytest.fixture
def disk(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def attach(world, dossier, name="to-khai.pdf"):
    return services.dossier_attach_file(
        actor=world.receptionist,
        dossier=dossier,
        requirement_code="TP01",
        uploaded_file=SimpleUploadedFile(name, PDF),
    )


def age(disk, name: str, minutes: int) -> None:
    """Give the local file ``name`` a modification time ``minutes`` before the frozen now."""
    stamp = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    os.utime(disk / name, (stamp, stamp))


def run(*args) -> str:
    out = io.StringIO()
    call_command("files_cleanup", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def stored_files(disk) -> set[str]:
    return {str(p.relative_to(disk)) for p in disk.rglob("*") if p.is_file()}


@pytest.fixture
def scene(world, frozen, disk):
    """A referenced file, a file left by a rolled-back attachment (two hours old) and a fresh
    orphan (ten minutes old, perhaps an upload in flight)."""
    d = advance(world, S.RECEIVED)
    kept = attach(world, d)
    # A transaction around the service rolls back after the file was written: the service
    # cannot see that rollback (as when a worker dies), so the file stays behind.
    with pytest.raises(Boom), transaction.atomic():
        attach(world, d, "bi-huy.pdf")
        raise Boom
    assert DossierFile.objects.count() == 1
    leftover = (stored_files(disk) - {kept.file.name}).pop()
    fresh = default_storage.save(f"dossiers/{d.uid}/dang-tai-len", ContentFile(PDF))
    age(disk, kept.file.name, 24 * 60)
    age(disk, leftover, 120)
    age(disk, fresh, 10)
    return kept, leftover, fresh


@pytest.mark.django_db
def test_the_file_of_a_rolled_back_upload_is_removed_and_the_others_are_kept(disk, scene):
    kept, leftover, fresh = scene
    out = run()
    assert stored_files(disk) == {kept.file.name, fresh}
    assert "Đã xem 3 tệp trong kho lưu trữ." in out
    assert f"Đã xóa 1 tệp không thuộc hồ sơ nào, cũ hơn 60 phút:\n  {leftover}\n" in out
    assert "Giữ lại 1 tệp chưa thuộc hồ sơ nào nhưng mới hơn 60 phút" in out
    # With a shorter threshold the fresh orphan goes too; the referenced file never does.
    run("--older-than", "5")
    assert stored_files(disk) == {kept.file.name}


@pytest.mark.django_db
def test_a_dry_run_deletes_nothing(disk, scene):
    kept, leftover, fresh = scene
    out = run("--dry-run")
    assert stored_files(disk) == {kept.file.name, leftover, fresh}
    assert f"Sẽ xóa (chạy thử, chưa xóa gì) 1 tệp không thuộc hồ sơ nào, cũ hơn 60 phút:\n  {leftover}" in out


@pytest.mark.django_db
def test_a_row_whose_file_is_missing_is_reported_and_kept(world, frozen, disk):
    d = advance(world, S.RECEIVED)
    stored = attach(world, d)
    other = attach(world, d, "con.pdf")
    (disk / stored.file.name).unlink()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 tệp của hồ sơ bị thiếu"):
        call_command("files_cleanup", stdout=io.StringIO(), stderr=err)
    assert f"hồ sơ {d.code}, tệp #{stored.pk} “to-khai.pdf”: {stored.file.name}" in err.getvalue()
    assert set(DossierFile.objects.values_list("pk", flat=True)) == {stored.pk, other.pk}
    assert stored_files(disk) == {other.file.name}


@pytest.mark.django_db
def test_nothing_stored_yet_is_not_an_error(db, disk):
    assert "Đã xem 0 tệp" in run()


@pytest.mark.django_db
def test_an_attachment_that_fails_inside_the_service_leaves_no_file(world, frozen, disk, monkeypatch):
    d = advance(world, S.RECEIVED)

    def failing_audit(**kwargs):
        raise Boom

    monkeypatch.setattr(records, "audit_record", failing_audit)
    with pytest.raises(Boom):
        attach(world, d)
    assert DossierFile.objects.count() == 0
    assert stored_files(disk) == set()
