from datetime import UTC, datetime

import pytest
import time_machine

# Not the development key (which is public, in motcua/settings.py): what production runs with.
KEY_A = "a1" * 32
KEY_B = "b2" * 32
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def audit_settings(settings, tmp_path):
    """A production-like key, and checkpoints in this test's own directory."""
    settings.AUDIT_KEY = KEY_A
    settings.AUDIT_CHECKPOINT_KEY = ""
    settings.STORAGES = {
        **settings.STORAGES,
        "audit_checkpoints": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "checkpoints")},
        },
    }
    return settings


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
