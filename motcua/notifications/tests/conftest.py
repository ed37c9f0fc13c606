# `smtp` (the SMTP stand-in) is in the project's conftest.py, shared with the end-to-end test.
import pytest
from django.test import override_settings

from motcua.notifications.testing.standins import HttpStandIn


@pytest.fixture
def sms_gateway():
    with (
        HttpStandIn() as server,
        override_settings(
            SMS_GATEWAY_URL=f"{server.url}/v1/sms", SMS_GATEWAY_API_KEY="khoa-thu", NOTIFY_HTTP_TIMEOUT=1
        ),
    ):
        yield server


@pytest.fixture
def zalo():
    from motcua.notifications.testing.standins import Reply

    ok = Reply(200, {"error": 0, "message": "Success", "data": {"msg_id": "zmsg-1", "sent_time": "1"}})
    with (
        HttpStandIn(ok) as server,
        override_settings(
            ZALO_ZNS_URL=f"{server.url}/message/template",
            ZALO_ACCESS_TOKEN="oa-token",
            ZALO_TEMPLATES={"dossier.receive": "301234", "dossier.finish": "301235"},
            NOTIFY_HTTP_TIMEOUT=1,
        ),
    ):
        yield server
