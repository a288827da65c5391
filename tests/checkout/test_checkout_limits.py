"""Subscription counts, seat caps, the Dynamics policy, add-ons, and adding seats."""

from __future__ import annotations

from checkout_factories import (
    ADDON,
    ANNUAL,
    BUSINESS,
    DYNAMICS,
    ENTERPRISE,
    GOOD_RESELLER,
    MONTHLY,
    RESELLER,
    checkout,
    codes,
    facts,
    line,
    offer,
    order,
    subscription,
)

from csp_commerce import DuplicatePolicy, DynamicsPolicy, LineAction
from csp_commerce.models import CheckoutResult


def plan_actions(result: CheckoutResult) -> list[tuple[LineAction, str | None]]:
    assert result.plan is not None, result.problems
    return [(plan.action, plan.subscription_id) for plan in result.plan.lines]


# -- Business plans -------------------------------------------------------------------------------


def test_business_second_order_for_an_existing_cycle_adds_seats_by_default() -> None:
    existing = facts(subscriptions=(subscription("sub-m", BUSINESS, 10),))
    result = checkout().validate(order(line(BUSINESS, 5)), existing)
    assert plan_actions(result) == [(LineAction.ADD_QUANTITY, "sub-m")]
    assert result.plan is not None and "Business" in (result.plan.lines[0].reason or "")


def test_business_other_cycle_is_a_new_subscription() -> None:
    existing = facts(subscriptions=(subscription("sub-m", BUSINESS, 10),))
    result = checkout().validate(order(line(BUSINESS, 5, billing_cycle=ANNUAL)), existing)
    assert plan_actions(result) == [(LineAction.NEW_SUBSCRIPTION, None)]


def test_business_refuse_policy_makes_it_a_problem() -> None:
    existing = facts(subscriptions=(subscription("sub-m", BUSINESS, 10),))
    refusing = checkout(business_duplicates=DuplicatePolicy.REFUSE)
    result = refusing.validate(order(line(BUSINESS, 5)), existing)
    assert codes(result) == ["business.subscription_exists"]
    assert result.problems[0].params["subscription_id"] == "sub-m"


def test_business_cancelled_subscriptions_do_not_count() -> None:
    gone = facts(subscriptions=(subscription("sub-m", BUSINESS, 10, status="deleted"),))
    refusing = checkout(business_duplicates=DuplicatePolicy.REFUSE)
    assert plan_actions(refusing.validate(order(line(BUSINESS, 5)), gone)) == [
        (LineAction.NEW_SUBSCRIPTION, None)
    ]


def test_business_two_lines_for_the_same_cycle() -> None:
    result = checkout().validate(order(line(BUSINESS, 5), line(BUSINESS, 3)), facts())
    assert codes(result) == ["business.duplicate_line"]
    assert result.problems[0].field == "lines.1.billing_cycle"
    monthly_and_annual = order(line(BUSINESS, 5), line(BUSINESS, 3, billing_cycle=ANNUAL))
    assert checkout().validate(monthly_and_annual, facts()).ok


def test_business_subscription_of_another_partner_cannot_be_merged() -> None:
    theirs = subscription("sub-m", BUSINESS, 10, partner_id_on_record="7654321")
    result = checkout().validate(order(line(BUSINESS, 5)), facts(subscriptions=(theirs,)))
    assert codes(result) == ["business.subscription_of_other_partner"]


def test_business_at_most_two_subscriptions() -> None:
    legacy = (
        subscription("a", BUSINESS, 1, billing_cycle=MONTHLY),
        subscription("b", BUSINESS, 1, billing_cycle=MONTHLY),
    )
    result = checkout().validate(
        order(line(BUSINESS, 1, billing_cycle=ANNUAL)), facts(subscriptions=legacy)
    )
    assert codes(result) == ["business.too_many_subscriptions"]


# -- seat caps ------------------------------------------------------------------------------------


def test_seat_cap_counts_every_subscription_of_the_plan() -> None:
    existing = facts(
        subscriptions=(
            subscription("sub-m", BUSINESS, 200),
            subscription("sub-a", BUSINESS, 90, billing_cycle=ANNUAL, partner_id_on_record="9"),
        )
    )
    result = checkout().validate(order(line(BUSINESS, 20)), existing)
    assert codes(result) == ["seats.customer_cap_exceeded"]
    assert result.problems[0].params == {
        "offer": BUSINESS.name,
        "cap": 300,
        "existing": 290,
        "ordered": 20,
        "remaining": 10,
    }
    assert checkout().validate(order(line(BUSINESS, 10)), existing).ok


def test_seat_cap_sums_the_lines_of_one_order() -> None:
    both = order(line(BUSINESS, 200), line(BUSINESS, 101, billing_cycle=ANNUAL))
    assert codes(checkout().validate(both, facts())) == ["seats.customer_cap_exceeded"]


