"""The audit key: rotation, events written before the key, and a production start without one."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from motcua.audit.checkpoints import checkpoint_names, checkpoint_storage
from motcua.audit.keys import key_id, parse_key_ring
from motcua.audit.models import AuditEvent
from motcua.audit.selectors import audit_verify_log
from motcua.audit.services import audit_record
from motcua.audit.tests import attacker
from motcua.audit.tests.conftest import KEY_A, KEY_B

ROOT = Path(__file__).resolve().parents[3]
AGENCY = "000.00.12.H99"


def events(n: int) -> None:
    for _ in range(n):
        audit_record(action="test.event", chain=AGENCY)


def problems() -> list[tuple[str, int, str]]:
    return [(p.chain, p.seq, p.problem) for p in audit_verify_log().problems]


def test_a_key_ring_is_one_key_a_line_and_the_last_one_signs():
    ring = parse_key_ring(f"# rotated 01/2027\n{KEY_A}\n\n{KEY_B}\n", "AUDIT_KEY")
    assert list(ring.keys) == [key_id(KEY_A.encode()), key_id(KEY_B.encode())]
    assert ring.current == key_id(KEY_B.encode())
    assert len(ring.current) == 16


@pytest.mark.parametrize("text", ["", "# only a comment", "tooshort"])
def test_a_missing_or_short_key_is_refused(text):
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY"):
        parse_key_ring(text, "AUDIT_KEY")


@pytest.mark.django_db
def test_without_a_key_nothing_is_written(settings):
    settings.AUDIT_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_KEY is not set"):
        events(1)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_after_a_rotation_old_events_verify_with_the_old_key_kept_for_verification(settings):
    events(2)
    settings.AUDIT_KEY = f"{KEY_A}\n{KEY_B}"
    events(2)
    assert list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True)) == [
        key_id(KEY_A.encode()),
        key_id(KEY_A.encode()),
        key_id(KEY_B.encode()),
        key_id(KEY_B.encode()),
    ]
    assert problems() == []
    settings.AUDIT_KEY = KEY_B  # the old key lost: its events can no longer be checked
    assert [seq for _, seq, _ in problems()] == [1, 2]


@pytest.mark.django_db
def test_events_written_before_the_key_verify_and_the_first_checkpoint_fixes_how_many(clock):
    events(3)
    # As migration 0002 leaves the events written before it: no key id, a plain SHA-256.
    attacker.rehash_from(AGENCY, 1, key_id="")
    assert problems() == []

    call_command("audit_checkpoint", stdout=io.StringIO())
    stored = json.loads(checkpoint_storage().open(checkpoint_names()[-1]).read())
    assert stored["chains"][AGENCY]["legacy_until"] == 3
    events(2)  # keyed, linked to the last legacy event
    assert AuditEvent.objects.get(chain=AGENCY, seq=4).prev_hash == AuditEvent.objects.get(seq=3).hash
    assert problems() == []

    # An edit of a legacy event, rehashed to the end: the keyed event after it cannot follow.
    AuditEvent.objects.filter(seq=2).update(action="test.other")
    attacker.rehash_from(AGENCY, 2, key_id="")
    found = problems()
    assert (AGENCY, 4, "sự kiện kiểu cũ (không có khóa HMAC) nằm sau mốc 3 mà điểm neo ghi nhận") in found
    assert any(seq == 3 and "khác với điểm neo" in p for _, seq, p in found)


def _start(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    drop = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "AUDIT_KEY", "AUDIT_KEY_FILE", "MOTCUA_TESTING"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    production = {"DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "dvc.example.gov.vn"}
    env.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", **production, **env_extra})
    return subprocess.run(
        [sys.executable, "-c", "import motcua.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_production_start_without_an_audit_key_refuses_and_says_why():
    result = _start({})
    assert result.returncode != 0
    assert "AUDIT_KEY" in result.stderr


def test_a_production_start_with_the_development_audit_key_refuses():
    result = _start({"AUDIT_KEY": "motcua-audit-development-key-not-a-secret"})
    assert result.returncode != 0
    assert "AUDIT_KEY" in result.stderr


def test_a_production_start_with_an_audit_key_file_works(tmp_path):
    key_file = tmp_path / "audit.key"
    key_file.write_text(f"{KEY_A}\n")
    result = _start({"AUDIT_KEY_FILE": str(key_file)})
    assert result.returncode == 0, result.stderr
