"""The demo's signing: a CA under SIGNING_DEMO_DIR, a seal and leader keys per handling agency,
one returned dossier's result signed by both (run twice: nothing more)."""

import io
from types import SimpleNamespace

import pytest

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance, build_world
from motcua.signing import signatures
from motcua.signing.demo import build_demo_signing
from motcua.signing.models import AgencySigner, EResult

pytestmark = pytest.mark.django_db


def test_the_demo_signs_a_returned_result_with_its_own_ca(settings, tmp_path):
    settings.SIGNING_DEMO_DIR = str(tmp_path / "signing-demo")
    settings.SIGNING_TRUST_ANCHORS = [str(tmp_path / "signing-demo" / "ca.pem")]
    world = build_world()
    returned = advance(world, Dossier.State.RETURNED)
    org = SimpleNamespace(commune_agencies=[world.tree.commune_a], province_agencies=[world.tree.department])
    out = io.StringIO()

    result = build_demo_signing(org=org, stdout=out)

    assert result is not None and result.dossier == returned and result.code == f"{returned.code}-KQ1"
    kinds = set(AgencySigner.objects.filter(active=True).values_list("agency__code", "kind"))
    # Commune A and the department (each has a leader among the test personas).
    assert kinds == {
        (code, kind) for code in ("000.00.31.H99", "000.00.11.H99") for kind in ("seal", "leader")
    }
    with result.file.open("rb") as handle:
        check = signatures.verify(handle.read())
    assert check.verdict == "valid"
    assert [s.signer_name for s in check.signatures] == ["Trịnh Văn Lãnh", "Ủy ban nhân dân xã An Bình"]
    assert f"/xac-thuc/ket-qua/{result.code}/{result.token}/" in out.getvalue()
    assert oct((tmp_path / "signing-demo" / "ca.key").stat().st_mode & 0o777) == "0o600"

    again = build_demo_signing(org=org, stdout=io.StringIO())
    assert again == result and EResult.objects.count() == 1 and AgencySigner.objects.count() == 4
