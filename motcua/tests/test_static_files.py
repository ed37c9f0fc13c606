"""Deploying runs ``collectstatic`` with the production storage (WhiteNoise's compressed manifest):
every file a stylesheet or script refers to must be there, or the deployment stops (a vendored
script naming a source map that was not copied did)."""

from django.core.management import call_command


def test_collectstatic_succeeds_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "reports/vendor/chartjs/chart.umd.min.js" in manifest
    assert "motcua/motcua.css" in manifest
