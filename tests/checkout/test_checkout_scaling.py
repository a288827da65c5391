"""Validation's cost grows with lines + subscriptions, not lines x subscriptions.

Counted, not timed: every attribute read of a ``SubscriptionFact`` during one validation. A
rule that scans all the customer's subscriptions for each line (or each seat-capped product)
reads ``lines x subscriptions`` of them; an index built once reads each subscription a few
times and each line a few lookups.
"""

from __future__ import annotations

from typing import Any

import pytest
from checkout_factories import (
    BUSINESS,
    ENTERPRISE,
    checkout,
    facts,
    line,
    offer,
    order,
    subscription,
)

from csp_commerce import LineAction, SubscriptionFact
from csp_commerce.models import CheckoutFacts, Order


def _order_and_facts(lines: int, subscriptions: int) -> tuple[Order, CheckoutFacts]:
    """A clean order of ``lines`` lines, half of them seat-capped new products and half Business
    plans merged into the customer's existing monthly subscription, for a customer holding
    ``subscriptions`` subscriptions (most of other products)."""
    order_lines = []
    existing = []
    for n in range(lines // 2):
        capped = offer(id=f"CAP{n}:0001", product_id=f"CAP{n}", name=f"Capped {n}")
        capped = capped.model_copy(update={"max_seats_per_customer": 1000})
        order_lines.append(line(capped, 5))
        business = BUSINESS.model_copy(
            update={"id": f"BIZ{n}:0001", "product_id": f"BIZ{n}", "name": f"Business {n}"}
        )
        order_lines.append(line(business, 5))
        existing.append(subscription(f"biz-{n}", business, 10))
        existing.append(subscription(f"cap-{n}", capped, 10))
    for n in range(subscriptions - len(existing)):
        existing.append(subscription(f"other-{n}", ENTERPRISE, 1, status="active"))
    return order(*order_lines), facts(subscriptions=tuple(existing))


def _reads(monkeypatch: pytest.MonkeyPatch, lines: int, subscriptions: int) -> int:
    """Attribute reads of subscription facts while validating one clean order."""
    the_order, the_facts = _order_and_facts(lines, subscriptions)
    count = 0
    plain = object.__getattribute__

    def counting(self: Any, name: str) -> Any:
        nonlocal count
        count += 1
        return plain(self, name)

    with monkeypatch.context() as patch:
        patch.setattr(SubscriptionFact, "__getattribute__", counting)
        result = checkout().validate(the_order, the_facts)
    assert result.ok, result.problems
    assert result.plan is not None
    merged = [plan for plan in result.plan.lines if plan.action is LineAction.ADD_QUANTITY]
    assert len(merged) == lines // 2  # the Business lines found their twins through the index
    return count


def test_validation_reads_each_subscription_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines, subscriptions = 40, 2000
    reads = _reads(monkeypatch, lines, subscriptions)
    # an O(lines x subscriptions) rule would read 80,000+ times here
    assert reads <= 10 * (lines + subscriptions), reads


def test_validation_cost_is_linear_in_lines_plus_subscriptions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = _reads(monkeypatch, 20, 500)
    large = _reads(monkeypatch, 80, 2000)  # 4x lines and 4x subscriptions
    # linear: about 4x; lines x subscriptions: 16x
    assert large <= 5 * small, (small, large)
