"""The dossier tests' province, procedure and people (``world``) and their frozen Monday
(``frozen``), for the citizen's API."""

from motcua.dossiers.tests.conftest import frozen, world  # noqa: F401 (fixtures)
