"""Allocated postal-code ranges (``postal_code.unallocated``), VAT numbers and tax ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csp_commerce.models import Address
from csp_commerce.validation.address_rules import validate_address
from csp_commerce.validation.postal import CountryRules, offline_rules
from csp_commerce.validation.tax_ids import TAX_RULES, tax_id_pattern

# country: (a code in range, the lowest allocated key, the highest, a code out of range, and
# the code that refuses it). The boundaries are the first and last keys the compiled ranges
# allow (the first two digits; three for the US; two characters for CA; the area for GB).
RANGES = {
    "AR": ("C1070AAM", "C1000AAA", "Z9410AAA", "C0970AAM", "postal_code.unallocated"),
    "AT": ("1010", "1010", "9992", "0910", "postal_code.unallocated"),
    "AU": ("2000", "0200", "9999", "0160", "postal_code.unallocated"),
    "BE": ("1000", "1000", "9992", "0900", "postal_code.unallocated"),
    "BR": ("01310-100", "01000-000", "99990-000", "00301-110", "postal_code.unallocated"),
    "CA": ("K1A 0B1", "A0A 1A0", "Y1A 2B3", "K3A 1A1", "postal_code.unallocated"),
    "CH": ("8001", "1000", "9658", "0944", "postal_code.unallocated"),
    "CN": ("100000", "010000", "866033", "006033", "postal_code.unallocated"),
    "CO": ("110111", "050001", "995009", "041221", "postal_code.unallocated"),
    "CZ": ("110 00", "100 00", "798 62", "090 00", "postal_code.unallocated"),
    "DE": ("10115", "01067", "99998", "00123", "postal_code.unallocated"),
    "DK": ("1050", "0800", "9990", "0760", "postal_code.unallocated"),
    "ES": ("28013", "01001", "52001", "00039", "postal_code.unallocated"),
    "FI": ("00100", "00002", "99999", "00000", "postal_code.unallocated"),
    "FR": ("75008", "01000", "98000", "00380", "postal_code.unallocated"),
    "GB": ("SW1A 1AA", "AB10 1AA", "ZE1 0AA", "QQ1 1AA", "postal_code.invalid"),
    "GR": ("105 57", "101 73", "900 03", "091 24", "postal_code.unallocated"),
    "HR": ("10000", "10000", "53296", "09000", "postal_code.unallocated"),
    "HU": ("1051", "1007", "9985", "0937", "postal_code.unallocated"),
    "ID": ("10110", "10110", "99974", "09115", "postal_code.unallocated"),
    "IN": ("110001", "110001", "855117", "100034", "postal_code.unallocated"),
    "IT": ("00144", "00010", "98168", "99144", "postal_code.unallocated"),
    "JP": ("100-0001", "001-0000", "999-8531", "000-0000", "postal_code.unallocated"),
    "LU": ("1009", "1009", "9991", "0950", "postal_code.unallocated"),
    "MX": ("06000", "01000", "99998", "00860", "postal_code.unallocated"),
    "MY": ("50450", "01000", "98859", "00000", "postal_code.unallocated"),
    # The format already refuses a Dutch code below 1000: the ranges add nothing there.
    "NL": ("1012 JS", "1011 AB", "9999 ZZ", "0934 AB", "postal_code.invalid"),
    "NO": ("0150", "0001", "9991", "0000", "postal_code.unallocated"),
    "NZ": ("6011", "0110", "9884", "0001", "postal_code.unallocated"),
    "PH": ("1000", "1000", "9811", "0900", "postal_code.unallocated"),
    "PL": ("00-950", "00-001", "99-440", "00-000", "postal_code.unallocated"),
    "PT": ("1000-001", "1000-001", "9980-999", "0925-079", "postal_code.unallocated"),
    "RO": ("010011", "010011", "927250", "000274", "postal_code.unallocated"),
    "SE": ("114 55", "100 04", "984 99", "094 55", "postal_code.unallocated"),
    "SI": ("1000", "1000", "9600", "0900", "postal_code.unallocated"),
    "SK": ("811 01", "010 01", "992 01", "000 01", "postal_code.unallocated"),
    "TH": ("10100", "10100", "96220", "09150", "postal_code.unallocated"),
    "TR": ("06100", "01010", "81952", "00960", "postal_code.unallocated"),
    "TW": ("100", "100", "983", "094", "postal_code.unallocated"),
    "UA": ("01001", "01001", "99999", "00432", "postal_code.unallocated"),
    "US": ("98052", "00501", "99950", "00401", "postal_code.unallocated"),
    "ZA": ("2001", "0001", "9992", "0000", "postal_code.unallocated"),
}


def postal_codes(country: str, postal_code: str, rules: CountryRules | None = None) -> list[str]:
    """The postal-code Problems of an otherwise complete address (no state: no prefix check)."""
    address = Address(
        country=country, postal_code=postal_code, city="Capital", address_line1="1 Main Street"
    )
    found = rules if rules is not None else offline_rules(country)
    return [p.code for p in validate_address(address, found) if p.field == "postal_code"]


def test_at_least_forty_countries_have_ranges_and_every_one_is_tested() -> None:
    ranged = {code for code in RANGES if offline_rules(code).postal_ranges}  # type: ignore[union-attr]
    assert len(ranged) >= 40
    assert ranged == set(RANGES)


@pytest.mark.parametrize("country", sorted(RANGES))
def test_in_range_and_boundary_codes_are_accepted(country: str) -> None:
    inside, lowest, highest, _, _ = RANGES[country]
    for code in (inside, lowest, highest):
        assert postal_codes(country, code) == [], code


@pytest.mark.parametrize("country", sorted(RANGES))
def test_a_code_out_of_range_is_refused(country: str) -> None:
    _, _, _, outside, expected = RANGES[country]
    assert postal_codes(country, outside) == [expected]


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("DE", "05123"),  # Deutsche Post's unused Leitregion 05
        ("DE", "43210"),
        ("DE", "62000"),
        ("US", "00000"),
        ("US", "21301"),  # USPS: 213 is not in use
        ("US", "98700"),
        ("AU", "0500"),  # Australia Post: 03-07 unused
        ("IT", "00000"),  # all zeros, though Rome's 00xxx are in use
        ("TR", "82000"),  # Turkey's 81 provinces
        ("ES", "53000"),  # Spain's 52 provinces
        ("CA", "S1A 1A1"),  # Saskatchewan's S1 is not in use
    ],
)
def test_unallocated_codes_inside_the_format(country: str, code: str) -> None:
    assert postal_codes(country, code) == ["postal_code.unallocated"]


@pytest.mark.parametrize(
    ("country", "code"),
    [
        ("DE", "11011"),  # the Bundestag: a large customer's code the source lacks
        ("US", "00501"),  # the IRS in Holtsville, added to the source
        ("US", "09012"),  # military mail (AE), a prefix the source lacks
        ("US", "73301"),  # the IRS in Austin, a unique prefix the source lacks
        ("FR", "97400"),  # La Réunion, under French codes
        ("DK", "0999"),  # a PostNord large-customer code
        ("GB", "BX1 1LT"),  # Royal Mail's non-geographic BX
        ("GB", "GIR 0AA"),
    ],
)
def test_codes_the_posts_use_outside_the_source_are_accepted(country: str, code: str) -> None:
    assert postal_codes(country, code) == []


def test_the_unallocated_problem_names_the_code_country_and_an_example() -> None:
    address = Address(country="DE", postal_code="00123", city="Berlin", address_line1="Unter 1")
    (problem,) = validate_address(address, offline_rules("DE"))
    assert problem.code == "postal_code.unallocated"
    assert problem.params == {"value": "00123", "country": "DE", "example": "26133"}
    assert "00123" in problem.message and "Germany" in problem.message


def test_a_country_without_range_data_is_judged_by_format_only() -> None:
    ireland = offline_rules("IE")
    assert ireland is not None and not ireland.postal_ranges
    assert ireland.postal_code_allocated("D02 X285")
    assert postal_codes("IE", "D02 X285") == []


def test_partner_center_rules_keep_the_offline_ranges() -> None:
    # Partner Center's recorded GB regex (its shape: GIR 0AA, or any letter, then digits or a
    # letter and digits, then the inward code) accepts any area, QQ1 1AA too: the offline
    # ranges, carried over from the fallback, refuse it as unallocated, not as a format error.
    gb_regex = (
        "^(GIR 0AA|[a-zA-Z]([0-9]{1,2}|[a-zA-Z][0-9]{1,2}|[0-9][a-zA-Z]|[a-zA-Z][0-9][a-zA-Z])"
        " ?[0-9][a-zA-Z]{2})$"
    )
    payload = {"iso2Code": "GB", "postalCodeRegex": gb_regex, "isPostalCodeRequired": True}
    bare = CountryRules.from_partner_center(payload)
    assert postal_codes("GB", "QQ1 1AA", bare) == []
    rules = CountryRules.from_partner_center(payload, fallback=offline_rules("GB"))
    assert postal_codes("GB", "QQ1 1AA", rules) == ["postal_code.unallocated"]
    assert postal_codes("GB", "SW1A 1AA", rules) == []


# -- VAT numbers and tax ids ------------------------------------------------------------------


def tax_codes(country: str, rules: CountryRules | None = None, **fields: str) -> list[str]:
    address = Address(country=country, city="Capital", address_line1="1 Main Street", **fields)
    found = rules if rules is not None else offline_rules(country)
    return [p.code for p in validate_address(address, found) if p.field in {"vat_id", "tax_id"}]


@pytest.mark.parametrize(
    ("country", "vat_id"),
    [
        ("DE", "DE123456789"),
        ("DE", "de 123 456 789"),
        ("AT", "ATU12345678"),
        ("FR", "FR 40 303 265 045"),
        ("NL", "NL123456789B01"),
        ("GB", "GB123456789"),
        ("CH", "CHE-123.456.789 MWST"),
        ("NO", "NO123456789MVA"),
    ],
)
def test_a_vat_number_of_the_country_is_accepted(country: str, vat_id: str) -> None:
    assert tax_codes(country, vat_id=vat_id) == []


@pytest.mark.parametrize(
    ("country", "vat_id", "expected"),
    [
        ("DE", "DE12345678", "vat_id.invalid"),  # eight digits
        ("DE", "ATU12345678", "vat_id.invalid"),  # another country's
        ("NL", "NL123456789", "vat_id.invalid"),
        ("US", "US123456789", "vat_id.not_supported"),
        ("AU", "51824753556", "vat_id.not_supported"),
    ],
)
def test_a_wrong_or_unwanted_vat_number_is_refused(
    country: str, vat_id: str, expected: str
) -> None:
    assert tax_codes(country, vat_id=vat_id) == [expected]


@pytest.mark.parametrize(
    ("country", "tax_id"),
    [
        ("US", "US123456"),
        ("IN", "27AAPFU0939F1ZV"),
        ("BR", "11.222.333/0001-81"),
        ("BR", "11222333000181"),  # punctuation left out
        ("MX", "abc680524p76"),
        ("JP", "T1234567890123"),
        ("AU", "51 824 753 556"),
    ],
)
def test_a_tax_id_in_the_countrys_format_is_accepted(country: str, tax_id: str) -> None:
    assert tax_codes(country, tax_id=tax_id) == []


@pytest.mark.parametrize(
    ("country", "tax_id", "expected"),
    [
        ("US", "123456", "tax_id.invalid"),
        ("IN", "27AAPFU0939F1Z", "tax_id.invalid"),
        ("BR", "11.222.333/0001-8", "tax_id.invalid"),
        ("DE", "12345", "tax_id.not_supported"),
    ],
)
def test_a_wrong_or_unwanted_tax_id_is_refused(country: str, tax_id: str, expected: str) -> None:
    assert tax_codes(country, tax_id=tax_id) == [expected]


def test_the_tax_id_problem_names_the_format_and_sample() -> None:
    address = Address(country="US", city="X", address_line1="1 Main", tax_id="12")
    (problem,) = [p for p in validate_address(address, offline_rules("US")) if p.field == "tax_id"]
    assert problem.params == {
        "value": "12",
        "country": "US",
        "format": "US######",
        "example": "US123456",
    }


def test_offline_tax_ids_are_optional_and_live_rules_can_require_one() -> None:
    assert all(rule.tax_id_optional for rule in TAX_RULES.values())
    assert tax_codes("IN") == []
    live = CountryRules.from_partner_center(
        {
            "iso2Code": "IN",
            "isTaxIdSupported": True,
            "isTaxIdOptional": False,
            "taxIdFormat": "##AAAAA####A*Z*",
            "taxIdSample": "27AAPFU0939F1ZV",
            "isVatIdSupported": True,
            "vatIdRegex": "^IN[0-9]{4}$",
        }
    )
    assert live.tax_id_required and live.vat_id_supported
    assert tax_codes("IN", live) == ["tax_id.required"]
    assert tax_codes("IN", live, vat_id="IN12", tax_id="27AAPFU0939F1ZV") == ["vat_id.invalid"]
    assert tax_codes("IN", live, vat_id="IN1234", tax_id="27AAPFU0939F1ZV") == []


def test_partner_center_omitting_tax_optional_means_optional() -> None:
    rules = CountryRules.from_partner_center(
        {"iso2Code": "US", "isTaxIdSupported": True, "taxIdFormat": "US######"}
    )
    assert rules.tax_id_optional and not rules.tax_id_required


@pytest.mark.parametrize("country", sorted(TAX_RULES))
def test_every_seeded_sample_matches_its_format(country: str) -> None:
    rule = TAX_RULES[country]
    if rule.tax_id_format is not None:
        assert rule.tax_id_sample is not None
        assert tax_id_pattern(rule.tax_id_format).fullmatch(rule.tax_id_sample)
    if rule.vat_id_regex is not None:
        re.compile(rule.vat_id_regex)
        assert rule.vat_id_regex.startswith("^") and rule.vat_id_regex.endswith("$")


def _reference_allocated(rules: CountryRules, code: str) -> bool:
    # The plain reading of the compiled data: the key, then a scan of the (lo, hi) ranges.
    if not code.strip("0 -"):
        return False
    kind, _, size = rules.postal_range_key.partition(":")
    if kind == "letters":
        key = re.match(r"[A-Z]*", code).group()  # type: ignore[union-attr]
    elif kind == "digits":
        key = re.sub(r"\D", "", code)[: int(size)]
    else:
        key = re.sub(r"[ -]", "", code)[: int(size)]
    return any(low <= key <= high and len(key) == len(low) for low, high in rules.postal_ranges)


@settings(max_examples=300, deadline=None)
@given(
    country=st.sampled_from(sorted(RANGES)),
    code=st.from_regex(
        r"[A-Z]?[0-9]{1,6}(?:[ -][0-9A-Z]{1,4})?|[A-Z]{1,3}[0-9] ?[0-9][A-Z]{2}", fullmatch=True
    ),
)
def test_the_fast_lookup_agrees_with_the_ranges(country: str, code: str) -> None:
    rules = offline_rules(country)
    assert rules is not None
    assert rules.postal_code_allocated(code) == _reference_allocated(rules, code)
