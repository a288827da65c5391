"""Country rules: the shipped data, normalisation, and Partner Center's rules JSON."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from csp_commerce.errors import InputError
from csp_commerce.validation import postal
from csp_commerce.validation.postal import (
    PARTNER_CENTER_COUNTRIES,
    CountryRules,
    normalize_postal_code,
    offline_rules,
)


def _shipped() -> dict[str, dict[str, object]]:
    text = files("csp_commerce").joinpath("data").joinpath("postal.json").read_text("utf-8")
    countries: dict[str, dict[str, object]] = json.loads(text)["countries"]
    return countries


def test_partner_center_accepts_248_countries() -> None:
    assert len(PARTNER_CENTER_COUNTRIES) == 248
    assert {"XE", "XJ", "XK", "XS", "AN"} <= PARTNER_CENTER_COUNTRIES
    assert not {"CU", "EH", "IR", "KP", "SD", "SY", "UK"} & PARTNER_CENTER_COUNTRIES


def test_every_partner_center_country_has_an_entry() -> None:
    assert set(_shipped()) == PARTNER_CENTER_COUNTRIES
    for country in PARTNER_CENTER_COUNTRIES:
        rules = offline_rules(country)
        assert rules is not None and rules.country == country and rules.source == "offline"


@pytest.mark.parametrize("country", sorted(PARTNER_CENTER_COUNTRIES))
def test_every_pattern_accepts_its_example_and_required_codes_have_one(country: str) -> None:
    rules = offline_rules(country)
    assert rules is not None
    if rules.postal_code_required:
        assert rules.postal_code_pattern is not None
    if rules.postal_code_pattern is not None:
        assert rules.postal_code_example is not None
        example = normalize_postal_code(rules.postal_code_example, rules)
        assert rules.postal_code_pattern.fullmatch(example)
    assert set(rules.state_postal_prefixes) <= rules.states


@pytest.mark.parametrize("country", ["AN", "XE", "XJ", "XS", "XK"])
def test_codes_without_i18n_data_have_no_postal_rule(country: str) -> None:
    rules = offline_rules(country)
    assert rules is not None
    assert rules.postal_code_pattern is None and not rules.postal_code_required


def test_unknown_and_excluded_countries_have_no_rules() -> None:
    for country in ["UK", "CU", "KP", "", "USA", "ZZ", "\x00"]:
        assert offline_rules(country) is None


def test_lookup_ignores_case_and_spaces_and_is_cached() -> None:
    assert offline_rules(" us ") is offline_rules("US")
    assert offline_rules("us") is offline_rules("US")


def test_us_states_are_partner_centers_51() -> None:
    rules = offline_rules("US")
    assert rules is not None
    assert len(rules.states) == 51 and "DC" in rules.states
    assert not {"PR", "GU", "VI", "AS", "MP", "UM", "AA", "AE", "AP"} & rules.states
    assert rules.state_required and rules.city_required and rules.postal_code_required


def test_china_states_are_iso_letter_codes_without_hk_mo_tw() -> None:
    rules = offline_rules("CN")
    assert rules is not None
    assert len(rules.states) == 31 and {"BJ", "SH", "GD", "XJ", "NM"} <= rules.states
    assert not {"HK", "MO", "TW", "11"} & rules.states


def test_state_prefixes_where_i18n_has_them() -> None:
    rules = offline_rules("US")
    assert rules is not None
    assert rules.state_postal_prefixes["CA"].match("94043")
    assert not rules.state_postal_prefixes["CA"].match("10001")


def test_data_is_loaded_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postal, "_DATA", {})
    monkeypatch.setattr(postal, "_RULES", {})
    assert offline_rules("UK") is None
    assert postal._DATA == {}
    assert offline_rules("DE") is not None
    assert "FR" in postal._DATA and list(postal._RULES) == ["DE"]


def test_patterns_only_match_ascii_digits() -> None:
    rules = offline_rules("US")
    assert rules is not None and rules.postal_code_pattern is not None
    assert not rules.postal_code_pattern.fullmatch("９４０４３")
    assert not rules.postal_code_pattern.fullmatch("٩٤٠٤٣")


@pytest.mark.parametrize(
    ("country", "raw", "normalised"),
    [
        ("US", "  94043 ", "94043"),
        ("NL", "1012   js", "1012 JS"),
        ("CA", "k1a\t0b1", "K1A 0B1"),
        ("CH", "ch-8001", "8001"),
        ("SE", "SE-114 55", "114 55"),
        ("DE", "D-10115", "D-10115"),
        ("GB", "sw1a\u00a01aa", "SW1A 1AA"),
        ("US", "94043\n", "94043"),
    ],
)
def test_normalize_postal_code(country: str, raw: str, normalised: str) -> None:
    assert normalize_postal_code(raw, offline_rules(country)) == normalised


# -- Partner Center's rules --------------------------------------------------------------------

PC_US_CURRENT = {
    "iso2Code": "US",
    "defaultCulture": "en-US",
    "isStateRequired": True,
    "supportedStatesList": ["AL", "AK", "CA", "NY", "WA"],
    "supportedLanguagesList": ["en", "es"],
    "supportedCulturesList": ["en-US", "es-US"],
    "isPostalCodeRequired": True,
    "postalCodeRegex": "^\\d{5}(-\\d{4})?$",
    "isCityRequired": True,
    "isVatIdSupported": False,
    "phoneNumberRegex": "^(\\+?1)?[2-9]\\d{2}[2-9](?!11)\\d{6}$",
    "attributes": {"objectType": "CountryValidationRules"},
}

PC_CN_OLD = {
    "Iso2Code": "CN",
    "IsStateRequired": True,
    "States": {"value": ["BJ", "SH", "GD"]},
    "IsPostalCodeRequired": True,
    "PostalCodeRegex": "^[0-9]{6,6}$",
    "IsCityRequired": True,
}

PC_PT = {
    "iso2Code": "PT",
    "isStateRequired": False,
    "isPostalCodeRequired": True,
    "postalCodeRegex": "^\\d{4}(-\\d{3})?$",
    "isCityRequired": True,
}


def test_partner_center_current_shape() -> None:
    rules = CountryRules.from_partner_center(PC_US_CURRENT)
    assert rules.source == "partner_center" and rules.country == "US"
    assert rules.states == frozenset({"AL", "AK", "CA", "NY", "WA"})
    assert rules.state_required and rules.postal_code_required and rules.city_required
    assert rules.postal_code_pattern is not None
    assert rules.postal_code_pattern.fullmatch("94043-1351")
    assert not rules.postal_code_pattern.fullmatch("94043\n")
    assert not rules.postal_code_pattern.fullmatch("94043 1351")
    assert rules.phone_pattern is not None and rules.phone_pattern.fullmatch("4255550100")


def test_partner_center_old_shape_and_pascal_case() -> None:
    rules = CountryRules.from_partner_center(PC_CN_OLD)
    assert rules.country == "CN" and rules.states == frozenset({"BJ", "SH", "GD"})
    assert rules.postal_code_pattern is not None
    assert rules.postal_code_pattern.fullmatch("100000")


def test_partner_center_rules_borrow_example_and_prefixes_from_fallback() -> None:
    rules = CountryRules.from_partner_center(PC_US_CURRENT, fallback=offline_rules("US"))
    assert rules.postal_code_example == "95014"
    assert set(rules.state_postal_prefixes) == {"AL", "AK", "CA", "NY", "WA"}
    bare = CountryRules.from_partner_center(PC_US_CURRENT)
    assert bare.postal_code_example is None and not bare.state_postal_prefixes


def test_partner_center_fallback_example_must_match_its_regex() -> None:
    payload = dict(PC_PT, postalCodeRegex="^\\d{4}$")
    rules = CountryRules.from_partner_center(payload, fallback=offline_rules("PT"))
    assert rules.postal_code_example is None


def test_partner_center_alternation_is_anchored_as_a_whole() -> None:
    rules = CountryRules.from_partner_center(dict(PC_PT, postalCodeRegex="^AB|CD$"))
    assert rules.postal_code_pattern is not None
    assert not rules.postal_code_pattern.fullmatch("ABX")
    assert rules.postal_code_pattern.fullmatch("CD")


@pytest.mark.parametrize(
    "payload",
    [
        [],
        {},
        {"iso2Code": "USA"},
        {"iso2Code": 1},
        dict(PC_PT, postalCodeRegex="^(\\d{4}$"),
        dict(PC_PT, postalCodeRegex=5),
        dict(PC_PT, isStateRequired="yes"),
        dict(PC_PT, supportedStatesList="AL"),
        dict(PC_PT, supportedStatesList=[1, 2]),
    ],
)
def test_partner_center_payload_errors_are_input_errors(payload: object) -> None:
    with pytest.raises(InputError):
        CountryRules.from_partner_center(payload)  # type: ignore[arg-type]


def test_rules_are_frozen() -> None:
    rules = offline_rules("US")
    assert rules is not None
    with pytest.raises(AttributeError):
        rules.country = "GB"  # type: ignore[misc]
