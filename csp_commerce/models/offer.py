"""Offers: what can be bought, and the limits Microsoft sets on buying it."""

from __future__ import annotations

from enum import Enum

from pydantic import Field, model_validator

from csp_commerce.models._base import Model


class OfferFamily(str, Enum):
    """The family an offer belongs to: the checkout rules differ per family."""

    BUSINESS = "business"  # Microsoft 365 / Office 365 Business plans: one monthly + one annual
    ENTERPRISE = "enterprise"
    DYNAMICS = "dynamics"  # Dynamics 365: one subscription per instance
    ADDON = "addon"
    OTHER = "other"


class Segment(str, Enum):
    """The market segment an offer is sold in; the last three need a qualified customer."""

    COMMERCIAL = "commercial"
    EDUCATION = "education"
    GOVERNMENT = "government"
    NONPROFIT = "nonprofit"


class ProductKind(str, Enum):
    """What kind of product an offer sells: the refund window and the extended term differ."""

    LICENCE_BASED = "licence_based"  # per-user licences (Microsoft 365, Dynamics 365, ...)
    SOFTWARE_SUBSCRIPTION = "software_subscription"  # no seat reductions at all
    PERPETUAL_SOFTWARE = "perpetual_software"  # full refund within 30 days
    MARKETPLACE_SAAS = "marketplace_saas"  # full refund within 72 hours
    AZURE = "azure"


#: ``productType.id`` of a subscription by kind. Microsoft documents ``OnlineServices``,
#: ``Azure`` and ``Software``; ``SaaS`` for marketplace offers is unconfirmed. A software
#: product with a term is a software subscription, without one perpetual.
PRODUCT_TYPES: dict[ProductKind, str] = {
    ProductKind.LICENCE_BASED: "OnlineServices",
    ProductKind.SOFTWARE_SUBSCRIPTION: "Software",
    ProductKind.PERPETUAL_SOFTWARE: "Software",
    ProductKind.MARKETPLACE_SAAS: "SaaS",
    ProductKind.AZURE: "Azure",
}


def kind_of(product_type_id: str | None, term_duration: str | None) -> ProductKind:
    """The product kind of a subscription from its ``productType.id`` and term (unknown types
    count as licence-based, the 168-hour window)."""
    folded = (product_type_id or "").lower()
    if folded == "software":
        return (
            ProductKind.SOFTWARE_SUBSCRIPTION if term_duration else ProductKind.PERPETUAL_SOFTWARE
        )
    if folded == "saas":
        return ProductKind.MARKETPLACE_SAAS
    if folded == "azure":
        return ProductKind.AZURE
    return ProductKind.LICENCE_BASED


class BillingCycle(str, Enum):
    """How often a subscription is billed (Partner Center's wire values)."""

    MONTHLY = "monthly"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"
    ONE_TIME = "one_time"


class TermDuration(str, Enum):
    """The commitment term of a subscription (ISO 8601 durations, as Partner Center sends them)."""

    P1M = "P1M"
    P1Y = "P1Y"
    P3Y = "P3Y"


class Offer(Model):
    """One purchasable offer (a catalog item), as the checkout needs to judge it.

    ``product_id`` groups offers that count as "the same plan" for the per-customer limits (the
    Business plan rule, seat caps): e.g. Business Standard bought monthly or annually.
    """

    id: str = Field(min_length=1, max_length=200, description="Catalog item or offer id")
    product_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200)
    family: OfferFamily = OfferFamily.OTHER
    segment: Segment = Segment.COMMERCIAL
    billing_cycles: frozenset[BillingCycle] = frozenset({BillingCycle.MONTHLY})
    term_durations: frozenset[TermDuration] = frozenset({TermDuration.P1M})
    min_quantity: int = Field(default=1, ge=0)
    max_quantity: int = Field(default=10_000, ge=1)
    max_seats_per_customer: int | None = Field(
        default=None, ge=1, description="Seat cap across the customer's subscriptions of the plan"
    )
    parent_product_ids: frozenset[str] = Field(
        default=frozenset(), description="For add-ons: the products it can be added to"
    )
    kind: ProductKind = ProductKind.LICENCE_BASED
    three_year_min_quantity: int | None = Field(
        default=None, ge=1, description="Three-year SKUs: the fewest seats a P3Y line may buy"
    )
    three_year_monthly_billing: bool = Field(
        default=True, description="False where the offer's three-year term is not billed monthly"
    )

    @model_validator(mode="after")
    def _quantities_in_order(self) -> Offer:
        if self.min_quantity > self.max_quantity:
            raise ValueError("min_quantity must not exceed max_quantity")
        if not self.billing_cycles:
            raise ValueError("an offer needs at least one billing cycle")
        return self
