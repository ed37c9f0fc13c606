"""API tokens: made once and shown once, stored only as SHA-256, revocable, last use recorded."""

import hashlib
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from motcua.accounts.models import ApiToken, User
from motcua.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from motcua.audit.models import AuditEvent
from motcua.lib.errors import InvalidInput

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)


@pytest.fixture
def officer():
    return User.objects.create_user("can_bo", kind=User.Kind.STAFF, full_name="Lê Văn Bộ")


def test_a_token_is_returned_once_and_only_its_sha256_is_stored(officer):
    raw = api_token_create(user=officer, name="ki-ốt tầng 1")
    token = ApiToken.objects.get(user=officer)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.key_hash, token.name}
    assert token.name == "ki-ốt tầng 1"
    assert len(raw) >= 40
    assert AuditEvent.objects.filter(action="accounts.api_token_create", object_id=str(token.pk)).exists()


def test_two_tokens_for_one_user_differ(officer):
    assert api_token_create(user=officer) != api_token_create(user=officer)


def test_the_raw_token_authenticates_its_user_and_a_wrong_one_nobody(officer):
    raw = api_token_create(user=officer)
    assert api_token_authenticate(raw) == officer
    assert api_token_authenticate(raw + "x") is None
    assert api_token_authenticate("") is None


def test_a_revoked_token_or_an_inactive_user_authenticates_nobody(officer):
    raw = api_token_create(user=officer)
    api_token_revoke(token=ApiToken.objects.get(user=officer))
    assert api_token_authenticate(raw) is None

    raw2 = api_token_create(user=officer)
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert api_token_authenticate(raw2) is None


def test_no_token_for_an_inactive_account(officer):
    officer.is_active = False
    officer.save()
    with pytest.raises(InvalidInput, match="khóa"):
        api_token_create(user=officer)
    assert not ApiToken.objects.exists()


def test_last_used_is_written_at_most_once_a_minute(officer):
    raw = api_token_create(user=officer)
    with time_machine.travel(NOON, tick=False):
        api_token_authenticate(raw)
    assert ApiToken.objects.get().last_used_at == NOON
    with time_machine.travel(NOON + timedelta(seconds=59), tick=False):
        api_token_authenticate(raw)
    assert ApiToken.objects.get().last_used_at == NOON
    with time_machine.travel(NOON + timedelta(seconds=61), tick=False):
        api_token_authenticate(raw)
    assert ApiToken.objects.get().last_used_at == NOON + timedelta(seconds=61)


def test_the_command_prints_the_token_once_and_stores_its_hash(officer):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "can_bo", "--name", "tích hợp", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert len(raw.splitlines()) == 1
    token = ApiToken.objects.get(user=officer)
    assert token.name == "tích hợp"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert "chỉ hiện một lần" in err.getvalue()
    assert api_token_authenticate(raw) == officer


def test_the_command_refuses_an_unknown_user():
    with pytest.raises(CommandError, match="Không có tài khoản “ai_do”"):
        call_command("create_api_token", "ai_do", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()
