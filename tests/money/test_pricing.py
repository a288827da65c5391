from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from csp_commerce.errors import PriceNotFoundError, PricingError
from csp_commerce.models import BillingCycle, Offer, OrderLine, TermDuration
from csp_commerce.models.clouds import Cloud
from csp_commerce.money import (
    Markup,
    MarkupScope,
    PriceEntry,
    PriceList,
    preview_quantity_change,
    price_entry,
    price_line,
    select_markup,
)

D = Decimal
OFFER = Offer(id="CFQ7TTC0LH18:0001", product_id="CFQ7TTC0LH18", name="Business Basic")


def entry(**changes: object) -> PriceEntry:
    values: dict[str, object] = {
        "offer_id": OFFER.id,
        "currency": "EUR",
        "unit_cost": D("10.00"),
        "unit_list_price": D("12.50"),
    }
    values.update(changes)
    return PriceEntry.model_validate(values)


def line(quantity: int = 3, **changes: object) -> OrderLine:
    return OrderLine.model_validate({"offer": OFFER, "quantity": quantity, **changes})


GLOBAL = PriceList(entries=(entry(),))


def test_without_markup_the_line_sells_at_the_list_price() -> None:
    priced = price_line(line(), "cust-1", None, GLOBAL)
    assert (priced.unit_price, priced.total_price, priced.total_cost) == (
        D("12.50"),
        D("37.50"),
        D("30.00"),
    )
    assert priced.margin_amount == D("7.50")
    assert priced.margin_percent == D("20.00")
    assert priced.markup_scope is MarkupScope.NONE


def test_a_customer_price_overrides_the_global_price_for_that_customer_only() -> None:
    prices = PriceList(
        entries=(entry(), entry(customer_reference="vip", unit_list_price=D("11.00")))
    )
    assert price_line(line(), "vip", None, prices).unit_price == D("11.00")
    assert price_line(line(), "vip", None, prices).customer_specific
    assert price_line(line(), "other", None, prices).unit_price == D("12.50")


MARKUPS = (
    Markup(percent=D(10)),
    Markup(percent=D(20), reseller_id="R1"),
    Markup(percent=D(30), customer_reference="vip"),
)


@pytest.mark.parametrize(
    ("customer", "reseller", "price", "scope"),
    [
        ("vip", "R1", D("13.00"), MarkupScope.CUSTOMER),
        ("other", "R1", D("12.00"), MarkupScope.RESELLER),
        ("other", "R2", D("11.00"), MarkupScope.DEFAULT),
        ("other", None, D("11.00"), MarkupScope.DEFAULT),
    ],
)
def test_customer_markup_wins_over_reseller_markup_over_default(
    customer: str, reseller: str | None, price: Decimal, scope: MarkupScope
) -> None:
    priced = price_line(line(), customer, reseller, GLOBAL, MARKUPS)
    assert (priced.unit_price, priced.markup_scope) == (price, scope)


def test_a_fixed_markup_adds_per_unit_in_the_same_currency() -> None:
    fixed = Markup(fixed_per_unit=D("1.75"), currency="EUR")
    assert price_line(line(), "c", None, GLOBAL, [fixed]).unit_price == D("11.75")
    with pytest.raises(PricingError):
        price_line(line(), "c", None, GLOBAL, [Markup(fixed_per_unit=D(1), currency="USD")])


def test_two_markups_for_the_same_customer_are_a_configuration_error() -> None:
    twice = [
        Markup(percent=D(1), customer_reference="c"),
        Markup(percent=D(2), customer_reference="c"),
    ]
    with pytest.raises(PricingError):
        select_markup(twice, "c", None)


def test_markup_must_be_one_kind_and_one_scope() -> None:
    with pytest.raises(ValidationError):
        Markup(percent=D(1), fixed_per_unit=D(1), currency="EUR")
    with pytest.raises(ValidationError):
        Markup(percent=D(1), customer_reference="c", reseller_id="r")
    with pytest.raises(ValidationError):
        Markup(fixed_per_unit=D(1))


def test_jpy_prices_have_no_decimals() -> None:
    yen = PriceList(entries=(entry(currency="JPY", unit_cost=D("1000"), unit_list_price=D(0)),))
    priced = price_line(line(quantity=3), "c", None, yen, [Markup(percent=D("12.35"))])
    assert priced.unit_price == D("1124")  # 1123.5 rounds half up
    assert str(priced.total_price) == "3372"


