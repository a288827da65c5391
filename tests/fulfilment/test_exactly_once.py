"""Issue 10: exactly once for every change. Each test reproduces one way a change used to be
lost, doubled or left unknown (defects D1-D4, and the mutants M1-M2 of the analysis), against
the one step engine: in process, seeded, with a ledger that dies like a killed process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
from exactly_once_world import (
    Host,
    KillableLedger,
    Killed,
    LedgerClock,
    Wire,
    applied,
    bought,
    carrier,
    client_on,
    existing_customer,
    for_existing,
    line,
    open_ledger,
    seats,
    subscriptions_of,
)
from fulfilment_world import acceptance, new_customer_order, offer, plan_for

from csp_commerce import Checkout, HookManager, OrderLine
from csp_commerce.errors import APITimeoutError, OutcomeUnknown, ProvisioningInterrupted
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import BillingCycle, OutcomeStatus
from csp_commerce.operations import SubscriptionManager
from csp_commerce.operations.subscription_manager import AddonPurchase
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox
from csp_commerce.store.ledger import OrderStatus, StepStatus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from csp_commerce import Order
    from csp_commerce.models import CheckoutPlan

E3 = "Office 365 E3"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(seed=3)


@pytest.fixture
def wire(sandbox: Sandbox) -> Wire:
    return Wire(sandbox)


@pytest.fixture
def host() -> Host:
    return Host()


@pytest.fixture
def hooks(host: Host) -> HookManager:
    return HookManager(entry_points=False, plugins=[host])


@pytest.fixture
def clock() -> LedgerClock:
    return LedgerClock()


@pytest.fixture
def path(store_url: Callable[[str], str]) -> str:
    """Where the ledger lives: a SQLite file, or a PostgreSQL schema (every test runs on both)."""
    return store_url("ledger")


def quantity(sandbox: Sandbox, tenant: str, subscription_id: str) -> int:
    return int(subscriptions_of(sandbox, tenant)[subscription_id]["quantity"])


# -- D1: seats another order added are never overwritten ----------------------------------------


def test_d1_an_order_whose_seat_change_was_lost_keeps_the_next_order_off_until_resumed(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order_b, order_c = carrier(sandbox, 21), carrier(sandbox, 22)
    plan_b = for_existing(order_b.id, tenant, seats(sandbox, "more", sub, 5))
    plan_c = for_existing(order_c.id, tenant, seats(sandbox, "more", sub, 2))
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks, lock_wait=0)

    wire.next = ("PATCH", "", "lose")  # B's PATCH never reaches Partner Center
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order_b, plan_b)
    step_b = placing.ledger.get_step(order_b.id, "seats:more")
    assert step_b is not None and step_b.status is StepStatus.SENT
    assert quantity(sandbox, tenant, sub) == 10

    patches = len(wire.to("PATCH", sub))
    with pytest.raises(ProvisioningInterrupted, match="being changed by order-21"):
        placing.place(order_c, plan_c)  # B holds the subscription until its outcome is known
    assert len(wire.to("PATCH", sub)) == patches  # C sent nothing
    assert placing.ledger.get_step(order_c.id, "seats:more") is None

    outcomes = placing.resume()  # B first (the same PATCH, same id), then C from B's count

    assert [outcome.order_id for outcome in outcomes] == [order_b.id, order_c.id]
    assert {outcome.status for outcome in outcomes} == {OutcomeStatus.PLACED}
    assert quantity(sandbox, tenant, sub) == 17
    b_patches = [p.request_id for p in wire.to("PATCH", sub)][:2]
    assert b_patches == [step_b.request_id, step_b.request_id]
    assert host.provisioned == {order_b.id: 1, order_c.id: 1}


@pytest.mark.parametrize(
    "dies",
    [
        pytest.param({"kill_after_record": "seats:more"}, id="before-the-patch"),
        pytest.param({"kill_at_write": "finish_step(seats:more)"}, id="after-the-patch"),
    ],
)
def test_d1_an_order_killed_mid_seat_change_keeps_its_lock_past_lease_and_lock_time(
    sandbox: Sandbox,
    wire: Wire,
    host: Host,
    hooks: HookManager,
    clock: LedgerClock,
    path: Path,
    dies: dict[str, str],
) -> None:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order_b, order_c = carrier(sandbox, 23), carrier(sandbox, 24)
    plan_b = for_existing(order_b.id, tenant, seats(sandbox, "more", sub, 5))
    plan_c = for_existing(order_c.id, tenant, seats(sandbox, "more", sub, 2))
    killed = KillableLedger(path, clock=clock, **dies)
    with pytest.raises(Killed):
        Provisioner(client_on(wire), killed, hooks).place(order_b, plan_b)
    killed.close()

    clock.advance()  # B's lease and its lock's time have run out; its step is still sent
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks, lock_wait=0)
    with pytest.raises(ProvisioningInterrupted, match="being changed by order-23"):
        placing.place(order_c, plan_c)
    assert placing.ledger.get_step(order_c.id, "seats:more") is None

    outcomes = placing.resume()

    assert [outcome.order_id for outcome in outcomes] == [order_b.id, order_c.id]
    assert quantity(sandbox, tenant, sub) == 17
    assert host.provisioned == {order_b.id: 1, order_c.id: 1}


def test_d1_a_post_sale_change_waits_for_an_order_whose_seat_change_is_unknown(
    sandbox: Sandbox, wire: Wire, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order_b = carrier(sandbox, 25)
    ledger = open_ledger(path, clock)
    placing = Provisioner(client_on(wire), ledger, hooks, lock_wait=0)
    wire.next = ("PATCH", "", "lose")
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order_b, for_existing(order_b.id, tenant, seats(sandbox, "more", sub, 5)))

    manager = SubscriptionManager(client_on(wire), ledger, actor="ops", lock_wait=0)
    with pytest.raises(OutcomeUnknown, match="being changed by order-25"):
        manager.set_auto_renew(tenant, sub, False, operation_id="op-renew")
    assert ledger.get_step("op-renew", "change") is None  # nothing recorded, nothing sent

    placing.resume()
    assert manager.set_auto_renew(tenant, sub, False, operation_id="op-renew").ok
    after = subscriptions_of(sandbox, tenant)[sub]
    assert (after["quantity"], after["autoRenewEnabled"]) == (15, False)


# -- D2: an undo runs once, whatever stops it ---------------------------------------------------


def test_d2_seats_taken_back_by_an_undo_killed_before_its_outcome_was_written_once(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order = carrier(sandbox, 26)
    plan = for_existing(
        order.id,
        tenant,
        seats(sandbox, "more", sub, 5),
        seats(sandbox, "missing", "no-such-subscription", 2),  # fails for good: undo "more"
    )
    killed = KillableLedger(path, clock=clock, kill_at_write="finish_step(undo:seats:more)")
    with pytest.raises(Killed):
        Provisioner(client_on(wire), killed, hooks).place(order, plan)
    killed.close()
    assert quantity(sandbox, tenant, sub) == 10  # the undo's PATCH was made, not recorded
    assert not host.failed

    clock.advance()
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks)
    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.failure is not None and outcome.failure.line_id == "missing"
    assert outcome.compensation_failures == ()
    assert [(line.line_id, line.quantity) for line in outcome.lines] == [("more", 10)]
    assert quantity(sandbox, tenant, sub) == 10  # not 5: taken back once
    undo = placing.ledger.get_step(order.id, "undo:seats:more")
    assert undo is not None and undo.status is StepStatus.DONE
    undo_patches = [p.request_id for p in wire.to("PATCH", sub)][1:]
    assert undo_patches == [undo.request_id, undo.request_id]  # resent, and replayed
    assert applied(sandbox)["update_subscription"] == 2  # +5, then -5: nothing more
    assert host.failed == {order.id: 1}


# -- D3: a temporary error while undoing is not a failure ---------------------------------------


def two_line_failing(sandbox: Sandbox, n: int) -> tuple[Order, CheckoutPlan, str]:
    """An existing customer's order of E3 (bought, monthly) and A3 for faculty (annual, so
    another order group of the cart: refused, no education qualification)."""
    tenant = existing_customer(sandbox, f"school{n}")
    order = carrier(sandbox, n)
    edu = line(sandbox, "edu", "Office 365 A3 for faculty", 2)
    edu = edu.model_copy(update={"billing_cycle": BillingCycle.ANNUAL})
    return order, for_existing(order.id, tenant, line(sandbox, "e3", E3, 2), edu), tenant


@pytest.mark.parametrize("fault", [Fault.THROTTLE, Fault.TIMEOUT, Fault.CONNECTION_RESET])
def test_d3_a_throttle_or_timeout_while_undoing_leaves_the_order_compensating(
    sandbox: Sandbox,
    wire: Wire,
    host: Host,
    hooks: HookManager,
    clock: LedgerClock,
    path: Path,
    fault: Fault,
) -> None:
    order, plan, tenant = two_line_failing(sandbox, 27)
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks)
    wire.next = ("PATCH", "", fault)  # the cancellation is the order's first PATCH
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan)
    record = placing.ledger.order(order.id)
    assert record is not None and record.status is OrderStatus.COMPENSATING
    assert not host.failed  # nothing is final yet
    assert [s["status"] for s in subscriptions_of(sandbox, tenant).values()] == ["active"]

    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.compensation_failures == ()
    assert [s["status"] for s in subscriptions_of(sandbox, tenant).values()] == ["deleted"]
    undo = placing.ledger.get_step(order.id, "undo:e3")
    assert undo is not None
    assert {p.request_id for p in wire.to("PATCH", "")} == {undo.request_id}
    assert host.failed == {order.id: 1}


def test_d3_an_undo_waiting_for_another_operations_lock_is_resumed_not_failed(
    sandbox: Sandbox,
    wire: Wire,
    host: Host,
    hooks: HookManager,
    clock: LedgerClock,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from csp_commerce.fulfilment.order_saga import _Saga

    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order = carrier(sandbox, 28)
    plan = for_existing(
        order.id,
        tenant,
        seats(sandbox, "more", sub, 5),
        seats(sandbox, "missing", "no-such-subscription", 2),
    )
    ledger = open_ledger(path, clock)
    manager = SubscriptionManager(client_on(wire), ledger, actor="ops", lock_wait=0)
    real = _Saga._add_seats

    def add_seats(self: _Saga, tenant_id: str, line: Any) -> Any:
        if line.line_id == "missing":  # meanwhile an operator sets 20 seats; the answer is lost
            wire.next = ("PATCH", sub, "drop")
            with pytest.raises(APITimeoutError):
                manager.set_quantity(tenant, sub, 20, operation_id="op-20")
        return real(self, tenant_id, line)

    monkeypatch.setattr(_Saga, "_add_seats", add_seats)
    placing = Provisioner(client_on(wire), ledger, hooks, lock_wait=0)
    with pytest.raises(ProvisioningInterrupted, match="being changed by op-20"):
        placing.place(order, plan)
    monkeypatch.undo()
    record = ledger.order(order.id)
    assert record is not None and record.status is OrderStatus.COMPENSATING
    assert not host.failed

    assert placing.resume() == []  # still held: the operator's change is unknown
    (change,) = manager.resume()
    assert change.ok
    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.compensation_failures == ()
    assert quantity(sandbox, tenant, sub) == 15  # the operator's 20, less this order's 5
    assert host.failed == {order.id: 1}


# -- D4: a new tenant's credentials reach the host ----------------------------------------------


def new_tenant_order(sandbox: Sandbox, hooks: HookManager, n: int) -> tuple[Order, CheckoutPlan]:
    order = new_customer_order(n, OrderLine(offer=offer(sandbox, E3), quantity=1))
    return order, plan_for(Checkout(hooks=hooks), order)


def test_d4_a_lost_creation_answer_is_replayed_and_the_password_handed_over_once(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    order, plan = new_tenant_order(sandbox, hooks, 31)
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks)
    sandbox.set_faults(FaultPlan(seed=1, commit_then_drop_rate=1.0))
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan, mca=acceptance(order))
    tenant_step = placing.ledger.get_step(order.id, "tenant")
    assert tenant_step is not None and tenant_step.status is StepStatus.SENT
    assert len(sandbox.world.customers) == 1  # created; the answer was lost
    assert host.tenants == []

    sandbox.set_faults(FaultPlan(seed=1))
    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.PLACED
    (told,) = host.tenants
    assert told.tenant_id == outcome.customer_tenant_id
    assert told.admin_user_name == "admin@contoso31.onmicrosoft.com"
    assert told.admin_password is not None and told.admin_password.get_secret_value()
    assert not told.credentials_lost
    creations = wire.to("POST", "/v1/customers")
    assert [c.request_id for c in creations] == [tenant_step.request_id] * 2
    assert len(sandbox.world.customers) == 1
    assert host.provisioned == {order.id: 1}


def test_d4_when_partner_center_no_longer_replays_the_host_is_told_the_credentials_are_lost(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    # Also kills mutant M1 (no read-back of the tenant): the resend is refused, domain taken.
    order, plan = new_tenant_order(sandbox, hooks, 32)
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks)
    sandbox.set_faults(FaultPlan(seed=1, commit_then_drop_rate=1.0))
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan, mca=acceptance(order))
    sandbox.set_faults(FaultPlan(seed=1))
    sandbox.world.requests.clear()  # Partner Center forgot the request id

    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.PLACED
    (tenant_id,) = sandbox.world.customers  # one tenant
    (told,) = host.tenants
    assert (told.tenant_id, told.credentials_lost, told.admin_password) == (tenant_id, True, None)
    assert outcome.customer_tenant_id == tenant_id
    assert len(subscriptions_of(sandbox, tenant_id)) == 1
    assert host.provisioned == {order.id: 1}


def test_d4_a_process_killed_before_the_creation_was_sent_creates_one_tenant_told_once(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    order, plan = new_tenant_order(sandbox, hooks, 33)
    killed = KillableLedger(path, clock=clock, kill_after_record="tenant")
    with pytest.raises(Killed):
        Provisioner(client_on(wire), killed, hooks).place(order, plan, mca=acceptance(order))
    killed.close()
    assert sandbox.world.customers == {}

    clock.advance()
    (outcome,) = Provisioner(client_on(wire), open_ledger(path, clock), hooks).resume()

    assert outcome.status is OutcomeStatus.PLACED
    (told,) = host.tenants
    assert told.admin_password is not None and not told.credentials_lost
    assert len(sandbox.world.customers) == 1


# -- M2: a purchase is resent with its recorded request id --------------------------------------


def test_m2_a_lost_checkout_is_resent_with_its_recorded_request_id_and_replayed(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    order = new_customer_order(34, OrderLine(offer=offer(sandbox, E3), quantity=3))
    plan = plan_for(Checkout(hooks=hooks), order)
    # The purchase's replay alone: no end-of-term step reading the hidden subscription after it.
    lines = tuple(line.model_copy(update={"end_of_term": None}) for line in plan.lines)
    plan = plan.model_copy(update={"lines": lines})
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks)
    wire.next = ("POST", "/checkout", "drop")  # applied, answer lost
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan, mca=acceptance(order))
    (customer_state,) = sandbox.world.customers.values()
    hidden = dict(customer_state.subscriptions)
    customer_state.subscriptions.clear()  # bought, but not listed yet: no read-back can help

    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.PLACED  # the replay named the subscription
    customer_state.subscriptions.update(hidden)
    (subscription_id,) = hidden
    assert outcome.lines[0].subscription_id == subscription_id
    first, again = wire.to("POST", "/checkout")
    step = placing.ledger.get_step(order.id, "purchase")
    assert step is not None
    assert first.request_id == again.request_id == step.request_id
    assert applied(sandbox)["create_order"] == 1
    assert host.provisioned == {order.id: 1}


# -- post-sale changes: killed between record and send, or after send before the outcome ---------

KILLS = [
    pytest.param({"kill_after_record": "change"}, 0, id="before-the-request"),
    pytest.param({"kill_at_write": "finish_step(change)"}, 1, id="after-the-request"),
]


@pytest.mark.parametrize("how", ["resume", "same-operation-id"])
@pytest.mark.parametrize(("dies", "made_before"), KILLS)
def test_a_killed_post_sale_change_is_made_exactly_once(
    sandbox: Sandbox,
    wire: Wire,
    clock: LedgerClock,
    path: Path,
    dies: dict[str, str],
    made_before: int,
    how: str,
) -> None:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    changes_before = applied(sandbox)["update_subscription"]
    killed = KillableLedger(path, clock=clock, **dies)
    with pytest.raises(Killed):
        SubscriptionManager(client_on(wire), killed, actor="ops").set_quantity(
            tenant, sub, 12, operation_id="op-12"
        )
    killed.close()
    assert quantity(sandbox, tenant, sub) == (12 if made_before else 10)

    clock.advance()
    manager = SubscriptionManager(client_on(wire), open_ledger(path, clock), actor="ops")
    if how == "resume":
        (change,) = manager.resume()
    else:
        change = manager.set_quantity(tenant, sub, 12, operation_id="op-12")

    assert change.ok and change.operation_id == "op-12"
    assert quantity(sandbox, tenant, sub) == 12
    step = manager.ledger.get_step("op-12", "change")
    assert step is not None and step.status is StepStatus.DONE
    assert {p.request_id for p in wire.to("PATCH", sub)} == {step.request_id}
    assert applied(sandbox)["update_subscription"] - changes_before == 1
    (entry,) = manager.history(tenant, sub)
    assert entry.summary == "quantity 10 -> 12"
    assert manager.resume() == []


@pytest.mark.parametrize("how", ["resume", "same-operation-id"])
@pytest.mark.parametrize(
    ("dies", "made_before"),
    [
        *KILLS,
        pytest.param({"kill_at_write": "note_step(change)"}, 0, id="after-the-cart"),
    ],
)
def test_a_killed_add_on_purchase_is_made_exactly_once(
    sandbox: Sandbox,
    wire: Wire,
    clock: LedgerClock,
    path: Path,
    dies: dict[str, str],
    made_before: int,
    how: str,
) -> None:
    tenant = existing_customer(sandbox)
    parent = bought(sandbox, tenant, "Microsoft 365 Business Standard", 5)
    phone = sandbox.catalog.find("Microsoft Teams Phone Standard").catalog_item_id
    killed = KillableLedger(path, clock=clock, **dies)
    with pytest.raises(Killed):
        SubscriptionManager(client_on(wire), killed, actor="ops").buy_addon(
            tenant, parent, phone, 2, billing_cycle="annual", operation_id="op-phone"
        )
    killed.close()
    assert applied(sandbox)["create_order"] == 1 + made_before

    clock.advance()
    manager = SubscriptionManager(client_on(wire), open_ledger(path, clock), actor="ops")
    if how == "resume":
        (again,) = manager.resume()
    else:
        again = manager.buy_addon(tenant, parent, phone, 2, operation_id="op-phone")

    assert again.ok and again.operation_id == "op-phone"
    (addon,) = manager.addons(tenant, parent)
    assert isinstance(again, AddonPurchase) and again.subscription_id == addon.id
    assert (addon.quantity, addon.billing_cycle) == (2, "annual")  # as first asked
    assert applied(sandbox)["create_order"] == 2  # the parent's, and the add-on's once
    step = manager.ledger.get_step("op-phone", "change")
    assert step is not None and step.status is StepStatus.DONE
    assert {c.request_id for c in wire.to("POST", "/checkout")} == {step.request_id}
    assert manager.resume() == []


# -- the end-of-term step after a purchase -----------------------------------------------------


def test_a_new_subscription_not_readable_yet_gets_its_end_of_term_action_on_resume(
    sandbox: Sandbox, wire: Wire, host: Host, hooks: HookManager, clock: LedgerClock, path: Path
) -> None:
    """Partner Center provisions asynchronously: a subscription bought but not readable yet
    interrupts the order (nothing is undone) and the resume sets its end-of-term action."""
    from csp_commerce.models.end_of_term import EndOfTermAction, read_end_of_term

    order = new_customer_order(35, OrderLine(offer=offer(sandbox, E3), quantity=2))
    plan = plan_for(Checkout(hooks=hooks), order)
    placing = Provisioner(client_on(wire), open_ledger(path, clock), hooks)
    original = wire.handle_request
    hidden = {"left": 1}

    def not_yet_readable(request: httpx.Request) -> httpx.Response:
        is_read = request.method == "GET" and "/subscriptions/" in request.url.path
        if is_read and hidden["left"]:
            hidden["left"] -= 1
            body = {"code": 20003, "description": "Subscription not found."}
            return httpx.Response(404, json=body, request=request)
        return original(request)

    wire.handle_request = not_yet_readable  # type: ignore[method-assign]
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan, mca=acceptance(order))
    (customer_state,) = sandbox.world.customers.values()
    (subscription,) = customer_state.subscriptions.values()
    assert subscription["status"] == "active"  # bought, not undone
    assert subscription["scheduledActions"] is None  # nothing set yet

    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.PLACED
    assert read_end_of_term(subscription).action is EndOfTermAction.RENEW
    assert subscription["scheduledActions"][0]["actionType"] == "RenewToNewTerm"
