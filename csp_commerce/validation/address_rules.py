"""The address rule: what Partner Center would refuse in an address, as Problems (no I/O).

Checks, in order: the country is one Partner Center accepts; no field holds control
characters; the street, city, state and postal code are there where the country requires
them; the state is one of the country's; the postal code has the country's format and belongs
to the state and to a range the country's post has allocated; the organisation registration
number and phone number are there for the countries that need them (and the registration number
only there); the VAT number and tax id follow the country's ``countryvalidationrules``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from csp_commerce.errors import InputError
from csp_commerce.models.address import Address
from csp_commerce.models.catalogue.address_codes import (
    ADDRESS_LINE1_REQUIRED,
    CITY_REQUIRED,
    CONTROL_CHARACTERS,
    COUNTRY_NOT_SUPPORTED,
    COUNTRY_REQUIRED,
    COUNTRY_UNKNOWN,
    PHONE_NUMBER_INVALID,
    PHONE_NUMBER_REQUIRED,
    POSTAL_CODE_INVALID,
    POSTAL_CODE_REQUIRED,
    POSTAL_CODE_STATE_MISMATCH,
    POSTAL_CODE_UNALLOCATED,
    REGISTRATION_NUMBER_NOT_ACCEPTED,
    REGISTRATION_NUMBER_REQUIRED,
    STATE_REQUIRED,
    STATE_UNKNOWN,
    TAX_ID_INVALID,
    TAX_ID_NOT_SUPPORTED,
    TAX_ID_REQUIRED,
    VAT_ID_INVALID,
    VAT_ID_NOT_SUPPORTED,
)
from csp_commerce.validation.postal import PARTNER_CENTER_EXCLUDED, normalize_postal_code
from csp_commerce.validation.tax_ids import normalize_tax_id, normalize_vat_id

if TYPE_CHECKING:
    from csp_commerce.models.problem import Problem
    from csp_commerce.validation.postal import CountryRules


#: The address fields, in the order their Problems are reported.
FIELDS: tuple[str, ...] = (
    "country",
    "address_line1",
    "address_line2",
    "address_line3",
    "city",
    "state",
    "postal_code",
    "first_name",
    "last_name",
    "phone_number",
    "organization_registration_number",
    "vat_id",
    "tax_id",
)

# Every spelling of every field (camelCase, snake_case, region) -> the snake_case name.
_FIELD_BY_KEY: dict[str, str] = {
    alias: name
    for name, info in Address.model_fields.items()
    for alias in [name, info.alias or name, *getattr(info.validation_alias, "choices", ())]
    if isinstance(alias, str)
}

# Unicode categories refused in any field: controls (incl. tab, CR, LF), format characters
# (zero-width, bidirectional overrides), surrogates, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Zero-width (non-)joiners are format characters that Persian and Indic names need.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})


def validate_address(address: Address, rules: CountryRules | None) -> list[Problem]:
    """Every Problem with ``address`` under ``rules`` (None: a country Partner Center refuses).

    Fields are relative to the address (``postal_code``, ``state``). Pure: no I/O; the rules
    come from :func:`csp_commerce.validation.postal.offline_rules` or the ``csp_country_rules``
    hook.
    """
    country = address.country.strip().upper()
    if rules is None:
        return [_country_problem(country)]
    problems: list[Problem] = []
    bad = _control_fields(address)
    problems += [CONTROL_CHARACTERS(field=name) for name in bad]
    if not address.address_line1 and "address_line1" not in bad:
        problems.append(ADDRESS_LINE1_REQUIRED())
    if rules.city_required and not address.city and "city" not in bad:
        problems.append(CITY_REQUIRED(country=country))
    state = None if "state" in bad else _state(address.state, country)
    if state is None and rules.state_required and "state" not in bad:
        problems.append(STATE_REQUIRED(country=country))
    elif state is not None:
        state_problem = _state_problem(state, address.state or "", country, rules)
        if state_problem is not None:
            problems.append(state_problem)
            state = None
    if "postal_code" not in bad:
        postal_problem = _postal_problem(address.postal_code, state, country, rules)
        if postal_problem is not None:
            problems.append(postal_problem)
    problems += _registration_problems(address, country, rules, bad)
    problems += _tax_problems(address, country, rules, bad)
    return problems


def control_character_fields(data: Mapping[str, Any]) -> list[str]:
    """The address fields (snake_case) whose raw string value in ``data`` holds control
    characters, before any trimming.

    The :class:`Address` model trims whitespace, a trailing newline included; call this on the
    raw input to refuse such values too (the command does).
    """
    return [
        _FIELD_BY_KEY.get(str(key), str(key))
        for key, value in data.items()
        if isinstance(value, str) and not value.isprintable() and _has_control(value)
    ]


def parse_address(data: object) -> Address:
    """An :class:`Address` from a JSON object in Partner Center's or snake_case spelling.

    Partner Center's ``attributes`` metadata is ignored, and so is ``region`` when ``state`` is
    given. Raises :class:`InputError` (with every field's complaint) for what cannot be an
    address: not an object, unknown fields, wrong types, values over the model's length limits.
    """
    if not isinstance(data, Mapping):
        raise InputError(f"an address must be a JSON object, not {_json_type(data)}")
    if "country" not in data:
        raise InputError("the address has no 'country'")
    fields = dict(data)
    # Partner Center's own address JSON carries metadata, and an older ``region`` beside
    # ``state``: neither is part of the address we judge.
    fields.pop("attributes", None)
    if "state" in fields:
        fields.pop("region", None)
    try:
        return Address.model_validate(fields)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'address'}: {item['msg']}"
            for item in error.errors(include_url=False)
        )
        raise InputError(details) from None


# -- the checks --------------------------------------------------------------------------------


def _country_problem(country: str) -> Problem:
    if not country:
        return COUNTRY_REQUIRED()
    if country in PARTNER_CENTER_EXCLUDED:
        return COUNTRY_NOT_SUPPORTED(country=country)
    # The usual mistake: UK for the United Kingdom, whose ISO code is GB.
    return COUNTRY_UNKNOWN(value=country[:64], example="GB" if country == "UK" else "US")


def _control_fields(address: Address) -> list[str]:
    bad = []
    for name in FIELDS:
        value = getattr(address, name)
        if value and not value.isprintable() and _has_control(value):
            bad.append(name)
    return bad


def _has_control(value: str) -> bool:
    return any(
        unicodedata.category(char) in _REFUSED_CATEGORIES and char not in _ALLOWED_FORMAT
        for char in value
    )


def _state(value: str | None, country: str) -> str | None:
    if not value:
        return None
    state = " ".join(value.split()).upper()
    # Accept the full ISO 3166-2 code too: US-CA is CA.
    if state.startswith(country + "-"):
        state = state[len(country) + 1 :]
    return state


def _state_problem(state: str, raw: str, country: str, rules: CountryRules) -> Problem | None:
    if rules.states and state not in rules.states:
        return STATE_UNKNOWN(state=raw[:64], country=country, example=min(rules.states))
    return None


def _postal_problem(
    value: str | None, state: str | None, country: str, rules: CountryRules
) -> Problem | None:
    if not value:
        if rules.postal_code_required:
            return POSTAL_CODE_REQUIRED(country=country, example=rules.postal_code_example)
        return None
    pattern = rules.postal_code_pattern
    if pattern is None:
        return None
    code = normalize_postal_code(value, rules)
    if not pattern.fullmatch(code):
        return POSTAL_CODE_INVALID(
            value=value[:64], country=country, example=rules.postal_code_example
        )
    if not rules.postal_code_allocated(code):
        return POSTAL_CODE_UNALLOCATED(
            value=value[:64], country=country, example=rules.postal_code_example
        )
    if state is not None:
        prefix = rules.state_postal_prefixes.get(state)
        if prefix is not None and not prefix.match(code):
            return POSTAL_CODE_STATE_MISMATCH(value=value[:64], country=country, state=state)
    return None


def _tax_problems(
    address: Address, country: str, rules: CountryRules, bad: list[str]
) -> list[Problem]:
    problems: list[Problem] = []
    vat = address.vat_id
    if vat and "vat_id" not in bad:
        if not rules.vat_id_supported:
            problems.append(VAT_ID_NOT_SUPPORTED(country=country))
        elif rules.vat_id_pattern is not None and not rules.vat_id_pattern.fullmatch(
            normalize_vat_id(vat)
        ):
            problems.append(VAT_ID_INVALID(value=vat[:64], country=country))
    tax = address.tax_id
    if "tax_id" in bad:
        return problems
    if not tax:
        if rules.tax_id_required:
            problems.append(TAX_ID_REQUIRED(country=country, example=rules.tax_id_sample))
    elif not rules.tax_id_supported:
        problems.append(TAX_ID_NOT_SUPPORTED(country=country))
    else:
        pattern = rules.tax_id_pattern
        if pattern is not None and not pattern.fullmatch(normalize_tax_id(tax)):
            problems.append(
                TAX_ID_INVALID(
                    value=tax[:64],
                    country=country,
                    format=rules.tax_id_format,
                    example=rules.tax_id_sample,
                )
            )
    return problems


def _registration_problems(
    address: Address, country: str, rules: CountryRules, bad: list[str]
) -> list[Problem]:
    problems: list[Problem] = []
    number = address.organization_registration_number
    if "organization_registration_number" in bad:
        pass
    elif rules.registration_number_required and not number:
        problems.append(REGISTRATION_NUMBER_REQUIRED(country=country))
    elif number and not rules.registration_number_required:
        problems.append(REGISTRATION_NUMBER_NOT_ACCEPTED(country=country))
    phone = address.phone_number
    if "phone_number" in bad:
        return problems
    if rules.phone_required and not phone:
        problems.append(PHONE_NUMBER_REQUIRED(country=country))
    elif phone and rules.phone_pattern is not None and not rules.phone_pattern.fullmatch(phone):
        problems.append(PHONE_NUMBER_INVALID(value=phone[:64], country=country))
    return problems


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    return "a number" if isinstance(value, int | float) else type(value).__name__
