"""Gathering the lines' promotion facts: the cache and the request budget limit the requests
(counted at the sandbox), and the sync and async twins gather the same facts."""

from __future__ import annotations

import bisect
from datetime import date
from decimal import Decimal

import httpx
import pytest

from csp_commerce import (
    Address,
    BillingCycle,
    CheckoutFacts,
    CompanyProfile,
    Contact,
    Customer,
    FactsCache,
    Order,
    OrderLine,
    TermDuration,
)
from csp_commerce.checkout.line_terms import line_term_facts, line_term_facts_async
from csp_commerce.errors import RateLimitError
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.pacing import PartnerBudget
from csp_commerce.sandbox import Sandbox, SandboxCredential, promotion_routes

E3_ANNUAL = "39NFJQT1SP01:0001:39NFJQT1Q5P1"
E3_THREE_YEARS = "39NFJQT1SP02:0001:39NFJQT1Q5P2"


class VirtualTime:
    """One clock for the sandbox, the client's sleeps, its budget and the facts cache."""

    def __init__(self) -> None:
        self.now = 1_767_225_600.0  # 2026-01-01

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.now += seconds


class Counted:
    """A sandbox with a related tenant, and every request and answer status it saw."""

    def __init__(self, time: VirtualTime | None = None) -> None:
        self.time = time or VirtualTime()
        self.sandbox = Sandbox(seed=3, clock=self.time.clock, sleep=self.time.sleep)
        self.tenant = self.sandbox.add_existing_tenant("contoso.onmicrosoft.com", "Contoso")
        self.sandbox.accept_relationship(self.tenant)
        self.sent: list[tuple[str, str, float]] = []
        self.statuses: list[int] = []

    def _request(self, request: httpx.Request) -> None:
        self.sent.append((request.method, request.url.path, self.time.now))

    def _response(self, response: httpx.Response) -> None:
        self.statuses.append(response.status_code)

    def client(self, budget: PartnerBudget | None = None) -> PartnerCenterClient:
        hooks = {"request": [self._request], "response": [self._response]}
        return PartnerCenterClient(
            SandboxCredential(),
            http_client=self.sandbox.httpx_client(event_hooks=hooks),
            clock=self.time.clock,
            sleep=self.time.sleep,
            budget=budget,
        )

    def count(self, suffix: str) -> int:
        return sum(1 for _, path, _ in self.sent if path.lower().endswith(suffix.lower()))

    def order(self, quantity: int = 10, **line: object) -> Order:
        e3 = next(o for o in self.sandbox.catalog.offers() if o.name == "Microsoft 365 E3")
        customer = Customer(
            reference="contoso",
            tenant_id=self.tenant,
            company=CompanyProfile(company_name="Contoso", domain="contoso.onmicrosoft.com"),
            address=Address(country="US", state="WA", city="Redmond", postal_code="98052",
                            address_line1="1 Microsoft Way"),
            contact=Contact(first_name="Ada", last_name="Lovelace", email="ada@contoso.com"),
        )  # fmt: skip
        chosen = OrderLine(
            id="l1", offer=e3, quantity=quantity, billing_cycle=BillingCycle.ANNUAL,
            term_duration=TermDuration.P1Y, **line,
        )  # fmt: skip
        return Order(id="o1", customer=customer, lines=(chosen,))


def test_facts_name_every_plans_promotion_and_the_customers_verdict() -> None:
    world = Counted()
    with world.client() as client:
        facts = line_term_facts(client, world.order(), CheckoutFacts())
    by_id = {fact.promotion_id: fact for fact in facts.promotions}
    assert by_id[E3_ANNUAL].eligible and by_id[E3_ANNUAL].discount == Decimal("0.15")
    three = by_id[E3_THREE_YEARS]
    assert three.eligible and (three.term_duration, three.billing_cycle) == (
        TermDuration.P3Y,
        BillingCycle.TRIENNIAL,
    )
    assert facts.promotion_for(world.order().lines[0]) == by_id[E3_ANNUAL]
    # one listing, one eligibility request for both plans of the offer
    assert world.count("/productpromotions") == 1
    assert world.count("/promotionEligibilities") == 1


