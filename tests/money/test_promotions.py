"""A promotion on a priced line: the same share off cost and price, totals exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.models.offer import BillingCycle
from csp_commerce.models.price import Markup, PriceEntry
from csp_commerce.money.pricing import price_entry
from csp_commerce.money.promotions import promoted_price

ENTRY = PriceEntry(
    offer_id="CFQ7TTC0LFLX:0001:CFQ7TTC0SE04",
    billing_cycle=BillingCycle.ANNUAL,
    currency="USD",
    unit_cost=Decimal("432.00"),
    unit_list_price=Decimal("480.00"),
)


def test_the_discount_comes_off_cost_and_price_and_the_line_names_the_promotion() -> None:
    price = price_entry(ENTRY, 10, Markup(percent=Decimal(10)))
    promoted = promoted_price(price, "P-1", Decimal("0.15"))
    assert (price.unit_cost, price.unit_price) == (Decimal("432.00"), Decimal("475.20"))
    assert promoted.unit_cost == Decimal("367.2000")
    assert promoted.unit_price == Decimal("403.92")
    assert promoted.total_cost == Decimal("3672.00")
    assert promoted.total_price == Decimal("4039.20")
    assert promoted.margin_amount == Decimal("367.20")
    assert promoted.margin_percent == price.margin_percent  # the margin share is kept
    assert (promoted.promotion_id, promoted.promotion_discount) == ("P-1", Decimal("0.15"))
    assert price.promotion_id is None  # the original is left as it was


def test_the_list_price_line_gets_the_promotional_list_price() -> None:
    promoted = promoted_price(price_entry(ENTRY, 1, None), "P-1", Decimal("0.05"))
    assert promoted.unit_price == Decimal("456.00")  # 480.00 less 5 %


@pytest.mark.parametrize("discount", [Decimal(0), Decimal(1), Decimal("-0.1"), Decimal("1.5")])
def test_a_discount_that_is_not_a_share_is_refused(discount: Decimal) -> None:
    with pytest.raises(ValueError, match="fraction"):
        promoted_price(price_entry(ENTRY, 1, None), "P-1", discount)


@given(
    quantity=st.integers(min_value=1, max_value=5_000),
    percent=st.integers(min_value=1, max_value=99),
)
def test_total_is_always_unit_price_times_quantity(quantity: int, percent: int) -> None:
    promoted = promoted_price(price_entry(ENTRY, quantity, None), "P", Decimal(percent) / 100)
    assert promoted.total_price == promoted.unit_price * quantity
    assert promoted.total_price < ENTRY.unit_list_price * quantity
