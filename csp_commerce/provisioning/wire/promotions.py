"""New-commerce promotions and co-termination: the shapes Partner Center documents.

Sources: learn ``partner-center/developer/get-promotions``, ``verify-promotion-eligibility`` and
``custom-term-end-dates`` (2023 pages; the reference, ``partner-center-2026.md`` §2). The
``pricingPolicies`` of a required product is documented by example only (``{"policyType":
"PercentDiscount", "value": "0.05"}``): other policy types are kept as sent and give no
discount (:meth:`RequiredProduct.percent_discount`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field

from csp_commerce.models.wire_enums import BillingCycleField, TermField
from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel

#: The one pricing policy whose meaning is documented: ``value`` is a fraction (``"0.05"``).
PERCENT_DISCOUNT = "percentdiscount"


class PromotionTerm(PCModel):
    """The term and billing cycle a promotion requires."""

    duration: TermField
    billing_cycle: BillingCycleField


class PricingPolicy(PCModel):
    """What a promotion does to the price (``PercentDiscount``: ``value`` is a fraction)."""

    policy_type: str
    value: str


class RequiredProduct(PCModel):
    """A product, SKU and plan the promotion applies to, with its pricing policies."""

    product_id: str
    sku_id: str
    term: PromotionTerm
    pricing_policies: list[PricingPolicy] = Field(default_factory=list)

    def percent_discount(self) -> Decimal | None:
        """The discount as a fraction (``Decimal("0.05")``), or None when no documented policy
        gives one."""
        for policy in self.pricing_policies:
            if policy.policy_type.replace("_", "").lower() == PERCENT_DISCOUNT:
                try:
                    value = Decimal(policy.value)
                except InvalidOperation:
                    continue
                if 0 < value < 1:
                    return value
        return None


class ProductPromotion(PCModel):
    """A promotion active in a market and segment (``GET /v1/productpromotions``)."""

    id: str
    name: str | None = None
    description: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    properties: dict[str, Any] | None = None
    required_products: list[RequiredProduct] = Field(default_factory=list)


class PromotionEligibilityRequestItem(PCModel):
    """One transaction to judge: a catalog item bought for a plan (``promotionId`` omitted:
    every promotion available for it is judged)."""

    id: int
    catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    promotion_id: str | None = None


class PromotionEligibilityError(PCModel):
    """Why a promotion does not apply (``type``: ``SeatCount``, ``Term``, ``RedemptionLimit``)."""

    type: str | None = None
    description: str | None = None
    minimum_required_seats: int | None = None
    maximum_required_seats: int | None = None
    available_seats: int | None = None


class PromotionEligibility(PCModel):
    """One promotion's verdict for one transaction."""

    promotion_id: str | None = None
    is_eligible: bool
    errors: list[PromotionEligibilityError] = Field(default_factory=list)

    conditional_fields = frozenset({"errors"})


class PromotionEligibilities(PCModel):
    """The verdicts for one requested transaction (echoing it, by ``id``)."""

    id: int
    catalog_item_id: str
    quantity: int | None = None
    billing_cycle: BillingCycleField | None = None
    term_duration: TermField | None = None
    eligibilities: list[PromotionEligibility] = Field(default_factory=list)
    attributes: Attributes | None = None


class CustomTermEndDate(PCModel):
    """An end date a new subscription may be given (``customTermEndDate`` on a cart line):
    the end of a calendar month, or the end date of existing subscriptions (co-termination)."""

    allowed_custom_term_end_date: str
    allowed_custom_term_end_date_type: str | None = None
    coterm_subscription_ids: list[str] = Field(default_factory=list)

    conditional_fields = frozenset({"cotermSubscriptionIds"})
