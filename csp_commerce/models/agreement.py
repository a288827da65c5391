"""Microsoft Customer Agreement acceptance: the evidence Microsoft requires before a purchase."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import Field, field_validator

from csp_commerce.models._base import Model
from csp_commerce.models.customer import Contact


class AcceptanceSource(str, Enum):
    """Who told us the customer accepted the MCA."""

    CUSTOMER = "customer"  # the customer accepted it at the storefront
    RESELLER = "reseller"  # the reseller confirmed it on the customer's behalf
    PARTNER = "partner"  # the partner's staff confirmed it
    MICROSOFT = "microsoft"  # read back from Partner Center (e.g. signed in the admin center)


class McaAcceptance(Model):
    """One acceptance of the Microsoft Customer Agreement, with everything an audit asks for."""

    customer_reference: str = Field(min_length=1, max_length=200)
    tenant_id: str | None = Field(default=None, max_length=64)
    template_id: str = Field(min_length=1, max_length=64)
    contact: Contact
    accepted_at: datetime
    source: AcceptanceSource
    confirmed_by: str = Field(
        min_length=1, max_length=200, description="Who confirmed: a user id, reseller id or name"
    )
    reseller_partner_id: str | None = Field(default=None, max_length=32)
    channel: str = Field(default="storefront", max_length=64, description="e.g. storefront, api")

    @field_validator("accepted_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("accepted_at must carry a time zone (UTC preferred)")
        return value