def test_line_quantity_bounds() -> None:
    bounded = offer(min_quantity=5, max_quantity=10)
    assert codes(checkout().validate(order(line(bounded, 4)), facts())) == [
        "quantity.below_minimum"
    ]
    assert codes(checkout().validate(order(line(bounded, 11)), facts())) == [
        "quantity.above_maximum"
    ]
    assert checkout().validate(order(line(bounded, 10)), facts()).ok


def test_adding_seats_keeps_the_subscription_under_its_maximum() -> None:
    bounded = offer(max_quantity=10)
    existing = facts(subscriptions=(subscription("s1", bounded, 8),))
    result = checkout().validate(order(line(bounded, 3, subscription_id="s1")), existing)
    assert codes(result) == ["quantity.subscription_above_maximum"]


# -- Dynamics -------------------------------------------------------------------------------------


def test_dynamics_new_instance_policy_makes_a_new_subscription_per_order() -> None:
    existing = facts(subscriptions=(subscription("d1", DYNAMICS, 10, instance_name="prod"),))
    result = checkout().validate(order(line(DYNAMICS, 5, instance_name="staging")), existing)
    assert plan_actions(result) == [(LineAction.NEW_SUBSCRIPTION, None)]


def test_dynamics_new_instance_policy_refuses_an_existing_instance() -> None:
    existing = facts(subscriptions=(subscription("d1", DYNAMICS, 10, instance_name="prod"),))
    result = checkout().validate(order(line(DYNAMICS, 5, instance_name="Prod")), existing)
    assert codes(result) == ["dynamics.instance_exists"]
    assert result.problems[0].params["subscription_id"] == "d1"


def test_dynamics_two_lines_for_one_instance() -> None:
    twice = order(line(DYNAMICS, 5, instance_name="test"), line(DYNAMICS, 2, instance_name="TEST"))
    assert codes(checkout().validate(twice, facts())) == ["dynamics.duplicate_instance"]


def test_dynamics_add_licences_policy_per_offer() -> None:
    existing = facts(subscriptions=(subscription("d1", DYNAMICS, 10, instance_name="prod"),))
    adding = checkout(dynamics_policy_by_offer={DYNAMICS.id: DynamicsPolicy.ADD_LICENCES})
    assert plan_actions(adding.validate(order(line(DYNAMICS, 5)), existing)) == [
        (LineAction.ADD_QUANTITY, "d1")
    ]
    # the default policy (new instance) still applies to other hosts
    assert plan_actions(checkout().validate(order(line(DYNAMICS, 5)), existing)) == [
        (LineAction.NEW_SUBSCRIPTION, None)
    ]


def test_dynamics_add_licences_needs_to_know_which_instance() -> None:
    two = facts(
        subscriptions=(
            subscription("d1", DYNAMICS, 10, instance_name="prod"),
            subscription("d2", DYNAMICS, 10, instance_name="test"),
        )
    )
    adding = checkout(dynamics_policy=DynamicsPolicy.ADD_LICENCES)
    assert codes(adding.validate(order(line(DYNAMICS, 5)), two)) == ["dynamics.instance_ambiguous"]
    assert plan_actions(adding.validate(order(line(DYNAMICS, 5, instance_name="test")), two)) == [
        (LineAction.ADD_QUANTITY, "d2")
    ]


# -- add-ons --------------------------------------------------------------------------------------


def test_addon_needs_a_parent() -> None:
    result = checkout().validate(order(line(ADDON, 5)), facts())
    assert codes(result) == ["addon.parent_missing"]
    assert result.problems[0].field == "lines.0.parent_subscription_id"


def test_addon_parent_must_be_live() -> None:
    gone = facts(subscriptions=(subscription("e3", ENTERPRISE, 10, status="deleted"),))
    result = checkout().validate(order(line(ADDON, 5, parent_subscription_id="e3")), gone)
    assert codes(result) == ["addon.parent_not_found"]


def test_addon_parent_must_be_an_allowed_product() -> None:
    wrong = facts(subscriptions=(subscription("b", BUSINESS, 10),))
    result = checkout().validate(order(line(ADDON, 5, parent_subscription_id="b")), wrong)
    assert codes(result) == ["addon.parent_not_allowed"]


def test_addon_on_an_allowed_parent_is_planned_on_it() -> None:
    parent = facts(subscriptions=(subscription("e3", ENTERPRISE, 10),))
    result = checkout().validate(order(line(ADDON, 5, parent_subscription_id="e3")), parent)
    assert plan_actions(result) == [(LineAction.ADD_ON, "e3")]


