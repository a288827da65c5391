"""Addresses as Partner Center judges them, from the offline country rules.

``csp_commerce.validation.postal.offline_rules`` stands in for Partner Center's own data: the
sandbox answers ``countryvalidationrules`` with it and checks customer addresses against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox import pc_rules
from csp_commerce.sandbox._http import not_found, refusal
from csp_commerce.sandbox.seed_locales import locale_of
from csp_commerce.validation.postal import CountryRules, normalize_postal_code, offline_rules
from csp_commerce.validation.tax_ids import normalize_tax_id, normalize_vat_id

if TYPE_CHECKING:
    import re

    from csp_commerce.sandbox.state import JSON

#: Field limits from Partner Center's Address resource (§4.1).
_LIMITS = {
    "firstName": 50,
    "middleName": 50,
    "lastName": 50,
    "addressLine1": 200,
    "addressLine2": 200,
    "addressLine3": 200,
    "city": 100,
    "state": 100,
    "postalCode": 30,
    "phoneNumber": 32,
}


def _rules(country: object) -> CountryRules:
    if not isinstance(country, str) or len(country) != 2:
        raise _address_error("country", "country must be an ISO 3166 alpha-2 code.")
    found = offline_rules(country)
    if found is None:
        raise _address_error("country", f"Country {country} is not supported.")
    return found


def _address_error(field: str, message: str) -> EmulatedError:
    # Partner Center's current code for a rejected address is undocumented; the sandbox uses
    # 2007 (the validation-error wrapper its older address validation returned) with the field.
    return EmulatedError(400, 2007, message, data=[field])


def address_problems(address: JSON) -> tuple[CountryRules, JSON, list[tuple[str, str]]]:
    """The country's rules, the cleaned address, and (field, message) for each problem."""
    found = _rules(address.get("country"))
    clean: JSON = {"country": found.country}
    problems: list[tuple[str, str]] = []
    for key, limit in _LIMITS.items():
        value = address.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value.strip()) > limit:
            problems.append((key, f"{key} must be a string of at most {limit} characters."))
            continue
        if value.strip():
            clean[key] = value.strip()
    if "addressLine1" not in clean:
        problems.append(("addressLine1", "addressLine1 is required."))
    if found.city_required and "city" not in clean:
        problems.append(("city", f"city is required in {found.country}."))
    state = clean.get("state")
    if state is not None:
        clean["state"] = state = state.upper()
    if found.state_required and state is None:
        problems.append(("state", f"state is required in {found.country}."))
    elif state is not None and found.states and state not in found.states:
        problems.append(("state", f"{state} is not a state of {found.country}."))
    postal = clean.get("postalCode")
    if postal is None:
        if found.postal_code_required:
            problems.append(("postalCode", f"postalCode is required in {found.country}."))
    else:
        code = normalize_postal_code(postal, found)
        if found.postal_code_pattern is not None and not found.postal_code_pattern.fullmatch(code):
            problems.append(
                (
                    "postalCode",
                    f"postalCode {postal} does not match the format of {found.country} "
                    f"({found.postal_code_pattern.pattern}).",
                )
            )
        elif not found.postal_code_allocated(code):
            problems.append(
                ("postalCode", f"postalCode {postal} is not allocated in {found.country}.")
            )
        elif (
            state is not None
            and state in found.state_postal_prefixes
            and not found.state_postal_prefixes[state].match(code)
        ):
            problems.append(("postalCode", f"postalCode {postal} is not in {state}."))
        clean["postalCode"] = code
    problems += _tax_problems(address, found)
    return found, clean, problems


