"""Pricing a line: find the price entry, choose the markup, round per currency, margin.

Pure functions: no I/O. Rounding is commercial (half up) to the currency's minor unit (babel's
``get_currency_precision``): the unit price is rounded first, so ``total price = unit price ×
quantity`` holds exactly, as on an invoice.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from pydantic import Field

from csp_commerce.errors import PriceNotFoundError, PricingError
from csp_commerce.models._base import Model
from csp_commerce.models.catalogue.pricing_codes import ANNUAL_BILLING_ONLY
from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.models.offer import BillingCycle
from csp_commerce.models.price import LinePrice, Markup, MarkupScope, PriceEntry, PriceList
from csp_commerce.models.problem import Problem
from csp_commerce.money.currency import round_money

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.models.order import OrderLine


_HUNDRED = Decimal(100)
_MONTHS_PER_PERIOD: dict[BillingCycle, int] = {
    BillingCycle.MONTHLY: 1,
    BillingCycle.ANNUAL: 12,
    BillingCycle.TRIENNIAL: 36,
}


def select_markup(
    markups: Sequence[Markup], customer_reference: str | None, reseller_id: str | None
) -> Markup | None:
    """The markup that applies: the customer's, else the reseller's, else the default, else None.

    Two markups for the same customer (or reseller, or two defaults) are a PricingError.
    """
    levels: list[tuple[MarkupScope, str | None]] = [
        (MarkupScope.CUSTOMER, customer_reference),
        (MarkupScope.RESELLER, reseller_id),
        (MarkupScope.DEFAULT, None),
    ]
    for scope, owner in levels:
        if scope is not MarkupScope.DEFAULT and owner is None:
            continue
        found = [m for m in markups if m.scope is scope and _owner(m) == owner]
        if len(found) > 1:
            raise PricingError(f"{len(found)} {scope.value} markups for {owner or 'everyone'}")
        if found:
            return found[0]
    return None


def _owner(markup: Markup) -> str | None:
    return markup.customer_reference or markup.reseller_id


def unit_price(entry: PriceEntry, markup: Markup | None) -> Decimal:
    """The sale price of one unit for one billing period, rounded to the currency.

    No markup: the list price (ERP). A percent markup is on the buy price; a fixed markup is
    added to the buy price and must be in the entry's currency.
    """
    if markup is None:
        amount = entry.unit_list_price
    elif markup.percent is not None:
        amount = entry.unit_cost * (1 + markup.percent / _HUNDRED)
    else:
        if markup.currency != entry.currency:
            raise PricingError(
                f"a fixed markup in {markup.currency} cannot price {entry.offer_id!r} in "
                f"{entry.currency}"
            )
        assert markup.fixed_per_unit is not None  # the model guarantees one kind
        amount = entry.unit_cost + markup.fixed_per_unit
    return round_money(amount, entry.currency)


def price_entry(
    entry: PriceEntry,
    quantity: int,
    markup: Markup | None,
    *,
    customer_specific: bool = False,
) -> LinePrice:
    """Price ``quantity`` units of ``entry`` with ``markup``."""
    currency = entry.currency
    price = unit_price(entry, markup)
    total_price = price * quantity
    total_cost = round_money(entry.unit_cost * quantity, currency)
    margin = total_price - total_cost
    margin_percent = (
        (margin / total_price * _HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if total_price
        else None
    )
    return LinePrice(
        offer_id=entry.offer_id,
        billing_cycle=entry.billing_cycle,
        currency=currency,
        quantity=quantity,
        unit_cost=entry.unit_cost,
        unit_price=price,
        total_cost=total_cost,
        total_price=total_price,
        margin_amount=margin,
        margin_percent=margin_percent,
        markup_scope=markup.scope if markup is not None else MarkupScope.NONE,
        customer_specific=customer_specific,
    )


def price_line(
    line: OrderLine,
    customer_reference: str,
    reseller_id: str | None,
    price_list: PriceList,
    markups: Sequence[Markup] = (),
) -> LinePrice:
    """Price an order line for a customer (of a reseller, for an indirect order).

    The customer's own price entry overrides the global one; the customer's markup wins over
    the reseller's, which wins over the default. Raises :class:`PriceNotFoundError` when the
    price list has no entry for the line (in 21Vianet China: for any monthly line).
    """
    if (
        ENDPOINTS[price_list.cloud].annual_billing_only
        and line.billing_cycle is BillingCycle.MONTHLY
    ):
        raise PriceNotFoundError(
            f"{price_list.cloud.value} bills annually only: no monthly price for {line.offer.id!r}"
        )
    entry = price_list.find(
        line.offer.id, line.billing_cycle, line.term_duration, customer_reference
    )
    if entry is None:
        raise PriceNotFoundError(
            f"no price for {line.offer.id!r} billed {line.billing_cycle.value} in "
            f"price list {price_list.name!r}"
        )
    markup = select_markup(markups, customer_reference, reseller_id)
    return price_entry(
        entry,
        line.quantity,
        markup,
        customer_specific=entry.customer_reference is not None,
    )


class PeriodAmounts(Model):
    """What a quantity costs and sells for: per billing period, per month and per year.

    For annual billing ``cost``/``price`` are the annual amounts and the monthly figures their
    equivalent (÷ 12, rounded); one-time purchases have no monthly or annual figure.
    """

    cost: Decimal
    price: Decimal
    monthly_cost: Decimal | None
    monthly_price: Decimal | None
    annual_cost: Decimal | None
    annual_price: Decimal | None


class QuantityChangePreview(Model):
    """The price change of a subscription's quantity change, shown before it is made."""

    offer_id: str
    billing_cycle: BillingCycle
    currency: str
    current_quantity: int
    new_quantity: int
    unit_cost: Decimal
    unit_price: Decimal
    current: PeriodAmounts
    new: PeriodAmounts
    monthly_price_change: Decimal | None
    problems: tuple[Problem, ...] = Field(default=())


