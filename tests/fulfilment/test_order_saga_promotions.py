"""Promotions and co-terminated end dates from checkout to the subscription, against the
sandbox: the promotion on the plan, the price and the cart line; the warning for a plan that
loses one; an end date offered, sent and kept, or refused before any request."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fulfilment_world import CONTACT, Recorder, acceptance, offer

from csp_commerce import (
    Address,
    BillingCycle,
    Checkout,
    CompanyProfile,
    Customer,
    HookManager,
    Order,
    OrderLine,
    PriceEntry,
    PriceList,
    PriceListPlugin,
    TermDuration,
)
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog

E3 = "Microsoft 365 E3"
E3_ANNUAL = "39NFJQT1SP01:0001:39NFJQT1Q5P1"
E3_THREE_YEARS = "39NFJQT1SP02:0001:39NFJQT1Q5P2"


class World:
    """An existing tenant related to the partner, a checkout placing into the sandbox, and
    every request the client sent."""

    def __init__(self, tmp_path: Path) -> None:
        self.sandbox = Sandbox(seed=11)
        self.tenant = self.sandbox.add_existing_tenant("contoso1.onmicrosoft.com", "Contoso 1")
        self.sandbox.accept_relationship(self.tenant)
        self.sent: list[httpx.Request] = []
        http = self.sandbox.httpx_client(event_hooks={"request": [self.sent.append]})
        client = PartnerCenterClient(SandboxCredential(), http_client=http, sleep=lambda _: None)
        e3 = offer(self.sandbox, E3)
        prices = PriceList(
            entries=(
                PriceEntry(offer_id=e3.id, billing_cycle=BillingCycle.ANNUAL, currency="USD",
                           unit_cost=Decimal("432.00"), unit_list_price=Decimal("480.00")),
                PriceEntry(offer_id=e3.id, billing_cycle=BillingCycle.MONTHLY, currency="USD",
                           unit_cost=Decimal("37.80"), unit_list_price=Decimal("42.00")),
            )
        )  # fmt: skip
        self.recorder = Recorder()
        hooks = HookManager(entry_points=False, plugins=[self.recorder, PriceListPlugin(prices)])
        self.checkout = Checkout(
            hooks=hooks,
            mca_log=McaEvidenceLog(tmp_path / "mca.sqlite3"),
            provisioner=Provisioner(client, Ledger(tmp_path / "ledger.sqlite3"), hooks),
        )

    def order(self, n: int, *lines: OrderLine) -> Order:
        customer = Customer(
            reference="customer-1",
            tenant_id=self.tenant,
            company=CompanyProfile(company_name="Contoso 1", domain="contoso1.onmicrosoft.com"),
            address=Address(country="US", state="WA", city="Redmond", postal_code="98052",
                            address_line1="1 Microsoft Way"),
            contact=CONTACT,
        )  # fmt: skip
        placed = Order(id=f"order-{n}", customer=customer, lines=lines)
        assert self.checkout.record_mca_acceptance(acceptance(placed)) == []
        return placed

    def subscriptions(self) -> list[dict[str, Any]]:
        return list(self.sandbox.world.customers[self.tenant].subscriptions.values())

    def paths(self, method: str, suffix: str) -> list[str]:
        return [r.url.path for r in self.sent if r.method == method and r.url.path.endswith(suffix)]

    def carts(self) -> list[dict[str, Any]]:
        return list(self.sandbox.world.customers[self.tenant].carts.values())


def e3_line(world: World, cycle: BillingCycle, term: TermDuration, quantity: int = 10) -> OrderLine:
    return OrderLine(
        offer=offer(world.sandbox, E3), quantity=quantity, billing_cycle=cycle, term_duration=term
    )


def test_an_eligible_promotion_is_on_the_plan_the_price_the_cart_and_the_subscription(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    order = world.order(1, e3_line(world, BillingCycle.ANNUAL, TermDuration.P1Y))

    result = world.checkout.place(order)

    assert result.ok, result.problems
    assert result.warnings == ()
    assert result.plan is not None and result.plan.lines[0].promotion_id == E3_ANNUAL
    (price,) = result.prices
    assert price is not None and price.promotion_id == E3_ANNUAL
    assert price.promotion_discount == Decimal("0.15")
    assert price.unit_cost == Decimal("367.2000") and price.unit_price == Decimal("408.00")
    assert price.total_price == Decimal("4080.00")
    (cart,) = world.carts()
    assert cart["lineItems"][0]["promotionId"] == E3_ANNUAL
    (subscription,) = world.subscriptions()
    assert subscription["promotionId"] == E3_ANNUAL
    assert len(world.paths("POST", "/promotionEligibilities")) == 1


def test_a_plan_that_loses_an_available_promotion_is_a_warning_and_still_placed(
    tmp_path: Path,
) -> None:
    world = World(tmp_path)
    order = world.order(2, e3_line(world, BillingCycle.MONTHLY, TermDuration.P1Y))

    result = world.checkout.place(order)

    assert result.ok and result.outcome is not None
    (warning,) = result.warnings
    assert warning.code == "promotion.lost_by_plan"
    assert warning.field == "lines.0.term_duration"
    # the larger of the two promotions the customer could have: three years, 20 % off
    assert warning.params["promotion_id"] == E3_THREE_YEARS
    assert warning.params["discount_percent"] == 20.0
    assert warning.params["promotion_billing_cycle"] == "triennial"
    assert result.plan is not None and result.plan.lines[0].promotion_id is None
    assert result.prices[0] is not None and result.prices[0].promotion_id is None
    assert "promotionId" not in world.carts()[0]["lineItems"][0]
    assert "promotionId" not in world.subscriptions()[0]


def test_no_promotion_and_no_warning_when_the_customer_qualifies_for_none(tmp_path: Path) -> None:
    world = World(tmp_path)
    order = world.order(3, e3_line(world, BillingCycle.ANNUAL, TermDuration.P1Y, quantity=2))

    placed = world.checkout.place(order)  # 2 seats: below the promotions' 5

    assert placed.ok and placed.warnings == ()
    assert placed.plan is not None and placed.plan.lines[0].promotion_id is None
    assert "promotionId" not in world.subscriptions()[0]


def test_a_co_terminated_end_date_reaches_the_new_subscription(tmp_path: Path) -> None:
    world = World(tmp_path)
    first = world.checkout.place(
        world.order(4, e3_line(world, BillingCycle.ANNUAL, TermDuration.P1Y))
    )
    assert first.ok
    (existing,) = world.subscriptions()
    end = date.fromisoformat(existing["commitmentEndDate"][:10])
    basic = OrderLine(
        offer=offer(world.sandbox, "Microsoft 365 Business Basic"), quantity=1,
        billing_cycle=BillingCycle.MONTHLY, term_duration=TermDuration.P1Y,
        custom_term_end_date=end,
    )  # fmt: skip

    result = world.checkout.place(world.order(5, basic))

    assert result.ok, result.problems
    assert result.plan is not None and result.plan.lines[0].custom_term_end_date == end
    assert world.carts()[-1]["lineItems"][0]["customTermEndDate"] == end.isoformat()
    bought = next(s for s in world.subscriptions() if s["id"] != existing["id"])
    assert bought["commitmentEndDate"][:10] == end.isoformat()


def test_an_end_date_not_offered_is_a_problem_before_any_purchase(tmp_path: Path) -> None:
    world = World(tmp_path)
    wanted = date(2031, 5, 17)
    basic = OrderLine(
        offer=offer(world.sandbox, "Microsoft 365 Business Basic"), quantity=1,
        billing_cycle=BillingCycle.MONTHLY, term_duration=TermDuration.P1Y,
        custom_term_end_date=wanted,
    )  # fmt: skip

    result = world.checkout.place(world.order(6, basic))

    (problem,) = result.problems
    assert problem.code == "coterm.date_not_offered"
    assert problem.field == "lines.0.custom_term_end_date"
    assert problem.params["end_date"] == "2031-05-17"
    assert problem.params["offered_dates"]  # the month end, at least
    assert world.paths("GET", "/customTermEndDates")  # the offered dates were read
    assert world.paths("POST", "/carts") == [] and world.carts() == []
