"""Whose dossiers a citizen sees ("Hồ sơ của tôi"): their own submissions, and counter dossiers
with their citizen ID only once their identity was verified through the national identity."""

import pytest
from django.contrib.auth import get_user_model

from motcua.accounts.models import Profile
from motcua.audit.models import AuditEvent
from motcua.dossiers import selectors, services
from motcua.dossiers.tests.conftest import intake, vn
from motcua.dossiers.tests.test_online_services import submit
from motcua.lib.errors import NotFound

HOA_ID = "001190012345"  # the applicant of conftest.intake


def citizen(
    username: str, *, citizen_id: str = "", verified: bool = False, kind: str = "citizen", tax_code=""
):
    User = get_user_model()
    user = User.objects.create_user(username, kind=kind)
    Profile.objects.create(
        user=user,
        citizen_id=citizen_id,
        tax_code=tax_code,
        identity_verified_at=vn(2026, 3, 1, 9) if verified else None,
        identity_subject=username if verified else "",
        identity_issuer="https://sso.dichvucong.gov.vn" if verified else "",
    )
    return user


def test_another_citizens_dossier_is_the_same_404_as_an_unknown_code(world, frozen):
    mine = submit(world)
    stranger = citizen("nguoi_khac", citizen_id="001085099999")
    with pytest.raises(NotFound) as foreign:
        selectors.citizen_dossier(stranger, mine.code, ip="198.51.100.7")
    with pytest.raises(NotFound) as unknown:
        selectors.citizen_dossier(stranger, "000.01.31.H99-260302-9999")
    assert (foreign.value.message, foreign.value.code) == (unknown.value.message, unknown.value.code)
    assert foreign.value.message == "Không tìm thấy hồ sơ."
    refused = AuditEvent.objects.get(action="personal_data.refused")
    assert (refused.actor, refused.extra["code"], refused.ip_address) == (stranger, mine.code, "198.51.100.7")
    assert not selectors.citizen_dossiers(stranger).exists()
    assert not selectors.citizen_files(stranger).exists()
    # Nor can the stranger act on it.
    with pytest.raises(NotFound):
        services.dossier_withdraw_online(
            citizen=stranger, dossier=mine.code, expected_version=mine.version, reason="x"
        )


def test_the_owner_sees_their_dossier_and_the_view_is_audited(world, frozen):
    mine = submit(world)
    assert list(selectors.citizen_dossiers(world.citizen)) == [mine]
    assert selectors.citizen_dossier(world.citizen, mine.code.lower()) == mine
    viewed = AuditEvent.objects.filter(action="personal_data.view", actor=world.citizen)
    assert [e.extra["code"] for e in viewed] == [mine.code]
    assert sorted(f.original_name for f in selectors.citizen_files(world.citizen)) == [
        "to-khai.pdf",
        "xac-nhan.pdf",
    ]


def test_a_counter_dossier_with_my_id_is_seen_only_once_my_identity_is_verified(world, frozen):
    counter = services.dossier_receive(actor=world.receptionist, data=intake(world))
    assert counter.citizen_id == HOA_ID
    unverified = citizen("hoa_tu_khai", citizen_id=HOA_ID)
    assert not selectors.citizen_dossiers(unverified).exists()
    with pytest.raises(NotFound):
        selectors.citizen_dossier(unverified, counter.code)
    verified = citizen("hoa_vneid", citizen_id=HOA_ID, verified=True)
    assert list(selectors.citizen_dossiers(verified)) == [counter]
    assert selectors.citizen_dossier(verified, counter.code) == counter
    # An online dossier someone else submitted with her ID is theirs, not hers.
    submit(world)
    assert list(selectors.citizen_dossiers(verified)) == [counter]


def test_an_organisation_sees_counter_dossiers_with_its_tax_code_once_verified(world, frozen):
    from motcua.dossiers.services import ApplicantData

    org = ApplicantData(
        kind="organisation", name="Công ty TNHH An Bình", tax_code="0101234567", representative="Lê An"
    )
    counter = services.dossier_receive(actor=world.receptionist, data=intake(world, applicant=org))
    company = citizen("cty_an_binh", tax_code="0101234567", verified=True, kind="organisation")
    assert list(selectors.citizen_dossiers(company)) == [counter]
    impostor = citizen("cty_gia", tax_code="0101234567", kind="organisation")
    assert not selectors.citizen_dossiers(impostor).exists()


def test_staff_and_visitors_have_no_dossiers_of_their_own(world, frozen):
    from django.contrib.auth.models import AnonymousUser

    submit(world)
    assert not selectors.citizen_dossiers(world.receptionist).exists()
    assert not selectors.citizen_dossiers(AnonymousUser()).exists()
