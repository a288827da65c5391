"""Orders (legacy), carts and checkout (new commerce), provisioning status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field

from csp_commerce.models.wire_enums import (
    BillingCycleField,
    CartStatusField,
    LineProvisioningStateField,
    PCOrderStatusField,
    TermField,
)
from csp_commerce.provisioning.wire._pc_model import Attributes, PCModel

if TYPE_CHECKING:
    from datetime import date


class OrderLineItem(PCModel):
    """A line of a legacy order; ``partner_id_on_record`` is the indirect reseller's MPN."""

    line_item_number: int
    offer_id: str
    quantity: int
    subscription_id: str | None = None
    parent_subscription_id: str | None = None
    friendly_name: str | None = None
    partner_id_on_record: str | None = None
    term_duration: TermField | None = None
    provisioning_context: dict[str, Any] | None = None


class PCOrder(PCModel):
    """An order."""

    id: str
    reference_customer_id: str | None = None
    billing_cycle: BillingCycleField | None = None
    currency_code: str | None = None
    line_items: list[OrderLineItem] = Field(default_factory=list)
    creation_date: str | None = None
    status: PCOrderStatusField | None = None
    transaction_type: str | None = None
    partner_on_record_attestation_accepted: bool | None = None
    attributes: Attributes | None = None


class Participant(PCModel):
    """A partner taking part in a cart line (``transaction_reseller``: the reseller of record)."""

    key: str
    value: str


class CartLineItemError(PCModel):
    """Why a cart line cannot be bought."""

    error_code: int | str | None = None
    error_description: str | None = None


class CartLineItem(PCModel):
    """A new-commerce cart line: catalog item, quantity, term and billing cycle."""

    id: int
    catalog_item_id: str
    quantity: int
    billing_cycle: BillingCycleField
    term_duration: TermField | None = None
    friendly_name: str | None = None
    participants: list[Participant] | None = None
    provisioning_context: dict[str, Any] | None = None
    currency_code: str | None = None
    order_group: str | None = None
    error: CartLineItemError | None = None
    promotion_id: str | None = None
    custom_term_end_date: str | None = None


def line_terms(promotion_id: str | None, custom_term_end_date: date | None) -> dict[str, Any]:
    """A cart line's ``promotionId`` and ``customTermEndDate``, only those given (an unset field
    is not sent).

    Partner Center documents ``customTermEndDate`` as a DateTime and answers
    ``customTermEndDates`` as ``2023-07-31T00:00:00``; the cart line is sent in that form
    (the exact form the cart accepts is unconfirmed: this is the one place that decides it).
    """
    terms: dict[str, Any] = {}
    if promotion_id is not None:
        terms["promotion_id"] = promotion_id
    if custom_term_end_date is not None:
        terms["custom_term_end_date"] = f"{custom_term_end_date.isoformat()}T00:00:00"
    return terms


def transaction_reseller(mpn_id: str) -> Participant:
    """The participant naming an indirect reseller as the reseller of record."""
    return Participant(key="transaction_reseller", value=mpn_id)


class Cart(PCModel):
    """A new-commerce cart (expires 7 days after creation)."""

    id: str
    status: CartStatusField | None = None
    line_items: list[CartLineItem] = Field(default_factory=list)
    creation_timestamp: str | None = None
    last_modified_timestamp: str | None = None
    expiration_timestamp: str | None = None
    partner_on_record_attestation_accepted: bool | None = None


class OrderError(PCModel):
    """An order group that failed at checkout."""

    order_group_id: str | None = None
    code: int | str | None = None
    description: str | None = None


class CartCheckoutResult(PCModel):
    """Checkout's answer: the orders placed and the order groups that failed, side by side."""

    orders: list[PCOrder] = Field(default_factory=list)
    order_errors: list[OrderError] = Field(default_factory=list)

    @property
    def partial(self) -> bool:
        """Whether some order groups were placed and others failed."""
        return bool(self.orders) and bool(self.order_errors)


class ProvisioningStatus(PCModel):
    """The provisioning state of one order line."""

    line_item_number: int
    status: LineProvisioningStateField
    quantity_provisioning_information: list[dict[str, Any]] | None = None
