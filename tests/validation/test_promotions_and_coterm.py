"""The promotion warning and the co-termination rule, on facts given directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from csp_commerce.models import (
    Address,
    BillingCycle,
    CheckoutFacts,
    CompanyProfile,
    Customer,
    Offer,
    Order,
    OrderLine,
    PromotionFact,
    TermDuration,
)
from csp_commerce.validation import coterm, promotions

OFFER = Offer(
    id="CFQ7TTC0LFLX:0001:CFQ7TTC0SE04", product_id="CFQ7TTC0LFLX", name="Microsoft 365 E3",
    billing_cycles=frozenset(BillingCycle), term_durations=frozenset(TermDuration),
)  # fmt: skip


def order(*lines: OrderLine) -> Order:
    customer = Customer(
        reference="c", company=CompanyProfile(company_name="Contoso"),
        address=Address(country="US"),
    )  # fmt: skip
    return Order(customer=customer, lines=lines)


def line(cycle: BillingCycle = BillingCycle.MONTHLY, term: TermDuration | None = TermDuration.P1Y,
         **more: object) -> OrderLine:  # fmt: skip
    return OrderLine(id="l1", offer=OFFER, quantity=10, billing_cycle=cycle, term_duration=term,
                     **more)  # fmt: skip


def fact(term: TermDuration, cycle: BillingCycle, percent: str, *, eligible: bool = True,
         promotion: str = "P") -> PromotionFact:  # fmt: skip
    return PromotionFact(line_id="l1", promotion_id=promotion, name=f"{percent} % off",
                         term_duration=term, billing_cycle=cycle,
                         discount=Decimal(percent) / 100, eligible=eligible)  # fmt: skip


ANNUAL_15 = fact(TermDuration.P1Y, BillingCycle.ANNUAL, "15", promotion="A")
TRIENNIAL_20 = fact(TermDuration.P3Y, BillingCycle.TRIENNIAL, "20", promotion="T")


def test_a_plan_without_the_promotion_another_plan_has_is_warned_naming_the_largest() -> None:
    facts = CheckoutFacts(promotions=(ANNUAL_15, TRIENNIAL_20))
    (warning,) = promotions.check_order(order(line()), facts)
    assert warning.code == "promotion.lost_by_plan"
    assert warning.field == "lines.0.term_duration"
    assert warning.params["promotion_id"] == "T" and warning.params["discount_percent"] == 20.0
    # only the billing cycle differs: the warning points at it
    (cycle_only,) = promotions.check_order(order(line()), CheckoutFacts(promotions=(ANNUAL_15,)))
    assert cycle_only.field == "lines.0.billing_cycle"


def test_no_warning_when_the_plan_has_its_promotion_or_none_is_to_be_had() -> None:
    facts = CheckoutFacts(promotions=(ANNUAL_15, TRIENNIAL_20))
    annual = line(BillingCycle.ANNUAL)
    assert promotions.check_order(order(annual), facts) == []
    assert facts.promotion_for(annual) == ANNUAL_15
    refused = CheckoutFacts(promotions=(fact(TermDuration.P3Y, BillingCycle.TRIENNIAL, "20",
                                             eligible=False),))  # fmt: skip
    assert promotions.check_order(order(line()), refused) == []
    seats = line(subscription_id="sub-1")  # seats added never come with a promotion
    assert promotions.check_order(order(seats), facts) == []
    assert facts.promotion_for(seats) is None


def test_the_largest_eligible_promotion_on_the_lines_plan_applies() -> None:
    small = fact(TermDuration.P1Y, BillingCycle.ANNUAL, "5", promotion="S")
    facts = CheckoutFacts(promotions=(small, ANNUAL_15))
    assert facts.promotion_for(line(BillingCycle.ANNUAL)) == ANNUAL_15
    assert facts.promotion_for(line(BillingCycle.ANNUAL, None)) is None


def test_an_end_date_must_be_offered_for_the_lines_term() -> None:
    offered = CheckoutFacts(term_end_dates={TermDuration.P1Y: (date(2026, 12, 31),)})
    good = line(custom_term_end_date=date(2026, 12, 31))
    assert coterm.check_order(order(good), offered) == []
    (problem,) = coterm.check_order(order(line(custom_term_end_date=date(2026, 11, 30))), offered)
    assert problem.code == "coterm.date_not_offered"
    assert problem.params["offered_dates"] == ["2026-12-31"]
    # the dates of another term do not count
    (other,) = coterm.check_order(
        order(line(term=TermDuration.P1M, custom_term_end_date=date(2026, 12, 31))), offered
    )
    assert other.code == "coterm.date_not_offered" and other.params["offered_dates"] == []


def test_an_end_date_needs_a_term_and_a_new_subscription() -> None:
    facts = CheckoutFacts(term_end_dates={TermDuration.P1Y: (date(2026, 12, 31),)})
    (no_term,) = coterm.check_order(order(line(term=None, custom_term_end_date=date(2026, 12, 31))),
                                    facts)  # fmt: skip
    assert no_term.code == "coterm.needs_term"
    seats = line(subscription_id="sub-1", custom_term_end_date=date(2026, 12, 31))
    (added,) = coterm.check_order(order(seats), facts)
    assert added.code == "coterm.new_subscriptions_only"
    assert added.field == "lines.0.custom_term_end_date"
    assert coterm.check_order(order(line()), CheckoutFacts()) == []  # no date chosen
