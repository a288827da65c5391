"""Customers, their profiles, addresses, qualifications and address validation."""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from csp_commerce.models.wire_enums import VettingStateField
from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel


class PCAddress(PCModel):
    """An address as Partner Center spells it (``defaultAddress``, address validation)."""

    country: str
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    region: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str | None = None


class CustomerCompanyProfile(PCModel):
    """``companyProfile``: the tenant's domain and company."""

    # Only where one was given (the countries that require it).
    conditional_fields = frozenset({"organizationRegistrationNumber"})

    domain: str | None = None
    tenant_id: str | None = None
    company_name: str | None = None
    organization_registration_number: str | None = None
    attributes: Attributes | None = None


class CustomerBillingProfile(PCModel):
    """``billingProfile``: who is billed, in which language, at which address."""

    id: str | None = None
    email: str | None = None
    culture: str | None = None
    language: str | None = None
    company_name: str | None = None
    default_address: PCAddress | None = None
    attributes: Attributes | None = None


class UserCredentials(PCModel):
    """The initial admin's credentials, returned once when a customer is created."""

    user_name: str | None = None
    password: str | None = Field(default=None, repr=False)


class PCCustomer(PCModel):
    """A customer of the partner (its ``id`` is the customer's tenant id)."""

    # userCredentials: only in the create answer; associatedPartnerId: a reseller's customer.
    conditional_fields = frozenset({"userCredentials", "associatedPartnerId"})

    id: str
    commerce_id: str | None = None
    company_profile: CustomerCompanyProfile | None = None
    billing_profile: CustomerBillingProfile | None = None
    relationship_to_partner: str | None = None
    allow_delegated_access: bool | None = None
    user_credentials: UserCredentials | None = Field(default=None, repr=False)
    associated_partner_id: str | None = None
    attributes: Attributes | None = None


class CustomerQualification(PCModel):
    """A qualification and where Microsoft's vetting of it stands."""

    # Only once the vetting was denied.
    conditional_fields = frozenset({"vettingReason"})

    qualification: str
    vetting_status: VettingStateField | None = None
    vetting_reason: str | None = None
    vetting_create_date: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _other_date_spelling(cls, data: Any) -> Any:
        # Partner Center's SDK property is VettingCreateDate (vettingCreateDate on the wire);
        # one doc page spells it vettingCreatedDate: read that too.
        if isinstance(data, dict) and "vettingCreatedDate" in data:
            data = dict(data)
            data.setdefault("vettingCreateDate", data.pop("vettingCreatedDate"))
        return data


class AddressValidationResult(PCModel):
    """The answer of ``POST /v1/validations/address``."""

    # Only when the address is not verified.
    conditional_fields = frozenset({"validationMessage"})

    original_address: PCAddress | None = None
    suggested_addresses: list[PCAddress] = Field(default_factory=list)
    status: str
    validation_message: str | None = None

    @property
    def verified(self) -> bool:
        """Whether Partner Center verified the address as given (``Verified*``)."""
        return self.status in ("Verified", "VerifiedShippable")


class CountryValidationRules(PCModel):
    """A country's rules (``countryvalidationrules``); both of Partner Center's JSON shapes.

    The older shape wraps lists as ``{"value": [...]}`` under ``states``,
    ``supportedLanguages``, ``supportedCultures`` and ``countryCallingCodes``; they are read
    into the current ``*List`` fields.
    """

    iso2_code: str | None = None
    default_culture: str | None = None
    is_state_required: bool = False
    supported_states_list: list[str] = Field(default_factory=list)
    supported_languages_list: list[str] = Field(default_factory=list)
    supported_cultures_list: list[str] = Field(default_factory=list)
    is_postal_code_required: bool = False
    postal_code_regex: str | None = None
    is_city_required: bool = False
    is_vat_id_supported: bool | None = None
    tax_id_format: str | None = None
    tax_id_sample: str | None = None
    vat_id_regex: str | None = None
    phone_number_regex: str | None = None
    is_tax_id_supported: bool | None = None
    is_tax_id_optional: bool | None = None
    country_calling_codes_list: list[str] = Field(default_factory=list)
    attributes: Attributes | None = None

    @model_validator(mode="before")
    @classmethod
    def _older_shape(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for old, new in (
            ("states", "supportedStatesList"),
            ("supportedLanguages", "supportedLanguagesList"),
            ("supportedCultures", "supportedCulturesList"),
            ("countryCallingCodes", "countryCallingCodesList"),
        ):
            if old in data and new not in data:
                value = data.pop(old)
                data[new] = value.get("value", []) if isinstance(value, dict) else value
        return data
