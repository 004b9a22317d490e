"""Organisation identifiers: check digits, accepted spellings and clear rejections."""

import random

import pytest

from register.identifiers import (
    generate_danish_cvr,
    generate_swedish_org_number,
    luhn_check_digit,
    normalise_org_number,
    validate_danish_cvr,
    validate_eu_transparency_id,
    validate_swedish_org_number,
)

# Published numbers whose check digits were also worked out by hand.
SWEDISH = {
    "556074-3089": "Volvo Car Corporation",
    "556012-5790": "AB Volvo",
    "556016-0680": "Telefonaktiebolaget LM Ericsson",
    "556042-7220": "H & M Hennes & Mauritz AB",
    "232100-0131": "Västra Götalandsregionen",
}
DANISH = {"24256790": "Novo Nordisk A/S", "22756214": "A.P. Møller - Mærsk A/S"}


def test_luhn_check_digit_worked_example():
    # 5·2=10→1, 5, 6·2=12→3, 0, 7·2=14→5, 4, 3·2=6, 0, 8·2=16→7: sum 31, check 9.
    assert luhn_check_digit("556074308") == 9


@pytest.mark.parametrize("number", SWEDISH)
def test_known_swedish_numbers_are_valid(number):
    assert validate_swedish_org_number(number) == number


@pytest.mark.parametrize(
    "spelling",
    ["5560743089", " 556074-3089 ", "556074 3089", "16556074-3089", "165560743089", "556074–3089"],
)
def test_swedish_spellings_are_canonicalised(spelling):
    assert validate_swedish_org_number(spelling) == "556074-3089"


@pytest.mark.parametrize("number", ["556074-3088", "556074-3080", "5560743098", "232100-0132"])
def test_swedish_wrong_check_digit_is_rejected(number):
    with pytest.raises(ValueError, match="check digit"):
        validate_swedish_org_number(number)


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "556074-308",
        "556074-30899",
        "17556074-3089",
        "5560743089x",
        "abcdef-ghij",
        "556074-30 89 1",
        "５５６０７４３０８９",
        None,
    ],
)
def test_swedish_wrong_shape_is_rejected(junk):
    with pytest.raises(ValueError, match="10 digits"):
        validate_swedish_org_number(junk)


@pytest.mark.parametrize("number", DANISH)
def test_known_danish_cvr_numbers_are_valid(number):
    assert validate_danish_cvr(number) == number


def test_danish_cvr_worked_example_and_spellings():
    # Novo Nordisk: 2·2+4·7+2·6+5·5+6·4+7·3+9·2+0·1 = 132 = 12·11.
    assert validate_danish_cvr("DK 24 25 67 90") == "24256790"
    assert validate_danish_cvr("dk24256790") == "24256790"


@pytest.mark.parametrize("number", ["24256791", "22756215", "12345678"])
def test_danish_wrong_check_digit_is_rejected(number):
    with pytest.raises(ValueError, match="check digit"):
        validate_danish_cvr(number)


@pytest.mark.parametrize("junk", ["", "2425679", "242567900", "02425679", "2425679a", "DK", None])
def test_danish_wrong_shape_is_rejected(junk):
    with pytest.raises(ValueError, match="8 digits"):
        validate_danish_cvr(junk)


@pytest.mark.parametrize(
    "value", ["7714905406-52", "123456789-01", "012345678901-23", " 7714905406-52 "]
)
def test_eu_transparency_ids_are_accepted(value):
    assert validate_eu_transparency_id(value) == value.strip()


def test_eu_transparency_id_typographic_dash_is_normalised():
    assert validate_eu_transparency_id("7714905406–52") == "7714905406-52"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "7714905406",
        "7714905406-5",
        "7714905406-523",
        "12345678-01",
        "1234567890123-01",
        "7714905406 52",
        "77149O5406-52",
        "-52",
        "7714905406-52x",
        None,
    ],
)
def test_eu_transparency_id_wrong_shape_is_rejected(junk):
    with pytest.raises(ValueError, match="Transparency Register"):
        validate_eu_transparency_id(junk)


def test_normalise_org_number_by_country_and_by_shape():
    assert normalise_org_number("5560743089", "SE") == "556074-3089"
    assert normalise_org_number("24256790", "dk") == "24256790"
    assert normalise_org_number("556074-3089") == "556074-3089"
    assert normalise_org_number("24256790") == "24256790"
    with pytest.raises(ValueError, match="Only Swedish"):
        normalise_org_number("923609016", "NO")
    with pytest.raises(ValueError):
        normalise_org_number("24256790", "SE")


def test_generated_numbers_are_valid_and_deterministic():
    rng = random.Random(7)
    swedish = [generate_swedish_org_number(rng) for _ in range(500)]
    charities = [generate_swedish_org_number(rng, prefix_digit=8) for _ in range(50)]
    danish = [generate_danish_cvr(rng) for _ in range(500)]
    assert all(validate_swedish_org_number(n) == n and n.startswith("5") for n in swedish)
    assert all(validate_swedish_org_number(n) == n and n.startswith("8") for n in charities)
    # Legal entities, unlike people, have a third digit of 2 or more.
    assert all(int(n[2]) >= 2 for n in swedish + charities)
    assert all(validate_danish_cvr(n) == n for n in danish)
    again = random.Random(7)
    assert [generate_swedish_org_number(again) for _ in range(500)] == swedish
