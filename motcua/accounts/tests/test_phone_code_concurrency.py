"""Tries of one SMS code sent at the same moment (PostgreSQL, real concurrent connections): each
is counted before it is compared, so no more than PHONE_CODE_MAX_TRIES are ever compared, and two
right codes at once make one account. (SQLite serialises every writer: nothing to prove there.)"""

import re
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection, connections

from motcua.accounts import registration
from motcua.accounts.models import PhoneCode, User
from motcua.lib.errors import DomainError
from motcua.notifications.models import OutboxMessage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def _together(function, n):
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=30)
            outcomes[i] = function()
        except DomainError as exc:
            outcomes[i] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


@pytest.fixture
def row(db):
    with time_machine.travel(NOW, tick=False):
        data = registration.RegistrationData(
            kind="citizen", full_name="Lê Thị Hoa", phone="0912345678", password="hoa-sen-trang-2026"
        )
        row = registration.registration_start(data=data)
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get().body).group(1)
    return row, code


def test_twelve_wrong_codes_at_once_are_compared_at_most_five_times(row):
    request, code = row
    wrong = "000000" if code != "000000" else "111111"
    with time_machine.travel(NOW, tick=False):
        outcomes = _together(
            lambda: registration.registration_complete(row=PhoneCode.objects.get(), code=wrong), 12
        )

    assert sorted(outcomes) == ["code_locked"] * 7 + ["code_wrong"] * 5
    assert PhoneCode.objects.get(pk=request.pk).tries == 5


def test_the_right_code_twice_at_once_makes_one_account(row):
    _, code = row
    with time_machine.travel(NOW, tick=False):
        outcomes = _together(
            lambda: registration.registration_complete(row=PhoneCode.objects.get(), code=code), 2
        )

    made = [o for o in outcomes if isinstance(o, User)]
    assert len(made) == 1 and User.objects.filter(username="0912345678").count() == 1
    assert [o for o in outcomes if not isinstance(o, User)] == ["phone_code_gone"]
