"""The checkout as a whole: every Problem at once, the plan, approval, and removable built-ins."""

from __future__ import annotations

import pytest
from checkout_factories import (
    ADDON,
    BUSINESS,
    RESELLER,
    checkout,
    codes,
    facts,
    line,
    offer,
    order,
    subscription,
)

from csp_commerce import (
    ApprovalDecision,
    BillingCycle,
    Checkout,
    CheckoutSettings,
    HookManager,
    LineAction,
    LinePlan,
    McaFacts,
    Order,
    OrderLine,
    Segment,
    TenantAction,
    hookimpl,
)
from csp_commerce.errors import PluginError
from csp_commerce.models import CheckoutFacts, CheckoutPlan


def test_a_clean_order_is_planned_and_approved() -> None:
    result = checkout().validate(order(), facts())
    assert result.ok
    assert result.problems == ()
    assert result.plan is not None and result.plan.tenant.action is TenantAction.CREATE
    assert result.approval == ApprovalDecision(approved=True, reason="approved by default")


def test_every_problem_is_returned_at_once() -> None:
    messy = order(
        line(offer(segment=Segment.EDUCATION), billing_cycle=BillingCycle.TRIENNIAL),
        line(BUSINESS, 400),
        line(ADDON, 1),
        reseller=RESELLER,
        domain=None,
    )
    result = checkout().validate(messy, CheckoutFacts())
    assert result.plan is None and not result.ok
    assert set(codes(result)) >= {
        "billing_cycle.not_offered",
        "eligibility.not_qualified",
        "quantity.above_maximum",
        "seats.customer_cap_exceeded",
        "addon.parent_missing",
        "mca.not_accepted",
        "reseller.facts_missing",
        "tenant.domain_missing",
    }


def test_facts_default_to_nothing_known() -> None:
    assert "mca.not_accepted" in codes(checkout().validate(order()))


class HoldBigOrders:
    """A host rule: orders above 100 seats wait for a person."""

    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
        if sum(line.quantity for line in plan.lines) > 100:
            return ApprovalDecision(approved=False, reason="over 100 seats", held_by="sales")
        return None


def test_a_host_can_hold_orders_for_approval() -> None:
    shop = Checkout(HookManager(entry_points=False, plugins=[HoldBigOrders()]))
    held = shop.validate(order(line(quantity=150)), facts())
    assert held.plan is not None and held.approval is not None
    assert not held.approval.approved and held.approval.held_by == "sales"
    assert not held.ok
    assert shop.validate(order(line(quantity=10)), facts()).ok  # the built-in still answers


def test_a_plugin_may_add_problems_next_to_the_built_ins() -> None:
    from csp_commerce import Problem

    class NoTuesday:
        @hookimpl
        def csp_check_eligibility(self) -> Problem:
            return Problem(code="host.closed", message="closed today")

    shop = Checkout(HookManager(entry_points=False, plugins=[NoTuesday()]))
    edu = order(line(offer(segment=Segment.EDUCATION)))
    assert sorted(codes(shop.validate(edu, facts()))) == [
        "eligibility.not_qualified",
        "host.closed",
    ]


class NewSubscriptions:
    """Stands in for the limits built-in's planner when the built-in is blocked."""

    @hookimpl
    def csp_plan_line(self, line: OrderLine) -> LinePlan:
        return LinePlan(
            line_id=line.id,
            action=LineAction.NEW_SUBSCRIPTION,
            offer_id=line.offer.id,
            quantity=line.quantity,
            billing_cycle=line.billing_cycle,
        )


# Removing any built-in removes its rule: each case below has a Problem (or answer) that only
# that built-in produces.
REMOVABLE = [
    (
        "csp_commerce.hooks.builtin.eligibility_hooks",
        order(line(offer(segment=Segment.NONPROFIT))),
        facts(),
        "eligibility.not_qualified",
    ),
    (
        "csp_commerce.hooks.builtin.limits_hooks",
        order(line(BUSINESS, 301)),
        facts(),
        "quantity.above_maximum",
    ),
    ("csp_commerce.hooks.builtin.mca_hooks", order(), facts(mca=McaFacts()), "mca.not_accepted"),
    (
        "csp_commerce.hooks.builtin.reseller_hooks",
        order(reseller=RESELLER),
        facts(),
        "reseller.facts_missing",
    ),
]


@pytest.mark.parametrize(("plugin", "an_order", "the_facts", "code"), REMOVABLE)
def test_blocking_a_collected_built_in_removes_its_rule(
    plugin: str, an_order: Order, the_facts: CheckoutFacts, code: str
) -> None:
    assert code in codes(checkout().validate(an_order, the_facts))
    planner = [NewSubscriptions()] if plugin.endswith(".limits_hooks") else []
    without = Checkout(HookManager(entry_points=False, block=[plugin], plugins=planner))
    assert code not in codes(without.validate(an_order, the_facts))


@pytest.mark.parametrize(
    "plugin",
    [
        "csp_commerce.hooks.builtin.billing_options_hooks",
        "csp_commerce.hooks.builtin.tenancy_hooks",
        "csp_commerce.hooks.builtin.limits_hooks",
        "csp_commerce.hooks.builtin.approval_hooks",
    ],
)
def test_blocking_a_firstresult_built_in_leaves_the_hook_unanswered(plugin: str) -> None:
    without = Checkout(HookManager(entry_points=False, block=[plugin]))
    with pytest.raises(PluginError):
        without.validate(order(), facts())


def test_the_settings_reach_every_rule() -> None:
    existing = facts(subscriptions=(subscription("sub-m", BUSINESS, 10),))
    from csp_commerce import DuplicatePolicy

    refusing = Checkout(
        HookManager(entry_points=False),
        CheckoutSettings(business_duplicates=DuplicatePolicy.REFUSE),
    )
    assert codes(refusing.validate(order(line(BUSINESS, 1)), existing)) == [
        "business.subscription_exists"
    ]


def test_the_checkout_reaches_every_rule_through_the_hooks() -> None:
    """No module of csp_commerce.checkout imports a rule: a host can override every step."""
    import ast
    from pathlib import Path

    import csp_commerce.checkout

    package = Path(csp_commerce.checkout.__file__).parent
    imported = {
        node.module or ""
        for module in package.glob("*.py")
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
    } | {
        alias.name
        for module in package.glob("*.py")
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert sorted(name for name in imported if name.startswith("csp_commerce.validation")) == []
