"""The identifiers a person types (motcua/lib/identifiers.py), one rule for reception, the profile
and a local account's sign-up."""

from datetime import date

import pytest

from motcua.lib.errors import InvalidInput
from motcua.lib.identifiers import clean_phone, tax_code_problem, validate_citizen_id


@pytest.mark.parametrize(
    ("typed", "national"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("(028) 3823-4567", "02838234567"),
        ("", ""),
    ],
)
def test_a_phone_number_is_kept_in_its_national_form(typed, national):
    assert clean_phone(typed) == national


@pytest.mark.parametrize("typed", ["12345", "0912 345", "+1 202 555 0100", "09123456789012"])
def test_a_phone_number_that_is_not_one_is_refused_in_vietnamese(typed):
    with pytest.raises(InvalidInput, match="gồm 10 chữ số bắt đầu bằng 0"):
        clean_phone(typed)


def test_a_citizen_id_is_checked_for_length_province_and_year_of_birth():
    assert validate_citizen_id("079 190 012 345", date(1990, 3, 15)) == "079190012345"
    with pytest.raises(InvalidInput, match="phải gồm đúng 12 chữ số"):
        validate_citizen_id("07919001234")
    with pytest.raises(InvalidInput, match="“003” không tồn tại"):
        validate_citizen_id("003190012345")
    with pytest.raises(InvalidInput, match="không khớp với năm sinh 2003"):
        validate_citizen_id("079190012345", date(2003, 1, 1))


def test_a_tax_code_has_ten_digits_or_a_dependent_units_three_more():
    assert tax_code_problem("0301234567") is None
    assert tax_code_problem("0301234567-001") is None
    assert tax_code_problem("030123456") is not None
    assert tax_code_problem("0301234567-01") is not None
