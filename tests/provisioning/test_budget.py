"""The partner budget: per-family pacing at Partner Center's rates, and the Retry-After pause."""

from __future__ import annotations

import bisect

import pytest

from csp_commerce.provisioning.pacing import (
    DEFAULT_REQUESTS_PER_MINUTE,
    DOCUMENTED_RATES,
    Budget,
    PartnerBudget,
    api_family,
)


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def busiest_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    return max(
        bisect.bisect_right(starts, start + window) - index for index, start in enumerate(starts)
    )


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/v1/customers", "customers"),
        ("/v1/customers/c-1", "customers"),
        ("/v1/customers?size=100", "customers"),
        ("/v1/customers/c-1/subscriptions/s-1/addons", "subscriptions"),
        ("/v1/customers/c-1/orders", "orders"),
        ("/v1/customers/c-1/carts/x/checkout", "carts"),
        ("/v1/customers/c-1/promotionEligibilities", "promotionEligibilities"),
        ("/v1/invoices/i-1/lineitems", "invoices"),
        ("https://api.partnercenter.microsoft.com/v1/customers/c-1/users", "users"),
        ("/sandbox/admin/state", "other"),
    ],
)
def test_api_family_of_a_path(path: str, family: str) -> None:
    assert api_family(path) == family


def test_documented_rates_are_the_defaults_and_can_be_overridden() -> None:
    budget = PartnerBudget()
    assert budget.rate_of("subscriptions") == 500
    assert budget.rate_of("promotionEligibilities") == 625
    assert budget.rate_of("carts") == DEFAULT_REQUESTS_PER_MINUTE  # no published figure
    tuned = PartnerBudget({"subscriptions": 300}, default_rate=200)
    assert tuned.rate_of("subscriptions") == 300
    assert tuned.rate_of("orders") == DOCUMENTED_RATES["orders"]
    assert tuned.rate_of("carts") == 200
    assert isinstance(budget, Budget)


def test_an_unusable_rate_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        PartnerBudget({"orders": 2})


@pytest.mark.parametrize("limit", [3, 60, 500, 6000])
def test_never_more_than_a_familys_rate_in_any_window(limit: int) -> None:
    clock = Clock()
    budget = PartnerBudget({"orders": limit}, clock=clock)
    starts = [budget.reserve("orders") for _ in range(3 * limit)]
    assert busiest_window(starts, 60.0) <= limit
    if limit >= 500:  # and close to the bound the limit sets: 3 windows' worth in ~3 windows
        assert starts[-1] - starts[0] <= 3 * 60.0 * 1.05


def test_families_are_paced_apart() -> None:
    clock = Clock()
    budget = PartnerBudget({"orders": 6, "customers": 6}, clock=clock)
    orders = [budget.reserve("orders") for _ in range(5)]
    assert orders[-1] > clock.now + 30  # orders are queued a while ahead...
    assert budget.reserve("customers") == clock.now  # ...customers are not held by them


def test_a_pause_holds_every_family_and_restarts_paced() -> None:
    clock = Clock()
    budget = PartnerBudget({"orders": 600}, clock=clock)
    assert budget.reserve("orders") == clock.now
    budget.pause_until(clock.now + 30)
    budget.pause_until(clock.now + 10)  # an earlier end changes nothing
    assert budget.paused_until() == clock.now + 30
    after = [budget.reserve("orders") for _ in range(20)]
    assert min(after) >= clock.now + 30
    assert busiest_window(after, 60.0) <= 600
    assert budget.reserve("customers") >= clock.now + 30  # a family first seen while paused


def test_the_unpaced_budget_only_holds_during_a_pause() -> None:
    clock = Clock()
    budget = PartnerBudget.unpaced(clock=clock)
    assert [budget.reserve("orders") for _ in range(1000)] == [clock.now] * 1000
    budget.pause_until(clock.now + 5)
    assert budget.reserve("orders") == clock.now + 5
    clock.now += 6
    assert budget.reserve("orders") == clock.now
