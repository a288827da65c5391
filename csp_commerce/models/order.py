"""Orders as the host storefront submits them."""

from __future__ import annotations

import uuid
from datetime import date
from enum import Enum

from pydantic import Field, model_validator

from csp_commerce.models._base import Model
from csp_commerce.models.customer import Customer, Reseller
from csp_commerce.models.end_of_term import EndOfTermAction
from csp_commerce.models.offer import BillingCycle, Offer, TermDuration


class Actor(str, Enum):
    """Who is placing the order at the storefront."""

    CUSTOMER = "customer"
    RESELLER = "reseller"
    PARTNER = "partner"


class OrderLine(Model):
    """One line: an offer, a quantity, how it is billed, and (for add-ons) what it is added to."""

    id: str = Field(
        default_factory=lambda: uuid.uuid4().hex,
        min_length=1,
        max_length=64,
        description="Stable id of the line; the provisioning ledger keys on it",
    )
    offer: Offer
    quantity: int = Field(ge=1, le=1_000_000)
    billing_cycle: BillingCycle = BillingCycle.MONTHLY
    term_duration: TermDuration | None = None
    parent_subscription_id: str | None = Field(
        default=None, max_length=64, description="Add-ons: the existing subscription it goes on"
    )
    parent_line_id: str | None = Field(
        default=None,
        max_length=64,
        description="Add-ons: the line of this order whose subscription it goes on",
    )
    instance_name: str | None = Field(
        default=None, max_length=200, description="Dynamics: the instance this line is for"
    )
    subscription_id: str | None = Field(
        default=None,
        max_length=64,
        description="Add seats to this existing subscription instead of buying a new one",
    )
    end_of_term: EndOfTermAction | None = Field(
        default=None,
        description="What the new subscription does at term end (default: the settings')",
    )
    custom_term_end_date: date | None = Field(
        default=None,
        description="New subscriptions: end on this date (one the customer's existing "
        "subscriptions end on, or a month end; ``customTermEndDates``) instead of a full term",
    )


class Order(Model):
    """An order from the storefront: who it is for, who orders it, and what.

    ``reseller`` is set for an indirect reseller's order; its partner id is recorded on every
    line Partner Center creates (``partnerIdOnRecord``).
    """

    id: str = Field(default_factory=lambda: uuid.uuid4().hex, min_length=1, max_length=64)
    customer: Customer
    lines: tuple[OrderLine, ...] = Field(min_length=1, max_length=100)
    reseller: Reseller | None = None
    acting: Actor = Actor.CUSTOMER

    @model_validator(mode="after")
    def _line_ids_unique(self) -> Order:
        ids = [line.id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError("order line ids must be unique within an order")
        if self.acting is Actor.RESELLER and self.reseller is None:
            raise ValueError("an order placed by a reseller must name the reseller")
        return self