def _tax_problems(address: JSON, found: CountryRules) -> list[tuple[str, str]]:
    """The VAT number and tax id under the country's ``countryvalidationrules``.

    Where Partner Center takes them on a customer is undocumented: the sandbox reads
    ``vatId`` and ``taxId`` beside the address fields (the checkout's ``Address`` holds them
    there too), and only here.
    """
    problems: list[tuple[str, str]] = []
    country = found.country
    vat = address.get("vatId")
    if isinstance(vat, str) and vat.strip():
        if not found.vat_id_supported:
            problems.append(("vatId", f"vatId is not supported in {country}."))
        elif found.vat_id_pattern is not None and not found.vat_id_pattern.fullmatch(
            normalize_vat_id(vat)
        ):
            problems.append(("vatId", f"vatId {vat} does not match the format of {country}."))
    tax = address.get("taxId")
    if not isinstance(tax, str) or not tax.strip():
        if found.tax_id_required:
            problems.append(("taxId", f"taxId is required in {country}."))
    elif not found.tax_id_supported:
        problems.append(("taxId", f"taxId is not supported in {country}."))
    else:
        pattern = found.tax_id_pattern
        if pattern is not None and not pattern.fullmatch(normalize_tax_id(tax)):
            problems.append(
                ("taxId", f"taxId {tax} does not match {found.tax_id_format} ({country}).")
            )
    return problems


def check_new_customer_address(address: JSON, registration_number: str | None) -> JSON:
    """A new customer's ``defaultAddress``, cleaned; raises Partner Center's 400s."""
    found, clean, problems = address_problems(address)
    if problems:
        field, message = problems[0]
        raise _address_error(field, message)
    violation = pc_rules.registration_and_phone(
        found.country,
        registration_required=found.registration_number_required,
        phone_required=found.phone_required,
        registration_number=registration_number,
        phone=clean.get("phoneNumber"),
    )
    if violation is not None:
        raise refusal(violation)
    return clean


def validate_address_body(body: JSON) -> JSON:
    """``POST /v1/validations/address``'s answer (current 200 shape)."""
    _, clean, problems = address_problems(body)
    original = {key: body[key] for key in body if isinstance(body[key], str)}
    if problems:
        return {
            "originalAddress": original,
            "suggestedAddresses": [],
            "status": "None",
            "validationMessage": "; ".join(message for _, message in problems),
        }
    suggestion = {
        key: clean[key]
        for key in ("addressLine1", "addressLine2", "city", "state", "postalCode", "country")
        if key in clean
    }
    return {"originalAddress": original, "suggestedAddresses": [suggestion], "status": "Verified"}


def _served_regex(pattern: re.Pattern[str] | None) -> str | None:
    # The rules hold Partner Center's ^...$ regex as (?:...) for fullmatch: serve it back.
    if pattern is None:
        return None
    body = pattern.pattern
    if body.startswith("(?:") and body.endswith(")"):
        body = body[3:-1]
    return f"^{body}$"


def country_rules_body(country: str) -> JSON:
    """``GET /v1/countryvalidationrules/{iso2}`` in Partner Center's current shape."""
    found = offline_rules(country)
    if found is None:
        raise not_found(f"Country {country}")
    pattern = found.postal_code_pattern
    local = locale_of(found.country)
    body: dict[str, Any] = {
        "iso2Code": found.country,
        "defaultCulture": local.default_culture,
        "isStateRequired": found.state_required,
        "supportedStatesList": sorted(found.states),
        "supportedLanguagesList": list(local.languages),
        "supportedCulturesList": list(local.cultures),
        "isPostalCodeRequired": found.postal_code_required,
        "postalCodeRegex": f"^(?:{pattern.pattern})$" if pattern is not None else None,
        "isCityRequired": found.city_required,
        "phoneNumberRegex": (
            f"^(?:{found.phone_pattern.pattern})$" if found.phone_pattern else None
        ),
        "isVatIdSupported": found.vat_id_supported,
        "vatIdRegex": _served_regex(found.vat_id_pattern),
        "isTaxIdSupported": found.tax_id_supported,
        "isTaxIdOptional": found.tax_id_optional,
        "taxIdFormat": found.tax_id_format,
        "taxIdSample": found.tax_id_sample,
        "countryCallingCodesList": list(local.calling_codes),
        "attributes": {"objectType": "CountryValidationRules"},
    }
    return body
