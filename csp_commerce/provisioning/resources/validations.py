"""Address validation and a country's validation rules."""

from __future__ import annotations

from csp_commerce.provisioning._core import Call, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    AddressValidationResult,
    CountryValidationRules,
    PCAddress,
)


def _validate_address(address: PCAddress) -> Call[AddressValidationResult]:
    """Partner Center's verdict on ``address`` and its suggested corrections."""
    body = address.to_wire()
    return Call("POST", "/v1/validations/address", model(AddressValidationResult), json=body)


def _get_rules(country: str) -> Call[CountryValidationRules]:
    """The rules of ``country`` (ISO alpha-2): states, postal code, city, tax, phone."""
    code = country.strip().upper()
    return Call("GET", f"/v1/countryvalidationrules/{quote(code)}", model(CountryValidationRules))


class _ValidationOperations:
    validate_address = operation(_validate_address)


class _RulesOperations:
    get = operation(_get_rules)


class Validations(SyncResource, _ValidationOperations):
    """``client.validations``: address validation."""


class AsyncValidations(AsyncResource, _ValidationOperations):
    """``client.validations`` (async): address validation."""


class CountryValidationRulesResource(SyncResource, _RulesOperations):
    """``client.country_validation_rules``: a country's address, tax and phone rules."""


class AsyncCountryValidationRulesResource(AsyncResource, _RulesOperations):
    """``client.country_validation_rules`` (async): a country's address, tax and phone rules."""