def test_the_cache_answers_the_same_customer_product_plan_and_quantity_within_its_ttl() -> None:
    world = Counted()
    cache = FactsCache(ttl=300, clock=world.time.clock)
    with world.client() as client:
        first = line_term_facts(client, world.order(), CheckoutFacts(), cache=cache)
        again = line_term_facts(client, world.order(), CheckoutFacts(), cache=cache)
        assert again.promotions == first.promotions
        assert (world.count("/productpromotions"), world.count("/promotionEligibilities")) == (
            1,
            1,
        )
        # another quantity is another transaction for Partner Center (seat limits): asked
        line_term_facts(client, world.order(quantity=4), CheckoutFacts(), cache=cache)
        assert (world.count("/productpromotions"), world.count("/promotionEligibilities")) == (
            1,
            2,
        )
        world.time.now += 301  # the entries expire
        line_term_facts(client, world.order(), CheckoutFacts(), cache=cache)
        assert (world.count("/productpromotions"), world.count("/promotionEligibilities")) == (
            2,
            3,
        )
        # without a cache every check asks again
        line_term_facts(client, world.order(), CheckoutFacts())
        assert world.count("/promotionEligibilities") == 4


def busiest_window(starts: list[float], window: float) -> int:
    return max(
        bisect.bisect_right(starts, start + window) - index for index, start in enumerate(starts)
    )


#: A small limit stands in for Partner Center's 625 a minute (the same code paces and refuses
#: both; ``DOCUMENTED_RATES`` holds the 625, tests/provisioning/test_budget.py checks it).
LIMIT = 30


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(promotion_routes, "ELIGIBILITY_LIMIT_PER_MINUTE", LIMIT)
    return LIMIT


def test_the_budget_keeps_eligibility_checks_under_partner_centers_limit(small_limit: int) -> None:
    world = Counted()
    budget = PartnerBudget({"promotionEligibilities": small_limit}, clock=world.time.clock)
    cache = FactsCache(ttl=10_000, clock=world.time.clock)  # keeps the listing, not the verdicts
    checks = small_limit + 10
    with world.client(budget) as client:
        for quantity in range(1, checks + 1):  # each quantity is a new transaction to judge
            line_term_facts(client, world.order(quantity), CheckoutFacts(), cache=cache)
    starts = [at for _, path, at in world.sent if path.endswith("/promotionEligibilities")]
    assert len(starts) == checks  # each check sent once, none refused
    assert 429 not in world.statuses
    assert busiest_window(starts, 60.0) <= small_limit
    assert starts[-1] - starts[0] >= 60.0 * (checks - 2) / small_limit  # the limit's bound


def test_without_the_budget_partner_centers_limit_refuses_the_checkout(small_limit: int) -> None:
    world = Counted()
    cache = FactsCache(ttl=10_000, clock=world.time.clock)
    with world.client(PartnerBudget.unpaced()) as client:
        for quantity in range(1, small_limit + 1):
            line_term_facts(client, world.order(quantity), CheckoutFacts(), cache=cache)
        refused = world.order(small_limit + 1)
        with pytest.raises(RateLimitError):
            line_term_facts(client, refused, CheckoutFacts(), cache=cache)
    assert world.count("/promotionEligibilities") >= small_limit + 1
    assert 429 in world.statuses


async def test_the_async_twin_gathers_the_same_facts() -> None:
    world = Counted()
    with world.client() as client:
        expected = line_term_facts(client, world.order(), CheckoutFacts())
    async with AsyncPartnerCenterClient(
        SandboxCredential(), http_client=world.sandbox.async_httpx_client()
    ) as aclient:
        facts = await line_term_facts_async(aclient, world.order(), CheckoutFacts())
    assert facts.promotions == expected.promotions


def test_offered_end_dates_are_read_for_each_term_a_line_asks_one_for() -> None:
    world = Counted()
    with world.client() as client:
        none_asked = line_term_facts(client, world.order(), CheckoutFacts())
        assert none_asked.term_end_dates == {}
        assert world.count("/customTermEndDates") == 0
        asked = world.order(custom_term_end_date=date(2026, 12, 31))
        facts = line_term_facts(client, asked, CheckoutFacts())
    assert facts.term_end_dates == {TermDuration.P1Y: (date(2026, 12, 31),)}
    assert world.count("/customTermEndDates") == 1
