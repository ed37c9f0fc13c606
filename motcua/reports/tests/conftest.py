from motcua.dossiers.tests.conftest import frozen, world  # noqa: F401 — the dossier tests' fixtures