def preview_quantity_change(
    current_quantity: int,
    new_quantity: int,
    entry: PriceEntry,
    markup: Markup | None = None,
    *,
    cloud: Cloud = Cloud.GLOBAL,
) -> QuantityChangePreview:
    """Old and new cost and price of a subscription when its quantity changes.

    A monthly entry in a cloud that bills annually only (21Vianet China) is previewed with the
    Problem ``pricing.annual_billing_only``.
    """
    if current_quantity < 0 or new_quantity < 0:
        raise ValueError("quantities cannot be negative")
    price = unit_price(entry, markup)
    problems: tuple[Problem, ...] = ()
    if ENDPOINTS[cloud].annual_billing_only and entry.billing_cycle is BillingCycle.MONTHLY:
        problems = (ANNUAL_BILLING_ONLY(cloud=cloud.value),)
    current = _amounts(entry, price, current_quantity)
    new = _amounts(entry, price, new_quantity)
    change = (
        new.monthly_price - current.monthly_price
        if new.monthly_price is not None and current.monthly_price is not None
        else None
    )
    return QuantityChangePreview(
        offer_id=entry.offer_id,
        billing_cycle=entry.billing_cycle,
        currency=entry.currency,
        current_quantity=current_quantity,
        new_quantity=new_quantity,
        unit_cost=entry.unit_cost,
        unit_price=price,
        current=current,
        new=new,
        monthly_price_change=change,
        problems=problems,
    )


def _amounts(entry: PriceEntry, price: Decimal, quantity: int) -> PeriodAmounts:
    currency = entry.currency
    cost = round_money(entry.unit_cost * quantity, currency)
    sale = price * quantity
    months = _MONTHS_PER_PERIOD.get(entry.billing_cycle)
    if months is None:
        return PeriodAmounts(
            cost=cost,
            price=sale,
            monthly_cost=None,
            monthly_price=None,
            annual_cost=None,
            annual_price=None,
        )
    return PeriodAmounts(
        cost=cost,
        price=sale,
        monthly_cost=round_money(cost / months, currency),
        monthly_price=round_money(sale / months, currency),
        annual_cost=round_money(cost * 12 / months, currency),
        annual_price=round_money(sale * 12 / months, currency),
    )
