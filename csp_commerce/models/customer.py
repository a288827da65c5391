"""Customers, their contacts and company profile, and the resellers who order for them."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.address import Address


class Qualification(str, Enum):
    """A customer's specialised-industry qualification (Partner Center's names)."""

    EDUCATION = "Education"
    NONPROFIT = "Nonprofit"
    GOVERNMENT_COMMUNITY_CLOUD = "GovernmentCommunityCloud"
    STATE_OWNED_ENTITY = "StateOwnedEntity"


class Contact(Model):
    """A person at the customer: who accepted an agreement, or the billing contact."""

    first_name: str = Field(min_length=1, max_length=50)
    last_name: str = Field(min_length=1, max_length=50)
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone_number: str | None = Field(default=None, max_length=32)


class CompanyProfile(Model):
    """The customer's organisation as Partner Center's company and billing profiles know it."""

    company_name: str = Field(min_length=1, max_length=200)
    domain: str | None = Field(
        default=None,
        max_length=253,
        description="The tenant's initial domain, e.g. contoso.onmicrosoft.com",
    )
    organization_registration_number: str | None = Field(default=None, max_length=64)
    culture: str = Field(default="en-US", max_length=16)
    language: str = Field(default="en", max_length=8)


class Customer(Model):
    """A customer of the host BSS, and (once known) its Microsoft tenant."""

    reference: str = Field(min_length=1, max_length=200, description="The host's own id")
    company: CompanyProfile
    address: Address
    contact: Contact | None = None
    tenant_id: str | None = Field(default=None, max_length=64)

    @property
    def country(self) -> str:
        """The customer's country: the billing address's country."""
        return self.address.country


class Reseller(Model):
    """An indirect reseller ordering through the host's storefront (a "lite reseller")."""

    partner_id: str = Field(
        min_length=1, max_length=32, description="MPN id / PartnerID, numeric in Partner Center"
    )
    name: str = Field(min_length=1, max_length=200)
    tenant_id: str | None = Field(default=None, max_length=64)
