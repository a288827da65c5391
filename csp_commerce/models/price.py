"""Price lists, markups and priced lines.

Amounts are :class:`~decimal.Decimal` in the entry's currency. A unit amount is per unit and per
billing period: a month for monthly billing, a year for annual billing, three years for
triennial, the purchase for one-time.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from pydantic import Field, model_validator

from csp_commerce.models._base import Model
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.models.offer import BillingCycle, TermDuration

_CURRENCY = r"^[A-Z]{3}$"


class PriceEntry(Model):
    """The buy and list price of one offer for one billing cycle (and term).

    ``customer_reference`` set: a customer-specific price, which overrides the global entry for
    that customer. ``term`` None: the entry applies to every term of the billing cycle.
    """

    offer_id: str = Field(min_length=1, max_length=200)
    billing_cycle: BillingCycle = BillingCycle.MONTHLY
    term: TermDuration | None = None
    currency: str = Field(pattern=_CURRENCY)
    unit_cost: Decimal = Field(ge=0, description="The partner's buy price from Microsoft")
    unit_list_price: Decimal = Field(ge=0, description="Microsoft's list price (ERP)")
    customer_reference: str | None = Field(default=None, min_length=1, max_length=200)

    @property
    def key(self) -> tuple[str | None, str, BillingCycle, TermDuration | None]:
        """What makes an entry unique in a price list."""
        return (self.customer_reference, self.offer_id, self.billing_cycle, self.term)


class PriceList(Model):
    """The global price list plus customer-specific prices, for one cloud.

    A price list for a cloud that bills annually only (21Vianet China) refuses monthly entries.
    """

    name: str = Field(default="default", min_length=1, max_length=200)
    cloud: Cloud = Cloud.GLOBAL
    entries: tuple[PriceEntry, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> PriceList:
        seen: set[tuple[str | None, str, BillingCycle, TermDuration | None]] = set()
        for entry in self.entries:
            if entry.key in seen:
                raise ValueError(f"duplicate price entry {entry.key!r}")
            seen.add(entry.key)
            if ENDPOINTS[self.cloud].annual_billing_only and (
                entry.billing_cycle is BillingCycle.MONTHLY
            ):
                raise ValueError(
                    f"{self.cloud.value} bills annually only: no monthly price for "
                    f"{entry.offer_id!r}"
                )
        return self

    def find(
        self,
        offer_id: str,
        billing_cycle: BillingCycle,
        term: TermDuration | None = None,
        customer_reference: str | None = None,
    ) -> PriceEntry | None:
        """The entry for the offer: the customer's own if it has one, else the global one.

        Within each level an entry for exactly ``term`` wins over one for any term (``term``
        None); a line without a term takes the cycle's only entry when there is just one.
        """
        levels = [customer_reference, None] if customer_reference is not None else [None]
        for level in levels:
            candidates = [
                entry
                for entry in self.entries
                if entry.customer_reference == level
                and entry.offer_id == offer_id
                and entry.billing_cycle is billing_cycle
            ]
            exact = [entry for entry in candidates if entry.term == term]
            if exact:
                return exact[0]
            wildcard = [entry for entry in candidates if entry.term is None]
            if wildcard:
                return wildcard[0]
            if term is None and len(candidates) == 1:
                return candidates[0]
        return None


class MarkupScope(str, Enum):
    """Whose markup priced a line; a customer's wins over a reseller's over the default."""

    CUSTOMER = "customer"
    RESELLER = "reseller"
    DEFAULT = "default"
    NONE = "none"  # no markup applies: the line sells at the list price (ERP)


class Markup(Model):
    """A markup on the buy price: a percentage, or a fixed amount per unit and billing period.

    Set ``customer_reference`` for one customer, ``reseller_id`` for every customer of one
    indirect reseller, neither for the default.
    """

    percent: Decimal | None = Field(default=None, ge=-100)
    fixed_per_unit: Decimal | None = None
    currency: str | None = Field(default=None, pattern=_CURRENCY)
    customer_reference: str | None = Field(default=None, min_length=1, max_length=200)
    reseller_id: str | None = Field(default=None, min_length=1, max_length=32)

    @model_validator(mode="after")
    def _one_kind_one_scope(self) -> Markup:
        if (self.percent is None) == (self.fixed_per_unit is None):
            raise ValueError("a markup is either a percent or a fixed amount per unit")
        if self.fixed_per_unit is not None and self.currency is None:
            raise ValueError("a fixed markup needs its currency")
        if self.customer_reference is not None and self.reseller_id is not None:
            raise ValueError("a markup is for a customer or for a reseller, not both")
        return self

    @property
    def scope(self) -> MarkupScope:
        """Whom this markup is for."""
        if self.customer_reference is not None:
            return MarkupScope.CUSTOMER
        if self.reseller_id is not None:
            return MarkupScope.RESELLER
        return MarkupScope.DEFAULT


class LinePrice(Model):
    """A priced order line: what it costs the partner, what it sells for, and the margin.

    Unit amounts are per billing period of ``billing_cycle``. ``margin_percent`` is the margin
    as a share of the sale price (None when the sale price is zero).
    """

    offer_id: str
    billing_cycle: BillingCycle
    currency: str = Field(pattern=_CURRENCY)
    quantity: int
    unit_cost: Decimal
    unit_price: Decimal
    total_cost: Decimal
    total_price: Decimal
    margin_amount: Decimal
    margin_percent: Decimal | None
    markup_scope: MarkupScope = MarkupScope.NONE
    customer_specific: bool = Field(
        default=False, description="Priced from the customer's own price entry"
    )
    promotion_id: str | None = Field(
        default=None, description="The promotion that lowered the cost and price, if any"
    )
    promotion_discount: Decimal | None = Field(
        default=None, description="The promotion's share off (0.15 is 15 % off)"
    )
