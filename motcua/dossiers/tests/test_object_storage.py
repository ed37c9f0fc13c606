"""Object storage "by settings alone": a dossier's files (and the audit checkpoints) in an
S3-compatible bucket, against a local S3 server (moto's) that the test starts on loopback."""

import io
import time
from datetime import timedelta

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pypdf import PdfWriter

from motcua.audit.checkpoints import checkpoint_names
from motcua.dossiers import services
from motcua.dossiers.tests.conftest import advance
from motcua.lib.storage import S3_STORAGE, s3_options

S = services.State
BUCKET = "motcua-ho-so"


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "Tờ khai"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free loopback port, answering before the first test uses it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            client.list_buckets()
            break
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.05)
    try:
        yield endpoint, client
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_server, settings, monkeypatch):
    """A fresh private bucket, and the default and checkpoint storages pointed at it through the
    same S3_* environment variables production uses."""
    endpoint, client = s3_server
    client.create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("S3_BUCKET", BUCKET)
    monkeypatch.setenv("S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("S3_REGION", "us-east-1")
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY", "s")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": S3_STORAGE, "OPTIONS": s3_options()},
        "audit_checkpoints": {"BACKEND": S3_STORAGE, "OPTIONS": {**s3_options(), "location": "audit"}},
    }
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_the_s3_options_come_from_the_environment_with_keys_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "s3-secret"
    secret.write_text("bi-mat\n", encoding="utf-8")
    monkeypatch.setenv("S3_BUCKET", "ho-so")
    monkeypatch.setenv("S3_ENDPOINT_URL", "https://s3.example.gov.vn")
    monkeypatch.setenv("S3_ACCESS_KEY_ID", "motcua")
    monkeypatch.setenv("S3_SECRET_ACCESS_KEY_FILE", str(secret))
    options = s3_options()
    assert options["bucket_name"] == "ho-so"
    assert options["endpoint_url"] == "https://s3.example.gov.vn"
    assert (options["access_key"], options["secret_key"]) == ("motcua", "bi-mat")
    assert options["default_acl"] == "private" and options["querystring_auth"] is True


def test_without_a_bucket_the_s3_storage_is_refused(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        s3_options()


@pytest.mark.django_db
def test_a_scan_goes_to_the_bucket_and_comes_back_through_the_checked_view(world, frozen, bucket, client):
    pdf = real_pdf()
    d = advance(world, S.RECEIVED)
    stored = services.dossier_attach_file(
        actor=world.receptionist,
        dossier=d,
        requirement_code="TP01",
        uploaded_file=SimpleUploadedFile("to-khai.pdf", pdf, content_type="application/pdf"),
    )
    # The object is in the bucket, under the file's name, private.
    obj = bucket.get_object(Bucket=BUCKET, Key=stored.file.name)
    assert obj["Body"].read() == pdf
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=stored.file.name)["Grants"]
    assert all("AllUsers" not in (g["Grantee"].get("URI") or "") for g in grants)

    client.force_login(world.receptionist)
    response = client.get(f"/xu-ly/ho-so/{d.code}/tep/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf

    # files_cleanup works on the bucket too: an object no row references goes once it is old
    # enough (the server's clock is the frozen one); the dossier's file stays.
    orphan = default_storage.save(f"dossiers/{d.uid}/bo-lai", ContentFile(pdf))
    call_command("files_cleanup", stdout=io.StringIO())
    assert _keys(bucket, "dossiers/") == sorted([stored.file.name, orphan])
    frozen.shift(timedelta(hours=2))
    out = io.StringIO()
    call_command("files_cleanup", stdout=out)
    assert f"Đã xóa 1 tệp không thuộc hồ sơ nào, cũ hơn 60 phút:\n  {orphan}" in out.getvalue()
    assert _keys(bucket, "dossiers/") == [stored.file.name]

    # The audit checkpoints can live in the same bucket, under a prefix of their own.
    call_command("audit_checkpoint", stdout=io.StringIO())
    names = checkpoint_names()
    assert len(names) == 1
    assert _keys(bucket, "audit/") == [f"audit/{names[0]}"]


def _keys(client, prefix: str) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))
