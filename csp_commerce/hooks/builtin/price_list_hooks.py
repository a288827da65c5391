"""The price-list plugin: prices order lines from a price list and markups (``csp_price_line``).

It needs configuration, so it is an object the host registers, not a module loaded by default::

    hooks = HookManager(plugins=[PriceListPlugin(price_list, markups)])

It answers last (``trylast``): a host plugin answering ``csp_price_line`` overrides it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.errors import PriceNotFoundError
from csp_commerce.hooks import hookimpl
from csp_commerce.money.pricing import price_line

if TYPE_CHECKING:
    from collections.abc import Iterable

    from csp_commerce.models.order import Order, OrderLine
    from csp_commerce.models.price import LinePrice, Markup, PriceList


class PriceListPlugin:
    """Prices lines from ``price_list`` (customer prices override global ones) and ``markups``."""

    def __init__(self, price_list: PriceList, markups: Iterable[Markup] = ()) -> None:
        self.price_list = price_list
        self.markups = tuple(markups)

    @hookimpl(trylast=True)
    def csp_price_line(self, line: OrderLine, order: Order) -> LinePrice | None:
        """The line's price, or None when the price list has no entry for it."""
        reseller_id = order.reseller.partner_id if order.reseller is not None else None
        try:
            return price_line(
                line, order.customer.reference, reseller_id, self.price_list, self.markups
            )
        except PriceNotFoundError:
            return None
