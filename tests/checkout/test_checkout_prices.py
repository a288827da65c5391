from __future__ import annotations

from decimal import Decimal

from checkout_factories import ENTERPRISE, facts, line, order

from csp_commerce import Checkout, HookManager
from csp_commerce.hooks.builtin.price_list_hooks import PriceListPlugin
from csp_commerce.money import Markup, PriceEntry, PriceList

PRICES = PriceList(
    entries=(
        PriceEntry(
            offer_id=ENTERPRISE.id,
            currency="USD",
            unit_cost=Decimal("20.00"),
            unit_list_price=Decimal("23.00"),
        ),
    )
)


def test_a_valid_order_carries_each_line_price_and_margin() -> None:
    plugin = PriceListPlugin(PRICES, [Markup(percent=Decimal(25))])
    checkout = Checkout(HookManager(entry_points=False, plugins=[plugin]))

    result = checkout.validate(order(line(quantity=4)), facts())

    assert result.problems == ()
    (price,) = result.prices
    assert price is not None
    assert price.unit_price == Decimal("25.00")
    assert price.total_price == Decimal("100.00")
    assert price.margin_amount == Decimal("20.00")


def test_without_a_price_plugin_there_are_no_prices() -> None:
    result = Checkout(HookManager(entry_points=False)).validate(order(), facts())
    assert result.plan is not None
    assert result.prices == ()