def test_kwd_prices_have_three_decimals() -> None:
    dinar = PriceList(entries=(entry(currency="KWD", unit_cost=D("1.0000"), unit_list_price=D(0)),))
    priced = price_line(line(quantity=2), "c", None, dinar, [Markup(percent=D("12.345"))])
    assert str(priced.unit_price) == "1.123"
    assert str(priced.total_price) == "2.246"


@given(
    cost=st.decimals(min_value=0, max_value=10_000, places=4),
    percent=st.decimals(min_value=-50, max_value=200, places=2),
    quantity=st.integers(min_value=1, max_value=10_000),
    currency=st.sampled_from(["JPY", "EUR", "KWD"]),
)
def test_totals_are_consistent_and_rounded(
    cost: Decimal, percent: Decimal, quantity: int, currency: str
) -> None:
    priced = price_entry(
        entry(currency=currency, unit_cost=cost, unit_list_price=cost),
        quantity,
        Markup(percent=percent),
    )
    places = {"JPY": 0, "EUR": 2, "KWD": 3}[currency]
    assert priced.total_price == priced.unit_price * quantity
    assert priced.margin_amount == priced.total_price - priced.total_cost
    for amount in (priced.unit_price, priced.total_price, priced.total_cost):
        assert -amount.as_tuple().exponent == places  # type: ignore[operator]


def test_a_line_with_no_price_entry_is_not_priced() -> None:
    with pytest.raises(PriceNotFoundError):
        price_line(line(billing_cycle=BillingCycle.ANNUAL), "c", None, GLOBAL)


def test_an_exact_term_wins_over_an_any_term_entry() -> None:
    prices = PriceList(entries=(entry(), entry(term=TermDuration.P1Y, unit_list_price=D("11.00"))))
    assert price_line(line(term_duration="P1Y"), "c", None, prices).unit_price == D("11.00")
    assert price_line(line(term_duration="P1M"), "c", None, prices).unit_price == D("12.50")


def test_duplicate_entries_are_refused() -> None:
    with pytest.raises(ValidationError):
        PriceList(entries=(entry(), entry(unit_cost=D(1))))


def test_a_china_price_list_refuses_monthly_prices() -> None:
    with pytest.raises(ValidationError, match="annually"):
        PriceList(cloud=Cloud.CHINA, entries=(entry(),))
    china = PriceList(cloud=Cloud.CHINA, entries=(entry(billing_cycle=BillingCycle.ANNUAL),))
    assert price_line(line(billing_cycle="annual"), "c", None, china).unit_price == D("12.50")
    with pytest.raises(PriceNotFoundError, match="annually"):
        price_line(line(), "c", None, china)


def test_quantity_change_preview_monthly() -> None:
    preview = preview_quantity_change(3, 5, entry(), Markup(percent=D(20)))
    assert preview.unit_price == D("12.00")
    assert (preview.current.monthly_cost, preview.current.monthly_price) == (D("30.00"), D("36.00"))
    assert (preview.new.monthly_cost, preview.new.monthly_price) == (D("50.00"), D("60.00"))
    assert preview.monthly_price_change == D("24.00")
    assert preview.new.annual_price == D("720.00")
    assert not preview.problems


def test_quantity_change_preview_annual_shows_monthly_equivalent_and_annual_amount() -> None:
    annual = entry(
        billing_cycle=BillingCycle.ANNUAL, unit_cost=D("100.00"), unit_list_price=D("125.00")
    )
    preview = preview_quantity_change(1, 2, annual)
    assert (preview.new.price, preview.new.annual_price) == (D("250.00"), D("250.00"))
    assert preview.new.monthly_price == D("20.83")
    assert preview.current.monthly_price == D("10.42")
    assert preview.new.monthly_cost == D("16.67")


def test_quantity_change_preview_says_china_bills_annually_only() -> None:
    preview = preview_quantity_change(1, 2, entry(), cloud=Cloud.CHINA)
    assert [problem.code for problem in preview.problems] == ["pricing.annual_billing_only"]
    assert not preview_quantity_change(
        1, 2, entry(billing_cycle="annual"), cloud=Cloud.CHINA
    ).problems
