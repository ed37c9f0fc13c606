"""A 200 MB upload to /xac-thuc/, streamed to a real server: a clear message, nothing kept."""

import http.client
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from motcua.audit.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

SIZE = 200 * 1024 * 1024
CHUNK = b"0" * (1024 * 1024)


def test_a_200_mb_upload_gets_a_clear_message_and_nothing_is_kept(live_server):
    url = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    conn.request("GET", "/xac-thuc/")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    boundary = "ranh-gioi-motcua"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="tep"; filename="lon.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body_size = len(head) + SIZE + len(tail)

    def body():
        yield head
        for _ in range(SIZE // len(CHUNK)):
            yield CHUNK
        yield tail

    media = Path(settings.MEDIA_ROOT)
    before = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    conn.request(
        "POST",
        "/xac-thuc/",
        body=body(),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(body_size),
            "Cookie": cookie,
            "Referer": live_server.url + "/xac-thuc/",
        },
    )
    answer = conn.getresponse()
    text = answer.read().decode()
    assert answer.status == 413
    assert "Tệp gửi lên quá lớn: chỉ kiểm tra được tệp PDF đến 20 MB. Tệp không được lưu lại." in text
    after = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
    assert after == before
    assert AuditEvent.objects.filter(action="signing.verify_upload", extra__verdict="too_large").count() == 1
