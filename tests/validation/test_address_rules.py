"""The address validator: postal codes across countries, states, required fields, bad input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import csp_commerce.hooks.builtin.address_hooks as builtin_address
from csp_commerce.errors import InputError
from csp_commerce.hooks import hookimpl
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models import Address, Problem
from csp_commerce.models.catalogue import render_problem
from csp_commerce.validation.address_rules import (
    control_character_fields,
    parse_address,
    validate_address,
)
from csp_commerce.validation.postal import (
    PARTNER_CENTER_COUNTRIES,
    REGISTRATION_COUNTRIES,
    CountryRules,
    offline_rules,
)


def address(country: str, postal_code: str | None = None, **fields: Any) -> Address:
    """A complete address in ``country``: only what the test changes can be wrong."""
    full: dict[str, Any] = {
        "country": country,
        "address_line1": "1 Main Street",
        "city": "Capital",
        "postal_code": postal_code,
    }
    if country in REGISTRATION_COUNTRIES:
        full |= {"organization_registration_number": "1234567890", "phone_number": "+1234567"}
    full.update(fields)
    return Address(**full)


def example_state(rules: CountryRules) -> str | None:
    """A state of ``rules`` whose postal codes include the country's example (or any state)."""
    for state in sorted(rules.states):
        prefix = rules.state_postal_prefixes.get(state)
        if prefix is None or prefix.match(rules.postal_code_example or ""):
            return state
    return None


def problems(addr: Address) -> list[Problem]:
    return validate_address(addr, offline_rules(addr.country))


def codes(addr: Address) -> list[str]:
    return [problem.code for problem in problems(addr)]


# (country, postal code, state): real-looking codes that Partner Center takes.
VALID = [
    ("US", "94043", "CA"),
    ("US", "94043-1351", "CA"),
    ("US", "10001", "NY"),
    ("US", "20500", "DC"),
    ("CA", "K1A 0B1", "ON"),
    ("CA", "k1a0b1", "ON"),
    ("CA", "H3Z 2Y7", "QC"),
    ("GB", "SW1A 1AA", None),
    ("GB", "EC1Y 8SY", None),
    ("GB", "sw1a 1aa", None),
    ("GB", "M1 1AE", None),
    ("DE", "10115", None),
    ("DE", "80331", None),
    ("FR", "75008", None),
    ("FR", "13001", None),
    ("NL", "1012 JS", None),
    ("NL", "1012js", None),
    ("JP", "100-0001", "13"),
    ("JP", "5300001", "27"),
    ("IN", "110001", "DL"),
    ("IN", "560001", "KA"),
    ("BR", "01310-100", "SP"),
    ("BR", "20040020", "RJ"),
    ("AU", "2000", "NSW"),
    ("AU", "3000", "VIC"),
    ("CN", "100000", "BJ"),
    ("CN", "200000", "SH"),
    ("ZA", "2001", None),
    ("ZA", "8001", None),
    ("IE", "D02 X285", None),
    ("IE", "A65 F4E2", None),
    ("IE", "D6W 1A2C", None),
    ("IE", "t12k5t3", None),
    ("PL", "00-950", None),
    ("PL", "30-001", None),
    ("SE", "114 55", None),
    ("SE", "11455", None),
    ("SE", "SE-114 55", None),
    ("CH", "8001", None),
    ("CH", "CH-8001", None),
    ("ES", "28013", "M"),
    ("ES", "08001", "B"),
    ("IT", "00144", "RM"),
    ("IT", "20121", "MI"),
    ("MX", "06000", "CMX"),
    ("MX", "64000", "NLE"),
    ("SG", "018956", None),
    ("PT", "1000-001", None),
    ("PT", "1000", None),
    ("AT", "1010", None),
    ("HK", None, "Kowloon"),
    ("AE", None, "DU"),
    ("KR", "03051", "11"),
    ("RU", "101000", "MOW"),
    ("XK", "anything", None),
]

