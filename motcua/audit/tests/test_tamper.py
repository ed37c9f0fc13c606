"""The five attacks of someone who can write the database but holds neither the audit key nor
the checkpoint storage, each done as they would do it (motcua/audit/tests/attacker.py), and each
caught by ``audit_verify``; and an untouched log that verifies."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from motcua.audit.checkpoints import checkpoint_names, checkpoint_storage
from motcua.audit.keys import key_id
from motcua.audit.models import AuditChain, AuditEvent
from motcua.audit.selectors import audit_verify_log
from motcua.audit.services import audit_record
from motcua.audit.tests import attacker
from motcua.audit.tests.conftest import KEY_A, KEY_B

pytestmark = pytest.mark.django_db

AGENCY = "000.00.12.H99"
OTHER = "000.00.13.H99"


def events(chain: str, n: int) -> None:
    for _ in range(n):
        audit_record(action="personal_data.view", object_type="dossier", object_id="42", chain=chain)


def checkpoint(clock) -> str:
    """A checkpoint, as the hourly timer writes it; the clock then moves on an hour."""
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    clock.shift(timedelta(hours=1))
    return checkpoint_names()[-1]


def problems() -> list[tuple[str, int, str]]:
    return [(p.chain, p.seq, p.problem) for p in audit_verify_log().problems]


def verify_fails() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="KHÔNG toàn vẹn"):
        call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def test_an_untouched_log_verifies_against_its_checkpoints(clock):
    events(AGENCY, 3)
    events(OTHER, 2)
    first = checkpoint(clock)
    events(AGENCY, 2)
    events("system", 1)
    second = checkpoint(clock)
    events(OTHER, 1)

    out = io.StringIO()
    call_command("audit_verify", "--all-checkpoints", stdout=out, stderr=io.StringIO())
    assert f"So với điểm neo {second}" in out.getvalue()
    assert "Nhật ký toàn vẹn: 9 sự kiện trong 3 chuỗi." in out.getvalue()
    assert problems() == []
    stored = json.loads(checkpoint_storage().open(second).read())
    assert stored["previous"] == first
    assert stored["chains"][AGENCY]["seq"] == 5
    assert stored["chains"]["system"]["seq"] == 1
    assert stored["chains"][OTHER]["legacy_until"] == 0
    assert AuditEvent.objects.filter(key_id=key_id(KEY_A.encode())).count() == 9


def test_a_checkpoint_more_than_a_day_old_is_reported_as_stale(clock):
    events(AGENCY, 1)
    checkpoint(clock)
    clock.shift(timedelta(days=2))
    err = io.StringIO()
    call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    assert "Cảnh báo: điểm neo mới nhất đã có từ 23/11/2026 08:00" in err.getvalue()


def test_a_fresh_log_without_a_checkpoint_verifies_with_a_warning():
    events(AGENCY, 2)
    err = io.StringIO()
    call_command("audit_verify", stdout=io.StringIO(), stderr=err)
    assert "chưa có điểm neo" in err.getvalue()


# (a) An edited event, the later hashes recomputed: without the key, the HMAC cannot be redone.


def test_an_edited_event_whose_later_hashes_were_recomputed_is_detected(clock):
    events(AGENCY, 4)
    attacker.sql(f"UPDATE {attacker.EVENTS} SET object_id = %s WHERE chain = %s AND seq = 2", ["43", AGENCY])  # noqa: S608
    attacker.rehash_from(AGENCY, 2)  # links and head agree again

    found = problems()
    assert (AGENCY, 2, "nội dung đã bị sửa") in found
    assert not any("liên kết" in p or "cuối chuỗi" in p for _, _, p in found)
    assert f"chuỗi {AGENCY}, sự kiện 2: nội dung đã bị sửa" in verify_fails()


def test_an_edited_event_signed_with_the_public_development_key_is_detected(settings):
    events(AGENCY, 3)
    dev_key = "motcua-audit-development-key-not-a-secret"
    AuditEvent.objects.filter(chain=AGENCY, seq=3).update(after={"note": "đã sửa"})
    attacker.rehash_from(
        AGENCY, 3, recipe=lambda e: attacker.hmac_with(dev_key, e), key_id=key_id(dev_key.encode())
    )
    assert problems() == [
        (AGENCY, 3, f"được ký bằng khóa {key_id(dev_key.encode())} không có trong AUDIT_KEY")
    ]


def test_an_edited_event_passed_off_as_written_before_the_key_is_detected(clock):
    events(AGENCY, 2)
    checkpoint(clock)
    events(AGENCY, 2)
    AuditEvent.objects.filter(chain=AGENCY, seq=3).update(object_repr="người khác")
    # Relabelled as a legacy (unkeyed) event: only a plain SHA-256 to recompute.
    attacker.rehash_from(AGENCY, 3, key_id="")
    assert problems()[:1] == [
        (AGENCY, 3, "sự kiện kiểu cũ (không có khóa HMAC) nằm sau một sự kiện đã ký bằng khóa")
    ]
    # The whole chain relabelled, so that no keyed event comes first: the checkpoint's mark.
    attacker.rehash_from(AGENCY, 1, key_id="")
    found = problems()
    assert (AGENCY, 1, "sự kiện kiểu cũ (không có khóa HMAC) nằm sau mốc 0 mà điểm neo ghi nhận") in found
    assert any(seq == 2 and "khác với điểm neo" in p for _, seq, p in found)


# (b) A whole agency chain deleted, events and head row.


def test_a_deleted_chain_is_detected(clock):
    events(AGENCY, 3)
    events(OTHER, 2)
    name = checkpoint(clock)
    attacker.sql(f"DELETE FROM {attacker.EVENTS} WHERE chain = %s", [AGENCY])  # noqa: S608
    attacker.sql(f"DELETE FROM {attacker.CHAINS} WHERE key = %s", [AGENCY])  # noqa: S608

    assert problems() == [
        (
            AGENCY,
            3,
            f"chuỗi đã bị xóa: điểm neo {name} ghi tới sự kiện 3, cơ sở dữ liệu không còn sự kiện nào",
        )
    ]
    assert "chuỗi 000.00.12.H99, sự kiện 3: chuỗi đã bị xóa" in verify_fails()


# (c) A chain with no head: events inserted without a head row, or a head that disagrees.


def test_a_chain_inserted_without_a_head_row_is_detected():
    events(OTHER, 1)
    model = AuditEvent.objects.get(chain=OTHER)
    prev = ""
    for seq in (1, 2):
        forged = AuditEvent(
            chain="000.00.99.H99",
            seq=seq,
            prev_hash=prev,
            occurred_at=model.occurred_at,
            action="dossier.receive",
            object_type="dossiers.dossier",
            object_id=str(seq),
            extra={},
            key_id=model.key_id,
        )
        forged.hash = prev = attacker.plain_sha256(forged)
        forged.save(force_insert=True)  # no AuditChain row

    found = problems()
    assert (
        "000.00.99.H99",
        2,
        "có sự kiện nhưng không có dòng đầu chuỗi: chuỗi được chèn thẳng vào cơ sở dữ liệu "
        "hoặc dòng đầu chuỗi đã bị xóa",
    ) in found
    assert ("000.00.99.H99", 1, "nội dung đã bị sửa") in found
    assert all(chain == "000.00.99.H99" for chain, _, _ in found)


def test_a_head_row_that_disagrees_with_the_last_event_is_detected():
    events(AGENCY, 3)
    AuditChain.objects.filter(key=AGENCY).update(last_seq=2)
    assert problems() == [
        (AGENCY, 2, "cuối chuỗi không khớp: dòng đầu chuỗi ghi sự kiện 2, sự kiện cuối là 3")
    ]
    AuditChain.objects.filter(key=AGENCY).update(last_seq=5)
    assert problems() == [
        (AGENCY, 5, "cuối chuỗi không khớp: dòng đầu chuỗi ghi sự kiện 5, sự kiện cuối là 3")
    ]


def test_a_whole_chain_forged_as_written_before_the_key_is_detected(clock):
    events(AGENCY, 1)
    checkpoint(clock)
    # Copy a real event into a new chain, relabelled as legacy, with a head row.
    source = AuditEvent.objects.get(chain=AGENCY)
    source.pk, source.chain, source.key_id, source.prev_hash = None, "000.00.98.H99", "", ""
    source.hash = attacker.plain_sha256(source)
    source.save(force_insert=True)
    AuditChain.objects.create(key="000.00.98.H99", last_seq=1, last_hash=source.hash)
    assert problems() == [
        ("000.00.98.H99", 1, "sự kiện kiểu cũ (không có khóa HMAC) nằm sau mốc 0 mà điểm neo ghi nhận")
    ]


# (d) A truncated chain: its last events deleted, its head moved back to the new last one.


def test_a_truncated_chain_is_detected(clock):
    events(AGENCY, 5)
    name = checkpoint(clock)
    attacker.sql(f"DELETE FROM {attacker.EVENTS} WHERE chain = %s AND seq > 3", [AGENCY])  # noqa: S608
    attacker.rehash_from(AGENCY, 4)  # nothing to rehash: moves the head to event 3

    assert problems() == [
        (
            AGENCY,
            5,
            f"chuỗi bị cắt hoặc quay lui: cơ sở dữ liệu chỉ còn tới sự kiện 3, "
            f"điểm neo {name} ghi tới sự kiện 5",
        )
    ]
    verify_fails()


# (e) A rollback to an earlier valid head: the rows as they were (an old copy) put back, and
# the application then writing on from there.


def test_a_rollback_to_an_earlier_valid_head_is_detected(clock):
    events(AGENCY, 2)
    old_head = AuditChain.objects.values_list("last_seq", "last_hash").get(key=AGENCY)
    events(AGENCY, 2)
    name = checkpoint(clock)
    attacker.sql(f"DELETE FROM {attacker.EVENTS} WHERE chain = %s AND seq > 2", [AGENCY])  # noqa: S608
    attacker.sql(
        f"UPDATE {attacker.CHAINS} SET last_seq = %s, last_hash = %s WHERE key = %s",  # noqa: S608
        [*old_head, AGENCY],
    )
    assert problems() == [
        (
            AGENCY,
            4,
            f"chuỗi bị cắt hoặc quay lui: cơ sở dữ liệu chỉ còn tới sự kiện 2, "
            f"điểm neo {name} ghi tới sự kiện 4",
        )
    ]
    # The application writes on: events 3, 4, 5 are well signed, but event 4 is not the one
    # the checkpoint anchored.
    events(AGENCY, 3)
    assert problems() == [(AGENCY, 4, f"khác với điểm neo {name}: chuỗi đã bị viết lại hoặc quay lui")]
    verify_fails()


# The checkpoint itself.


def test_no_checkpoint_is_signed_over_a_log_that_disagrees_with_the_last_one(clock):
    events(AGENCY, 3)
    checkpoint(clock)
    attacker.sql(f"DELETE FROM {attacker.EVENTS} WHERE chain = %s AND seq = 3", [AGENCY])  # noqa: S608
    attacker.rehash_from(AGENCY, 3)
    err = io.StringIO()
    with pytest.raises(CommandError, match="Không ký điểm neo"):
        call_command("audit_checkpoint", stdout=io.StringIO(), stderr=err)
    assert "chuỗi bị cắt hoặc quay lui" in err.getvalue()
    assert len(checkpoint_names()) == 1

    # The database was restored from an older backup: the operator signs the state as it is.
    call_command("audit_checkpoint", "--acknowledge", "khôi phục bản sao lưu 22/11", stdout=io.StringIO())
    stored = json.loads(checkpoint_storage().open(checkpoint_names()[-1]).read())
    assert stored["acknowledged"]["reason"] == "khôi phục bản sao lưu 22/11"
    assert "chuỗi bị cắt hoặc quay lui" in stored["acknowledged"]["problems"][0]
    assert stored["chains"][AGENCY]["seq"] == 2
    assert problems() == []


def test_the_checkpoint_checks_only_what_was_written_since_the_last_one(clock):
    events(AGENCY, 3)
    checkpoint(clock)
    events(AGENCY, 2)
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    # From the anchored event 3 on: 3, 4, 5.
    assert "1 chuỗi (3 sự kiện mới được kiểm tra)" in out.getvalue()


def test_an_edited_or_forged_checkpoint_file_is_detected(clock):
    events(AGENCY, 3)
    name = checkpoint(clock)
    storage = checkpoint_storage()
    data = json.loads(storage.open(name).read())
    data["chains"][AGENCY]["seq"] = 2  # as if the chain had been shorter
    storage.delete(name)
    storage.save(name, io.BytesIO(json.dumps(data).encode()))
    found = [str(p) for p in audit_verify_log().problems]
    assert found == [f"điểm neo {name}: chữ ký không hợp lệ: tệp đã bị sửa hoặc giả mạo"]


def test_a_separate_checkpoint_key_signs_the_checkpoints(clock, settings):
    settings.AUDIT_CHECKPOINT_KEY = KEY_B
    events(AGENCY, 1)
    name = checkpoint(clock)
    stored = json.loads(checkpoint_storage().open(name).read())
    assert stored["key_id"] == key_id(KEY_B.encode())
    settings.AUDIT_CHECKPOINT_KEY = ""  # a verifier without that key cannot trust the file
    assert [str(p) for p in audit_verify_log().problems] == [
        f"điểm neo {name}: được ký bằng khóa {key_id(KEY_B.encode())!r} không có trong khóa điểm neo "
        "(AUDIT_CHECKPOINT_KEY)"
    ]
