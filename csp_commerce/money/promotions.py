"""A promotion on a priced line: the same share off the partner's cost and off the sale price.

Microsoft's new-commerce promotions are a percentage off (``PercentDiscount``) the partner's
price and the estimated retail price alike, so a line keeps its margin share: the unit cost and
the unit price each lose the promotion's share (the price rounded to the currency's minor unit,
so ``total price = unit price × quantity`` still holds exactly), and the totals and margin
follow. Pure: no I/O.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from csp_commerce.money.currency import round_money

if TYPE_CHECKING:
    from csp_commerce.models.price import LinePrice

_HUNDRED = Decimal(100)


def promoted_price(price: LinePrice, promotion_id: str, discount: Decimal) -> LinePrice:
    """``price`` with ``discount`` (a fraction: ``Decimal("0.15")`` is 15 % off) taken off its
    unit cost and unit price, carrying ``promotion_id``."""
    if not 0 < discount < 1:
        raise ValueError("a promotion's discount is a fraction between 0 and 1")
    currency = price.currency
    keep = 1 - discount
    unit_cost = price.unit_cost * keep  # the buy price keeps its precision, as price_entry's
    unit_price = round_money(price.unit_price * keep, currency)
    total_cost = round_money(unit_cost * price.quantity, currency)
    total_price = unit_price * price.quantity
    margin = total_price - total_cost
    margin_percent = (
        (margin / total_price * _HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if total_price
        else None
    )
    return price.model_copy(
        update={
            "unit_cost": unit_cost,
            "unit_price": unit_price,
            "total_cost": total_cost,
            "total_price": total_price,
            "margin_amount": margin,
            "margin_percent": margin_percent,
            "promotion_id": promotion_id,
            "promotion_discount": discount,
        }
    )


__all__ = ["promoted_price"]