# (country, postal code, state): codes Partner Center (or the post) would refuse.
INVALID = [
    ("US", "9404", "CA"),
    ("US", "940431", "CA"),
    ("US", "94043 1351", "CA"),
    ("US", "940431351", "CA"),
    ("US", "ABCDE", "CA"),
    ("US", "94043-13", "CA"),
    ("US", "９４０４３", "CA"),
    ("CA", "D1A 0B1", "ON"),
    ("CA", "K1A 0B", "ON"),
    ("GB", "QQ1 1AA", None),
    ("GB", "SW1A 1CA", None),
    ("GB", "SW1A", None),
    ("DE", "1011", None),
    ("DE", "101155", None),
    ("DE", "1O115", None),
    ("DE", "D-10115", None),
    ("FR", "7500", None),
    ("FR", "750088", None),
    ("NL", "0123 AB", None),
    ("NL", "1012 SA", None),
    ("NL", "1012", None),
    ("JP", "100-00011", "13"),
    ("JP", "10-0001", "13"),
    ("IN", "11000", "DL"),
    ("IN", "1100011", "DL"),
    ("BR", "1310-100", "SP"),
    ("BR", "013101000", "SP"),
    ("AU", "200", "NSW"),
    ("AU", "20000", "NSW"),
    ("CN", "10000", "BJ"),
    ("CN", "1000000", "BJ"),
    ("ZA", "200", None),
    ("ZA", "20011", None),
    ("IE", "ZZZ ZZZZ", None),
    ("IE", "123 4567", None),
    ("IE", "D02 B285", None),
    ("PL", "00950", None),
    ("SE", "1145", None),
    ("SE", "114 555", None),
    ("CH", "800", None),
    ("CH", "80011", None),
    ("ES", "2801", "M"),
    ("ES", "280133", "M"),
    ("IT", "0014", "RM"),
    ("IT", "001444", "RM"),
    ("MX", "0600", "CMX"),
    ("MX", "060000", "CMX"),
    ("SG", "01895", None),
    ("SG", "0189567", None),
    ("PT", "100", None),
    ("PT", "1000-01", None),
    ("PT", "10000-001", None),
    ("AT", "101", None),
    ("AT", "10100", None),
]

# (country, postal code, state): a well-formed code of another state.
MISMATCHED = [
    ("US", "10001", "CA"),
    ("CA", "K1A 0B1", "BC"),
    ("JP", "100-0001", "27"),
    ("IN", "110001", "KA"),
    ("BR", "01310-100", "RJ"),
    ("AU", "2000", "VIC"),
    ("ES", "28013", "B"),
    ("IT", "20121", "RM"),
    ("MX", "06000", "NLE"),
]


@pytest.mark.parametrize(("country", "postal_code", "state"), VALID)
def test_valid_postal_codes(country: str, postal_code: str | None, state: str | None) -> None:
    assert problems(address(country, postal_code, state=state)) == []


@pytest.mark.parametrize(("country", "postal_code", "state"), INVALID)
def test_invalid_postal_codes(country: str, postal_code: str, state: str | None) -> None:
    found = problems(address(country, postal_code, state=state))
    assert [problem.code for problem in found] == ["postal_code.invalid"]
    problem = found[0]
    assert problem.field == "postal_code"
    assert problem.params["country"] == country
    assert problem.params["value"] == postal_code
    example = problem.params["example"]
    assert isinstance(example, str) and example in problem.message


@pytest.mark.parametrize(("country", "postal_code", "state"), MISMATCHED)
def test_postal_code_of_another_state(country: str, postal_code: str, state: str) -> None:
    found = problems(address(country, postal_code, state=state))
    assert [problem.code for problem in found] == ["postal_code.state_mismatch"]
    assert found[0].params == {"value": postal_code, "country": country, "state": state}


def test_mismatch_message_names_the_state_in_the_locale(
    state_name: Callable[[str, str, str], str],
) -> None:
    (problem,) = problems(address("US", "10001", state="CA"))
    assert state_name("US", "CA", "en") in problem.message
    german = state_name("US", "CA", "de")
    assert german != state_name("US", "CA", "en"), "pycountry should translate this state"
    assert german in render_problem(problem, "de_DE")


def test_full_iso_state_code_is_accepted() -> None:
    assert problems(address("US", "94043", state="us-ca")) == []


