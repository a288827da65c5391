"""SubscriptionManager against the in-process sandbox: changes, idempotency, windows, history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from operations_world import DAY, World, catalog_price_list, make_world

from csp_commerce.errors import APITimeoutError
from csp_commerce.models.clouds import Cloud
from csp_commerce.operations import SubscriptionManager
from csp_commerce.operations.subscription_manager import cancellation_deadline
from csp_commerce.provisioning.wire import Subscription
from csp_commerce.store.ledger import Ledger, StepStatus

STANDARD = "Microsoft 365 Business Standard"


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(":memory:")


@pytest.fixture
def manager(world: World, ledger: Ledger) -> SubscriptionManager:
    return SubscriptionManager(world.client, ledger, actor="ops@partner", clock=world.clock)


def test_set_quantity_changes_seats_and_previews_the_monthly_price(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    prices = catalog_price_list(world.sandbox)
    change = manager.set_quantity(customer, sub, 8, price_list=prices)
    assert change.ok
    assert change.subscription is not None
    assert change.subscription.quantity == 8
    assert manager.get(customer, sub).quantity == 8
    preview = change.preview
    assert preview is not None
    assert (preview.current_quantity, preview.new_quantity) == (5, 8)
    assert preview.monthly_price_change == preview.unit_price * 3
    assert preview.problems == ()


def test_the_same_operation_id_never_acts_twice(world: World, manager: SubscriptionManager) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    first = manager.set_quantity(customer, sub, 7, operation_id="op-1")
    patches = len(world.transport.writes())
    again = manager.set_quantity(customer, sub, 7, operation_id="op-1")
    assert again.replayed
    assert again.request_id == first.request_id
    assert len(world.transport.writes()) == patches  # nothing sent the second time


def test_an_operation_id_cannot_be_reused_for_another_change(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    manager.set_quantity(customer, sub, 7, operation_id="op-1")
    other = manager.set_quantity(customer, sub, 9, operation_id="op-1")
    assert [p.code for p in other.problems] == ["operation.id_reused"]
    assert manager.get(customer, sub).quantity == 7


def test_a_lost_answer_is_resolved_by_the_same_request_replayed(
    world: World, manager: SubscriptionManager, ledger: Ledger
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    world.transport.lose_next = ("PATCH", True)  # applied, answer lost
    with pytest.raises(APITimeoutError):
        manager.set_quantity(customer, sub, 6, operation_id="op-lost")
    step = ledger.get_step("op-lost", "change")
    assert step is not None
    assert step.status is StepStatus.SENT
    resumed = manager.set_quantity(customer, sub, 6, operation_id="op-lost")
    assert resumed.replayed
    assert resumed.ok
    first, again = world.transport.writes()
    assert first.request_id == again.request_id == step.request_id  # Partner Center replays
    assert manager.get(customer, sub).quantity == 6
    done = ledger.get_step("op-lost", "change")
    assert done is not None
    assert done.status is StepStatus.DONE


def test_an_unsent_change_is_resent_with_its_durable_request_id(
    world: World, manager: SubscriptionManager, ledger: Ledger
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    world.transport.lose_next = ("PATCH", False)  # never reached Partner Center
    with pytest.raises(APITimeoutError):
        manager.set_quantity(customer, sub, 6, operation_id="op-2")
    step = ledger.get_step("op-2", "change")
    assert step is not None
    resumed = manager.set_quantity(customer, sub, 6, operation_id="op-2")
    assert resumed.ok
    patches = world.transport.writes()
    assert [p.request_id for p in patches[-2:]] == [step.request_id, step.request_id]
    assert manager.get(customer, sub).quantity == 6


def test_cancel_inside_the_subscription_window(world: World, manager: SubscriptionManager) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    change = manager.cancel(customer, sub)
    assert change.ok
    assert manager.get(customer, sub).status == "deleted"


def test_cancel_after_the_window_is_a_problem_before_any_request(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    deadline = cancellation_deadline(manager.get(customer, sub))
    assert deadline is not None
    manager.clock = lambda: deadline.timestamp() + 1  # one second too late
    change = manager.cancel(customer, sub)
    assert [p.code for p in change.problems] == ["subscription.cancellation_window_closed"]
    assert world.transport.writes() == []
    assert manager.get(customer, sub).status == "active"


def test_the_window_comes_from_the_subscriptions_own_fields() -> None:
    explicit = Subscription.model_validate(
        {"id": "s", "cancellationAllowedUntilDate": "2030-01-02T03:04:05Z"}
    )
    deadline = cancellation_deadline(explicit)
    assert deadline is not None
    assert deadline.isoformat() == "2030-01-02T03:04:05+00:00"
    refundable = Subscription.model_validate(
        {
            "id": "s",
            "refundableQuantity": {
                "totalQuantity": 3,
                "details": [
                    {"quantity": 1, "allowedUntilDateTime": "2030-01-01T00:00:00Z"},
                    {"quantity": 2, "allowedUntilDateTime": "2030-02-01T00:00:00Z"},
                ],
            },
        }
    )
    later = cancellation_deadline(refundable)
    assert later is not None
    assert later.month == 2
    assert cancellation_deadline(Subscription(id="legacy")) is None


def test_fewer_seats_only_inside_the_window(world: World, manager: SubscriptionManager) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    world.clock.advance(8 * DAY)
    change = manager.set_quantity(customer, sub, 3)
    assert [p.code for p in change.problems] == ["subscription.quantity.reduction_window_closed"]
    assert world.transport.writes() == []


def test_suspend_then_reactivate_and_no_quantity_change_while_suspended(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    assert manager.suspend(customer, sub).ok
    assert manager.get(customer, sub).status == "suspended"
    refused = manager.set_quantity(customer, sub, 9)
    assert [p.code for p in refused.problems] == ["subscription.suspended"]
    again = manager.suspend(customer, sub)
    assert again.unchanged
    assert manager.reactivate(customer, sub).ok
    assert manager.get(customer, sub).status == "active"


def test_auto_renew_off_and_on(world: World, manager: SubscriptionManager) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    assert manager.set_auto_renew(customer, sub, False).ok
    assert manager.get(customer, sub).auto_renew_enabled is False
    assert manager.set_auto_renew(customer, sub, True).ok
    assert manager.get(customer, sub).auto_renew_enabled is True


def test_a_cancelled_subscription_cannot_change(world: World, manager: SubscriptionManager) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    manager.cancel(customer, sub)
    change = manager.set_quantity(customer, sub, 9)
    assert [p.code for p in change.problems] == ["subscription.deleted"]


def test_partner_center_refusals_become_problems(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD)
    change = manager.set_quantity(customer, sub, 301)  # Business plans: 300 seats at most
    assert [p.code for p in change.problems] == ["subscription.quantity.out_of_range"]
    again = manager.set_quantity(customer, sub, 301, operation_id=change.operation_id)
    assert again.replayed
    assert [p.code for p in again.problems] == ["subscription.quantity.out_of_range"]


def test_unknown_subscription_is_a_problem(world: World, manager: SubscriptionManager) -> None:
    customer = world.customer()
    change = manager.suspend(customer, "no-such-subscription")
    assert [p.code for p in change.problems] == ["subscription.not_found"]


def test_add_on_bought_through_a_cart_on_the_parent(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    parent = world.buy(customer, STANDARD)
    phone = world.sandbox.catalog.find("Microsoft Teams Phone Standard").catalog_item_id
    bought = manager.buy_addon(customer, parent, phone, 2, operation_id="addon-1")
    assert bought.ok
    addons = manager.addons(customer, parent)
    assert [a.id for a in addons] == [bought.subscription_id]
    posts = len(world.transport.writes("POST"))
    again = manager.buy_addon(customer, parent, phone, 2, operation_id="addon-1")
    assert again.replayed
    assert again.subscription_id == bought.subscription_id
    assert len(world.transport.writes("POST")) == posts
    assert len(manager.addons(customer, parent)) == 1


def test_add_on_on_a_suspended_parent_is_refused(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    parent = world.buy(customer, STANDARD)
    manager.suspend(customer, parent)
    phone = world.sandbox.catalog.find("Microsoft Teams Phone Standard").catalog_item_id
    refused = manager.buy_addon(customer, parent, phone, 1)
    assert [p.code for p in refused.problems] == ["subscription.addon.parent_inactive"]


def test_history_lists_who_when_what_and_request_id(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    first = manager.set_quantity(customer, sub, 6)
    manager.suspend(customer, sub)
    manager.reactivate(customer, sub)
    entries = manager.history(customer, sub)
    assert [e.summary for e in entries] == ["quantity 5 -> 6", "suspended", "reactivated"]
    assert entries[0].request_id == first.request_id
    assert {e.actor for e in entries} == {"ops@partner"}
    assert all(e.requested_at and e.finished_at for e in entries)
    assert {e.status for e in entries} == {"done"}


def test_china_monthly_preview_says_annual_only() -> None:
    world = make_world(Cloud.CHINA)
    customer = world.customer()
    sub = world.buy(customer, STANDARD, quantity=5)
    manager = SubscriptionManager(world.client, Ledger(":memory:"), actor="a", clock=world.clock)
    prices = catalog_price_list(world.sandbox)
    change = manager.set_quantity(customer, sub, 6, price_list=prices)
    assert [p.code for p in change.notices] == ["pricing.annual_billing_only"]
    assert change.preview is not None
    assert [p.code for p in change.preview.problems] == ["pricing.annual_billing_only"]
    assert change.preview.unit_price > Decimal(0)


def test_an_add_on_partner_center_refuses_is_a_problem_not_an_error(
    world: World, manager: SubscriptionManager
) -> None:
    customer = world.customer()
    parent = world.buy(customer, STANDARD)
    refused = manager.buy_addon(customer, parent, "NOPE:0001:NOPE", 1)
    assert [p.code for p in refused.problems] == ["subscription.addon.refused"]
    assert "10001" in refused.problems[0].message