def test_a_reseller_cannot_buy_an_addon_on_another_resellers_subscription() -> None:
    """Issue 10, defect 5: reseller A may not buy an add-on on reseller B's base subscription
    (nor on one the partner sold directly); on its own it may."""
    subs = facts(
        subscriptions=(
            subscription("theirs", ENTERPRISE, 10, partner_id_on_record="7654321"),
            subscription("direct", ENTERPRISE, 10),
            subscription("ours", ENTERPRISE, 10, partner_id_on_record=RESELLER.partner_id),
        ),
        resellers={RESELLER.partner_id: GOOD_RESELLER},
    )
    check = checkout()

    def as_reseller(parent: str) -> CheckoutResult:
        addon = line(ADDON, 5, parent_subscription_id=parent)
        return check.validate(order(addon, reseller=RESELLER), subs)

    refused = as_reseller("theirs")
    assert codes(refused) == ["addon.parent_other_reseller"]
    assert refused.plan is None  # nothing to provision: nothing is sent
    problem = refused.problems[0]
    assert problem.field == "lines.0.parent_subscription_id"
    assert problem.params == {
        "subscription_id": "theirs",
        "partner_on_record": "7654321",
        "reseller": RESELLER.partner_id,
    }
    assert codes(as_reseller("direct")) == ["addon.parent_other_reseller"]
    assert as_reseller("direct").problems[0].params["partner_on_record"] == "direct"
    assert plan_actions(as_reseller("ours")) == [(LineAction.ADD_ON, "ours")]


# -- adding seats to a named subscription ---------------------------------------------------------


def test_adding_seats_to_a_live_subscription() -> None:
    existing = facts(subscriptions=(subscription("e3", ENTERPRISE, 10),))
    result = checkout().validate(order(line(subscription_id="e3")), existing)
    assert plan_actions(result) == [(LineAction.ADD_QUANTITY, "e3")]


def test_adding_seats_to_an_unknown_or_dead_subscription() -> None:
    dead = facts(subscriptions=(subscription("e3", ENTERPRISE, 10, status="expired"),))
    assert codes(checkout().validate(order(line(subscription_id="nope")), dead)) == [
        "subscription.not_found"
    ]
    assert codes(checkout().validate(order(line(subscription_id="e3")), dead)) == [
        "subscription.not_live"
    ]


def test_adding_seats_needs_the_same_product_cycle_and_partner() -> None:
    subs = facts(
        subscriptions=(
            subscription("b", BUSINESS, 10),
            subscription("e3a", ENTERPRISE, 10, billing_cycle=ANNUAL),
            subscription("e3r", ENTERPRISE, 10, partner_id_on_record="7654321"),
        )
    )
    check = checkout()
    assert codes(check.validate(order(line(subscription_id="b")), subs)) == [
        "subscription.offer_mismatch"
    ]
    assert codes(check.validate(order(line(subscription_id="e3a")), subs)) == [
        "subscription.billing_cycle_mismatch"
    ]
    assert codes(check.validate(order(line(subscription_id="e3r")), subs)) == [
        "subscription.other_partner"
    ]


def test_reseller_orders_record_the_reseller_on_every_line() -> None:
    indirect = order(line(), line(BUSINESS, 3), reseller=RESELLER)
    result = checkout().validate(indirect, facts(resellers={"1234567": GOOD_RESELLER}))
    assert result.plan is not None, result.problems
    assert {plan.partner_id_on_record for plan in result.plan.lines} == {"1234567"}
    direct = checkout().validate(order(), facts())
    assert direct.plan is not None and direct.plan.lines[0].partner_id_on_record is None


def test_lines_adding_to_one_subscription_are_summed_against_its_maximum() -> None:
    bounded = offer(max_quantity=10)
    existing = facts(subscriptions=(subscription("s1", bounded, 6),))
    each_fits = order(
        line(bounded, 3, subscription_id="s1", id="a"),
        line(bounded, 3, subscription_id="s1", id="b"),
    )
    result = checkout().validate(each_fits, existing)
    assert codes(result) == ["quantity.subscription_above_maximum"]
    assert result.problems[0].params["quantity"] == 6


def test_seats_are_never_added_to_a_suspended_subscription() -> None:
    suspended = subscription("sub-m", BUSINESS, 10, status="suspended")
    merged = checkout().validate(order(line(BUSINESS, 5)), facts(subscriptions=(suspended,)))
    named = checkout().validate(
        order(line(ENTERPRISE, 5, subscription_id="e1")),
        facts(subscriptions=(subscription("e1", ENTERPRISE, 3, status="suspended"),)),
    )
    assert codes(merged) == ["subscription.suspended"]
    assert codes(named) == ["subscription.suspended"]


def test_business_seats_merged_keep_the_subscriptions_term() -> None:
    from csp_commerce import TermDuration

    yearly = subscription("sub-m", BUSINESS, 10, term_duration=TermDuration.P1Y)
    existing = facts(subscriptions=(yearly,))
    other_term = checkout().validate(
        order(line(BUSINESS, 5, term_duration=TermDuration.P1M)), existing
    )
    same_term = checkout().validate(
        order(line(BUSINESS, 5, term_duration=TermDuration.P1Y)), existing
    )
    no_term = checkout().validate(order(line(BUSINESS, 5)), existing)
    assert codes(other_term) == ["business.term_differs"]
    assert plan_actions(same_term) == [(LineAction.ADD_QUANTITY, "sub-m")]
    assert plan_actions(no_term) == [(LineAction.ADD_QUANTITY, "sub-m")]