def test_state_required_and_unknown() -> None:
    assert codes(address("US", "94043")) == ["state.required"]
    found = problems(address("US", "94043", state="California"))
    assert [problem.code for problem in found] == ["state.unknown"]
    assert found[0].params["state"] == "California" and found[0].params["country"] == "US"
    assert codes(address("CN", "100000", state="11")) == ["state.unknown"]
    assert codes(address("US", "00901", state="PR")) == ["state.unknown"]


def test_state_is_free_text_without_a_list() -> None:
    assert problems(address("DE", "10115", state="Berlin")) == []


def test_required_fields() -> None:
    empty = Address(country="US")
    assert codes(empty) == [
        "address_line1.required",
        "city.required",
        "state.required",
        "postal_code.required",
    ]
    (problem,) = [p for p in problems(empty) if p.code == "postal_code.required"]
    assert problem.params == {"country": "US", "example": "95014"}
    assert codes(address("HK", None)) == ["state.required"]
    assert codes(address("IE", None)) == []


def test_city_not_required_where_the_country_has_no_city_line() -> None:
    rules = offline_rules("SG")
    assert rules is not None and not rules.city_required
    assert problems(address("SG", "018956", city=None)) == []


@pytest.mark.parametrize("country", sorted(REGISTRATION_COUNTRIES))
def test_registration_number_and_phone_countries(country: str) -> None:
    rules = offline_rules(country)
    assert rules is not None
    bare = address(country, rules.postal_code_example, state=example_state(rules))
    assert problems(bare) == []
    found = codes(bare.model_copy(update={"organization_registration_number": None}))
    assert found == ["organization_registration_number.required"]
    found = codes(bare.model_copy(update={"phone_number": None}))
    assert found == ["phone_number.required"]


def test_registration_number_refused_elsewhere() -> None:
    found = codes(address("DE", "10115", organization_registration_number="HRB 1234"))
    assert found == ["organization_registration_number.not_accepted"]
    assert codes(address("DE", "10115", phone_number="+49 30 1234")) == []


def test_unknown_and_excluded_countries() -> None:
    (problem,) = validate_address(Address(country="UK"), offline_rules("UK"))
    assert problem.code == "country.unknown" and problem.params == {"value": "UK", "example": "GB"}
    assert "GB" in problem.message
    (problem,) = validate_address(Address(country="CU"), None)
    assert problem.code == "country.not_supported" and "Cuba" in problem.message
    (problem,) = validate_address(Address(country=""), None)
    assert problem.code == "country.required"
    (problem,) = validate_address(Address(country="ZZ"), None)
    assert problem.params["example"] == "US"


def test_lower_case_country_is_accepted() -> None:
    assert problems(address("us", "94043", state="CA")) == []


@pytest.mark.parametrize(
    "value", ["940\x0043", "94043\u200b", "\u202e34049", "94\u2028043", "9404\x7f3"]
)
def test_control_characters_are_refused(value: str) -> None:
    found = problems(address("US", value, state="CA"))
    assert [(problem.code, problem.field) for problem in found] == [
        ("address.control_characters", "postal_code")
    ]


def test_control_characters_in_other_fields() -> None:
    found = problems(address("US", "94043", state="CA", city="Moun\ttain View"))
    assert [(problem.code, problem.field) for problem in found] == [
        ("address.control_characters", "city")
    ]
    # Zero-width non-joiner is part of Persian spelling.
    assert problems(address("US", "94043", state="CA", city="می\u200cخواهم")) == []


def test_raw_control_characters_before_the_model_trims_them() -> None:
    raw = {"country": "US", "postalCode": "94043\n", "region": "CA\r", "city": "X"}
    assert control_character_fields(raw) == ["postal_code", "state"]
    assert control_character_fields({"country": "US", "postalCode": "94043"}) == []


