"""Postal addresses, in Partner Center's shape."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from csp_commerce.models._base import Model


def _either(camel: str, snake: str) -> AliasChoices:
    return AliasChoices(camel, snake)


class Address(Model):
    """A postal address as Partner Center's ``defaultAddress`` spells it.

    Every field is optional at this level: which ones a country requires is a validation rule
    (:func:`csp_commerce.validation.address_rules.validate_address`), reported as Problems, not as a
    pydantic error. ``region`` is accepted as Partner Center's older name of ``state``.
    ``vat_id`` and ``tax_id`` are checked against the country's ``countryvalidationrules``
    (checkout only: Partner Center's customer resource has no documented field for them, so
    the order does not send them).
    """

    country: str = Field(max_length=64)
    state: str | None = Field(
        default=None, max_length=200, validation_alias=AliasChoices("state", "region")
    )
    city: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(
        default=None, max_length=64, validation_alias=_either("postalCode", "postal_code")
    )
    address_line1: str | None = Field(
        default=None, max_length=400, validation_alias=_either("addressLine1", "address_line1")
    )
    address_line2: str | None = Field(
        default=None, max_length=400, validation_alias=_either("addressLine2", "address_line2")
    )
    address_line3: str | None = Field(
        default=None, max_length=400, validation_alias=_either("addressLine3", "address_line3")
    )
    first_name: str | None = Field(
        default=None, max_length=200, validation_alias=_either("firstName", "first_name")
    )
    last_name: str | None = Field(
        default=None, max_length=200, validation_alias=_either("lastName", "last_name")
    )
    phone_number: str | None = Field(
        default=None, max_length=64, validation_alias=_either("phoneNumber", "phone_number")
    )
    organization_registration_number: str | None = Field(
        default=None,
        max_length=64,
        validation_alias=_either(
            "organizationRegistrationNumber", "organization_registration_number"
        ),
    )
    vat_id: str | None = Field(
        default=None, max_length=64, validation_alias=_either("vatId", "vat_id")
    )
    tax_id: str | None = Field(
        default=None, max_length=64, validation_alias=_either("taxId", "tax_id")
    )
