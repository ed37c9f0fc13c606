"""What an account takes from the identity's claims (names are settings.OIDC_CLAIMS)."""

from datetime import date

from motcua.accounts.oidc_services import identity_from_claims


def test_standard_claims_fill_every_attribute():
    identity = identity_from_claims(
        {
            "sub": "x",
            "name": " Phạm Thị Dung ",
            "citizen_id": "008 190 000 004",
            "birthdate": "1990-02-28",
            "phone_number": "0912000004",
            "email": "dung@example.vn",
            "address": {"formatted": "Xã Hàm Yên, tỉnh Tuyên Quang"},
        }
    )

    assert identity == {
        "full_name": "Phạm Thị Dung",
        "citizen_id": "008190000004",
        "date_of_birth": date(1990, 2, 28),
        "phone": "0912000004",
        "email": "dung@example.vn",
        "address": "Xã Hàm Yên, tỉnh Tuyên Quang",
    }


def test_other_shapes_are_understood_and_nonsense_is_left_out():
    identity = identity_from_claims(
        {
            "name": "Đỗ Văn Em",
            "citizen_id": "12345",  # not 12 digits: not taken
            "birthdate": "03/11/1985",
            "address": {"street_address": "Số 1 đường Bình Thuận", "region": "Tuyên Quang"},
        }
    )

    assert identity["citizen_id"] == ""
    assert identity["date_of_birth"] == date(1985, 11, 3)
    assert identity["address"] == "Số 1 đường Bình Thuận, Tuyên Quang"
    assert identity["phone"] == "" and identity["email"] == ""
    assert identity_from_claims({"birthdate": "ngày mai"})["date_of_birth"] is None


def test_the_claim_names_are_settings(settings):
    settings.OIDC_CLAIMS = {**settings.OIDC_CLAIMS, "citizen_id": "so_dinh_danh", "full_name": "ho_ten"}

    identity = identity_from_claims(
        {"so_dinh_danh": "008190000004", "ho_ten": "Phạm Thị Dung", "name": "khác"}
    )

    assert (identity["citizen_id"], identity["full_name"]) == ("008190000004", "Phạm Thị Dung")
