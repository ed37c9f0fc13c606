"""Files in the storage that no dossier references, and dossier files missing from the storage
(manage.py files_cleanup).

A dossier's file is written to the storage before the row that references it is committed. If
the transaction rolls back on an exception, ``dossier_attach_file`` deletes the file; if the
worker is killed mid-request, the file stays, referenced by nothing. This finds such files under
``DOSSIER_FILES_PREFIX`` (with ``Storage.listdir``, so on local disk and in an S3 bucket alike)
and deletes those older than a threshold: a file younger than that may belong to an upload still
in flight, whose row is not committed yet."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from motcua.dossiers.models import DOSSIER_FILES_PREFIX, DossierFile

DEFAULT_OLDER_THAN = timedelta(minutes=60)


@dataclass
class MissingFile:
    file_id: int
    name: str
    original_name: str
    dossier_code: str


@dataclass
class CleanupReport:
    scanned: int = 0
    removed: list[str] = field(default_factory=list)  # deleted (or, in a dry run, to be deleted)
    kept_recent: list[str] = field(default_factory=list)  # unreferenced but younger than the threshold
    missing: list[MissingFile] = field(default_factory=list)


def stored_names(storage: Storage, prefix: str = DOSSIER_FILES_PREFIX) -> Iterator[str]:
    """Every file's name under ``prefix``, depth first."""
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:  # local disk, nothing stored yet
        return
    for name in files:
        yield f"{prefix}/{name}"
    for sub in dirs:
        yield from stored_names(storage, f"{prefix}/{sub}")


def files_cleanup(
    *, older_than: timedelta = DEFAULT_OLDER_THAN, dry_run: bool = False, storage: Storage | None = None
) -> CleanupReport:
    """Delete the unreferenced files older than ``older_than`` (none when ``dry_run``) and list
    the dossier files missing from the storage (never deleting a row)."""
    storage = storage or default_storage
    report = CleanupReport()
    cutoff: datetime = timezone.now() - older_than
    referenced = set(DossierFile.objects.values_list("file", flat=True))
    present: set[str] = set()
    for name in stored_names(storage):
        report.scanned += 1
        present.add(name)
        if name in referenced:
            continue
        if storage.get_modified_time(name) > cutoff:
            report.kept_recent.append(name)
            continue
        # Checked again just before deleting: a row committed since the list was read keeps it.
        if DossierFile.objects.filter(file=name).exists():
            continue
        if not dry_run:
            storage.delete(name)
        report.removed.append(name)
    rows = DossierFile.objects.select_related("document__dossier").order_by("pk")
    for row in rows.iterator(chunk_size=2000):
        name = row.file.name or ""
        under_prefix = name.startswith(f"{DOSSIER_FILES_PREFIX}/")
        if (name in present) if under_prefix else (bool(name) and storage.exists(name)):
            continue
        report.missing.append(
            MissingFile(
                file_id=row.pk,
                name=name,
                original_name=row.original_name,
                dossier_code=row.document.dossier.code,
            )
        )
    return report
