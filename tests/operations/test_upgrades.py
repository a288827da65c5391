"""Upgrades (new-commerce transitions) through the subscription manager: judged before any
request, made once, and the new subscription keeps its parent's refund window."""

from __future__ import annotations

from datetime import datetime

import pytest
from operations_world import DAY, World, make_world

from csp_commerce.operations import SubscriptionManager
from csp_commerce.store import Ledger
from csp_commerce.store.ledger import StepStatus

BASIC = "Microsoft 365 Business Basic"
STANDARD = "Microsoft 365 Business Standard"
PREMIUM = "Microsoft 365 Business Premium"
E3 = "Office 365 E3"


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def manager(world: World) -> SubscriptionManager:
    return SubscriptionManager(world.client, Ledger(":memory:"), actor="ops", clock=world.clock)


def _item(world: World, title: str) -> str:
    return world.sandbox.catalog.find(title).catalog_item_id


def test_the_options_list_the_products_ladder_with_both_transition_types(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    options = manager.upgrade_options(customer, sub)
    assert [o.catalog_item_id for o in options] == [_item(world, STANDARD), _item(world, PREMIUM)]
    assert all(o.quantity == 5 for o in options)
    assert options[0].eligible_types == ["transition_only", "transition_with_license_transfer"]
    # A scheduled transition needs the subscription to renew.
    manager.set_auto_renew(customer, sub, False)
    (scheduled, _) = manager.upgrade_options(customer, sub, scheduled=True)
    assert scheduled.eligible_types == [] and "AutoRenewDisabled" in scheduled.reasons[0]


def test_a_full_upgrade_ends_the_source_and_creates_the_target(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    done = manager.upgrade(customer, sub, _item(world, STANDARD), operation_id="up-1")
    assert done.ok, done.problems
    assert done.transition is not None and done.transition.quantity == 5
    new = manager.get(customer, str(done.new_subscription_id))
    assert (new.offer_id, new.quantity) == (_item(world, STANDARD), 5)
    assert manager.get(customer, sub).status == "expired"
    (entry,) = manager.history(customer, sub)
    assert (entry.operation, entry.status, entry.request_id, entry.actor) == (
        "upgrade", "done", done.request_id, "ops",
    )  # fmt: skip
    assert entry.summary == f"upgrade all seats to {_item(world, STANDARD)}"
    before = len(world.transport.requests)
    again = manager.upgrade(customer, sub, _item(world, STANDARD), operation_id="up-1")
    assert again.replayed and again.new_subscription_id == done.new_subscription_id
    assert len(world.transport.requests) == before  # from the ledger: nothing sent


def test_a_partial_upgrade_inherits_the_parents_refund_window(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    parent_until = manager.get(customer, sub).cancellation_allowed_until_date
    assert parent_until is not None
    world.clock.advance(5 * DAY)
    done = manager.upgrade(customer, sub, _item(world, PREMIUM), 2)
    assert done.ok, done.problems
    assert manager.get(customer, sub).quantity == 3
    child = manager.get(customer, str(done.new_subscription_id))
    assert child.quantity == 2
    # The child's window is its parent's (purchase + 7 days), not its own creation + 7 days.
    until = datetime.fromisoformat(parent_until.replace("Z", "+00:00"))
    assert done.refund_until == until.isoformat()
    assert child.cancellation_allowed_until_date == parent_until
    world.clock.advance(3 * DAY)  # past the parent's window, inside the child's own 7 days
    cancelled = manager.cancel(customer, str(done.new_subscription_id))
    assert [p.code for p in cancelled.problems] == ["subscription.cancellation_window_closed"]


@pytest.mark.parametrize(
    ("target", "quantity", "code"),
    [
        (E3, None, "upgrade.target_not_eligible"),
        (STANDARD, 6, "upgrade.quantity_over_seats"),
        (STANDARD, 0, "subscription.quantity.invalid"),
    ],
)
def test_bad_input_is_a_problem_before_any_change(
    world: World, manager: SubscriptionManager, target: str, quantity: int | None, code: str
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    result = manager.upgrade(customer, sub, _item(world, target), quantity)
    assert [p.code for p in result.problems] == [code]
    assert [r for r in world.transport.requests if r.path.endswith("/transitions")
            and r.method == "POST"] == []  # fmt: skip
    assert manager.ledger.steps() == []


def test_an_unknown_transition_type_and_an_inactive_subscription_are_problems(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    odd = manager.upgrade(customer, sub, _item(world, STANDARD), transition_type="swap")
    assert [p.code for p in odd.problems] == ["upgrade.transition_type_invalid"]
    manager.suspend(customer, sub)
    held = manager.upgrade(customer, sub, _item(world, STANDARD))
    assert [p.code for p in held.problems] == ["upgrade.subscription_inactive"]


def test_an_operation_id_is_not_reused_for_another_upgrade(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    assert manager.upgrade(customer, sub, _item(world, STANDARD), 1, operation_id="op").ok
    other = manager.upgrade(customer, sub, _item(world, PREMIUM), 1, operation_id="op")
    assert [p.code for p in other.problems] == ["operation.id_reused"]


def test_partner_centers_refusal_is_recorded_and_a_problem(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, BASIC, 5)
    # The target is eligible, but not for a one-month term: Partner Center refuses (400).
    refused = manager.upgrade(
        customer, sub, _item(world, STANDARD), 1, term_duration="P3Y", operation_id="up-9"
    )
    assert [p.code for p in refused.problems] == ["upgrade.refused"]
    (step,) = manager.ledger.steps("up-9")
    assert step.status is StepStatus.FAILED
    again = manager.upgrade(
        customer, sub, _item(world, STANDARD), 1, term_duration="P3Y", operation_id="up-9"
    )
    assert again.replayed and [p.code for p in again.problems] == ["upgrade.refused"]
