"""The catalog: products, their SKUs, and SKU availabilities (what a cart line buys)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from csp_commerce.models.wire_enums import BillingCycleField, TermField
from csp_commerce.provisioning.wire._pc_model import PCModel


class Product(PCModel):
    """A catalog product."""

    id: str
    title: str | None = None
    description: str | None = None
    product_type: dict[str, Any] | None = None


class Sku(PCModel):
    """A product's SKU, with its quantity bounds and billing cycles."""

    id: str
    product_id: str | None = None
    title: str | None = None
    description: str | None = None
    minimum_quantity: int | None = None
    maximum_quantity: int | None = None
    is_trial: bool | None = None
    supported_billing_cycles: list[BillingCycleField] = Field(default_factory=list)


class AvailabilityTerm(PCModel):
    """A term an availability can be bought for, and its billing cycle."""

    duration: TermField
    billing_cycle: BillingCycleField | None = None
    description: str | None = None


class Availability(PCModel):
    """A SKU's availability: ``catalog_item_id`` is what a cart line buys."""

    id: str
    product_id: str | None = None
    sku_id: str | None = None
    catalog_item_id: str
    segment: str | None = None
    country: str | None = None
    is_purchasable: bool | None = None
    terms: list[AvailabilityTerm] = Field(default_factory=list)
