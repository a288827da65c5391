from __future__ import annotations

from decimal import Decimal

from csp_commerce.hooks import hookimpl
from csp_commerce.hooks.builtin.price_list_hooks import PriceListPlugin
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models import (
    Address,
    CompanyProfile,
    Customer,
    Offer,
    Order,
    OrderLine,
    Reseller,
)
from csp_commerce.money import LinePrice, Markup, MarkupScope, PriceEntry, PriceList

D = Decimal
OFFER = Offer(id="CFQ7TTC0LH18:0001", product_id="CFQ7TTC0LH18", name="Business Basic")
PRICES = PriceList(
    entries=(
        PriceEntry(
            offer_id=OFFER.id, currency="EUR", unit_cost=D("10.00"), unit_list_price=D("12.50")
        ),
    )
)


def order(offer: Offer = OFFER, reseller: Reseller | None = None) -> Order:
    customer = Customer(
        reference="cust-1",
        company=CompanyProfile(company_name="Contoso"),
        address=Address.model_validate(
            {
                "country": "DE",
                "city": "Berlin",
                "address_line1": "Unter den Linden 1",
                "postal_code": "10117",
            }
        ),
    )
    return Order(customer=customer, lines=(OrderLine(offer=offer, quantity=2),), reseller=reseller)


def test_the_price_list_plugin_prices_through_the_hook() -> None:
    hooks = HookManager(builtins=False, entry_points=False, plugins=[PriceListPlugin(PRICES)])
    the_order = order()
    priced = hooks.price_line(the_order.lines[0], the_order)
    assert priced is not None
    assert priced.total_price == D("25.00")


def test_the_plugin_passes_the_orders_reseller_to_the_markups() -> None:
    markups = [Markup(percent=D(50), reseller_id="4711")]
    hooks = HookManager(
        builtins=False, entry_points=False, plugins=[PriceListPlugin(PRICES, markups)]
    )
    the_order = order(reseller=Reseller(partner_id="4711", name="Lite Reseller"))
    priced = hooks.price_line(the_order.lines[0], the_order)
    assert priced is not None
    assert (priced.unit_price, priced.markup_scope) == (D("15.00"), MarkupScope.RESELLER)


def test_an_unknown_offer_is_left_unpriced() -> None:
    hooks = HookManager(builtins=False, entry_points=False, plugins=[PriceListPlugin(PRICES)])
    other = order(offer=Offer(id="OTHER:0001", product_id="OTHER", name="Other"))
    assert hooks.price_line(other.lines[0], other) is None


class FlatPrice:
    @hookimpl
    def csp_price_line(self, line: OrderLine, order: Order) -> LinePrice:
        return LinePrice(
            offer_id=line.offer.id,
            billing_cycle=line.billing_cycle,
            currency="EUR",
            quantity=line.quantity,
            unit_cost=D(1),
            unit_price=D(2),
            total_cost=D(line.quantity),
            total_price=D(2 * line.quantity),
            margin_amount=D(line.quantity),
            margin_percent=D(50),
        )


def test_a_host_plugin_overrides_the_price_list_plugin() -> None:
    # Registered first, so only trylast keeps the price list from answering before it.
    hooks = HookManager(
        builtins=False, entry_points=False, plugins=[FlatPrice(), PriceListPlugin(PRICES)]
    )
    the_order = order()
    priced = hooks.price_line(the_order.lines[0], the_order)
    assert priced is not None
    assert priced.unit_price == D(2)


def test_the_hook_is_firstresult() -> None:
    hooks = HookManager(builtins=False, entry_points=False)
    info = next(h for h in hooks.hooks() if h.name == "csp_price_line")
    assert info.firstresult
