"""Deploying runs ``collectstatic`` with the production storage (WhiteNoise's compressed manifest,
``motcua.lib.staticfiles``): every file a stylesheet or script refers to must be there, or the
deployment stops (a vendored script naming a source map that was not copied did). Pages then
name the files by their hashed addresses, each worked out once per process."""

import pytest
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

from motcua.lib.staticfiles import StaticFilesStorage

PRODUCTION = "motcua.lib.staticfiles.StaticFilesStorage"


def test_collectstatic_succeeds_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": PRODUCTION},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "reports/vendor/chartjs/chart.umd.min.js" in manifest
    assert "motcua/motcua.css" in manifest


def test_the_production_setting_names_this_storage():
    from motcua import settings as module

    with open(module.__file__, encoding="utf-8") as source:
        assert f'"{PRODUCTION}"' in source.read()


def test_addresses_are_the_manifests_and_worked_out_once(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.DEBUG = False
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION}}
    call_command("collectstatic", interactive=False, verbosity=0)
    storage = StaticFilesStorage()
    address = storage.url("motcua/motcua.css")
    assert address == CompressedManifestStaticFilesStorage().url("motcua/motcua.css")
    assert address.startswith("/static/motcua/motcua.") and address != "/static/motcua/motcua.css"

    storage.hashed_files.clear()  # the manifest is not read again for a name already asked
    assert storage.url("motcua/motcua.css") == address
    for _ in range(2):  # a name the manifest lacks is never kept
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("motcua/no-such-file.css")


def test_collectstatic_forgets_the_addresses_kept(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.DEBUG = False
    storage = StaticFilesStorage()
    storage._addresses["motcua/motcua.css"] = "/static/old.css"
    list(storage.post_process({}, dry_run=True))
    assert storage._addresses == {}