def test_parse_address_accepts_both_spellings() -> None:
    camel = parse_address({"country": "US", "postalCode": "1", "addressLine1": "a"})
    snake = parse_address({"country": "US", "postal_code": "1", "address_line1": "a"})
    assert camel == snake
    pc = parse_address(
        {"country": "US", "state": "CA", "region": "", "attributes": {"objectType": "Address"}}
    )
    assert pc.state == "CA"
    assert parse_address({"country": "US", "region": "WA"}).state == "WA"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "JSON object"),
        ("US", "JSON object"),
        ({}, "country"),
        ({"country": 1}, "country"),
        ({"country": "US", "postalCode": 94043}, "postalCode"),
        ({"country": "US", "zip": "94043"}, "zip"),
        ({"country": "US", "postalCode": "9" * 65}, "postalCode"),
        ({"country": "US" * 40}, "country"),
        ({"country": "US", "postalCode": "\ud800"}, "postalCode"),
    ],
)
def test_unusable_input_is_an_input_error(data: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_address(data)


# -- through the hooks -------------------------------------------------------------------------


def manager(*plugins: object) -> HookManager:
    return HookManager(builtins=False, entry_points=False, plugins=[builtin_address, *plugins])


class PartnerCenterRules:
    """A host plugin answering Partner Center's rules for DE (stricter than the offline data)."""

    @hookimpl
    def csp_country_rules(self, country: str) -> CountryRules | None:
        if country != "DE":
            return None
        # Stricter than the offline data: DE codes must not start with 0.
        return CountryRules.from_partner_center(
            {"iso2Code": "DE", "isPostalCodeRequired": True, "postalCodeRegex": "^[1-9]\\d{4}$"}
        )


def test_builtin_plugin_answers_country_rules() -> None:
    hooks = manager()
    rules = hooks.country_rules("US")
    assert rules is not None and rules.source == "offline"
    assert hooks.country_rules("CU") is None


def test_builtin_plugin_validates() -> None:
    hooks = manager()
    assert hooks.validate_address(address("US", "94043", state="CA")) == []
    found = hooks.validate_address(address("us", "10001", state="CA"))
    assert [problem.code for problem in found] == ["postal_code.state_mismatch"]


def test_partner_center_rules_override_the_offline_rules() -> None:
    offline = manager()
    overridden = manager(PartnerCenterRules())
    assert offline.validate_address(address("DE", "01067")) == []
    found = overridden.validate_address(address("DE", "01067"))
    assert [problem.code for problem in found] == ["postal_code.invalid"]
    # Other countries keep the offline rules.
    assert overridden.country_rules("FR") is offline.country_rules("FR")
    # DE's city is not required by these rules.
    assert overridden.validate_address(address("DE", "10115", city=None)) == []


# -- properties --------------------------------------------------------------------------------

_text = st.text(max_size=80) | st.sampled_from(["", " ", "US", "us", "94043", "\n", "\x00"])
_value = st.none() | _text | st.integers() | st.booleans() | st.lists(_text, max_size=2)
_keys = st.sampled_from(
    ["country", "state", "region", "city", "postalCode", "postal_code", "addressLine1",
     "phoneNumber", "organizationRegistrationNumber", "bogus"]
)  # fmt: skip
_countries = st.sampled_from([*sorted(PARTNER_CENTER_COUNTRIES), "UK", "CU", "", "zz"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _value, max_size=8) | _value)
def test_no_input_raises_anything_but_input_error(data: object) -> None:
    try:
        addr = parse_address(data)
    except InputError:
        return
    assert isinstance(control_character_fields(addr.model_dump()), list)
    for problem in validate_address(addr, offline_rules(addr.country)):
        assert isinstance(problem, Problem) and problem.code and problem.message


@settings(max_examples=300, deadline=None)
@given(_countries, _text, _text, _text)
def test_any_strings_in_any_country_give_problems_not_errors(
    country: str, postal_code: str, state: str, city: str
) -> None:
    addr = Address(country=country, postal_code=postal_code[:64], state=state, city=city)
    found = validate_address(addr, offline_rules(country))
    assert len({(problem.code, problem.field) for problem in found}) == len(found)
    for problem in found:
        assert render_problem(problem, "fr_FR")


@pytest.mark.parametrize("country", sorted(PARTNER_CENTER_COUNTRIES))
def test_each_countrys_example_address_is_valid(country: str) -> None:
    rules = offline_rules(country)
    assert rules is not None
    state = example_state(rules) if rules.states else "X"
    assert problems(address(country, rules.postal_code_example, state=state)) == []
