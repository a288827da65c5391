"""``Checkout.submit`` records an order for later; ``Checkout.work`` places it, exactly once.

In one process, on both engines: submit then work; claims that skip an order another
connection is claiming; a dead worker's order taken up once its lease ran out; an interrupted
order tried again later; a failed notification delivered again; an approved order a dead
process never placed; a stop between two steps. (Several worker processes: test_workers.py.)
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fulfilment_world import Recorder, acceptance, client_for, new_customer_order, offer

from csp_commerce import (
    ApprovalDecision,
    Checkout,
    CheckoutPlan,
    HookManager,
    Order,
    OrderLine,
    ProvisioningOutcome,
    hookimpl,
)
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import CreatedTenant
from csp_commerce.sandbox import FaultPlan, Sandbox
from csp_commerce.store._db import locate
from csp_commerce.store.approvals import ApprovalStatus
from csp_commerce.store.ledger import Ledger, OrderStatus, StepStatus
from csp_commerce.store.mca_log import McaEvidenceLog

LEASE = 60.0


class Clock:
    """The ledger's time, moved by the test (leases and retries run out on it)."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


class HoldForFinance:
    """Holds every order whose id starts with ``held-``."""

    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
        if order.id.startswith("held-"):
            return ApprovalDecision(approved=False, reason="over budget", held_by="finance")
        return None


class World:
    """A sandbox, a ledger on the test's engine and a checkout placing into both."""

    def __init__(self, store_url: Callable[[str], str], tmp_path: Path, *plugins: object):
        self.sandbox = Sandbox(seed=7)
        self.recorder = Recorder()
        self.clock = Clock()
        self.ledger = Ledger(store_url("ledger"), clock=self.clock)
        self.mca = McaEvidenceLog(tmp_path / "mca.sqlite3")
        self.hooks = HookManager(
            entry_points=False, plugins=[self.recorder, HoldForFinance(), *plugins]
        )
        self.provisioner = Provisioner(
            client_for(self.sandbox), self.ledger, self.hooks, lease_seconds=LEASE
        )
        self.checkout = Checkout(hooks=self.hooks, mca_log=self.mca, provisioner=self.provisioner)
        self.e3 = offer(self.sandbox, "Office 365 E3")

    def order(self, n: int, prefix: str = "order") -> Order:
        order = new_customer_order(n, OrderLine(offer=self.e3, quantity=1 + n % 3))
        order = order.model_copy(update={"id": f"{prefix}-{n}"})
        assert self.checkout.record_mca_acceptance(acceptance(order)) == []
        return order

    def bought(self) -> int:
        """Every order Partner Center took, across its customers."""
        return sum(len(customer.orders) for customer in self.sandbox.world.customers.values())

    def close(self) -> None:
        self.ledger.close()
        self.mca.close()


@pytest.fixture
def world(store_url: Callable[[str], str], tmp_path: Path) -> Iterator[World]:
    opened = World(store_url, tmp_path)
    yield opened
    opened.close()


def test_submit_records_the_order_and_work_places_it_once(world: World) -> None:
    order = world.order(1)

    submitted = world.checkout.submit(order)

    assert submitted.problems == ()
    assert submitted.plan is not None
    assert submitted.approval is not None and submitted.approval.approved
    assert submitted.outcome is None
    record = world.ledger.order(order.id)
    assert record is not None and record.status is OrderStatus.PENDING
    assert world.bought() == 0  # nothing bought by submit

    summary = world.checkout.work(until_idle=True)

    assert (summary.placed, summary.claimed) == (1, 1)
    assert summary.outcomes[0].placed
    assert world.bought() == 1
    assert world.recorder.provisioned[order.id] == 1
    again = world.checkout.submit(order)  # the same order again: its record, nothing new
    assert again.outcome == summary.outcomes[0]
    assert world.checkout.work(until_idle=True).claimed == 0
    assert world.bought() == 1


def test_submit_with_problems_records_nothing(world: World) -> None:
    order = world.order(2)
    world.checkout.place(order)  # the domain is now taken: a second customer cannot have it
    taken = world.order(2).model_copy(update={"id": "order-2b"})

    result = world.checkout.submit(taken)

    assert [problem.code for problem in result.problems] == ["tenant.domain_taken"]
    assert world.ledger.order(taken.id) is None
    assert world.checkout.work(until_idle=True).claimed == 0


def test_a_held_order_keeps_its_approval_flow(world: World) -> None:
    order = world.order(3, prefix="held")

    result = world.checkout.submit(order)

    assert result.approval is not None and not result.approval.approved
    assert world.ledger.order(order.id) is None
    assert world.checkout.work(until_idle=True).claimed == 0
    assert [held.order_id for held in world.checkout.held_orders()] == [order.id]
    assert world.checkout.approve(order.id).outcome is not None
    assert world.bought() == 1


def test_work_places_an_approved_order_a_dead_process_never_placed(world: World) -> None:
    order = world.order(4, prefix="held")
    world.checkout.submit(order)
    # The approver died between its decision and the placement.
    world.ledger.approvals.decide(
        order.id, ApprovalStatus.APPROVED, target=world.provisioner.target
    )
    assert world.ledger.order(order.id) is None

    summary = world.checkout.work(until_idle=True)

    assert (summary.queued, summary.placed) == (1, 1)
    assert world.bought() == 1
    assert world.recorder.provisioned[order.id] == 1


def test_claims_give_each_order_to_one_worker_only(world: World) -> None:
    for n in range(3):
        world.checkout.submit(world.order(n))
    queue, target = world.ledger.queue, world.provisioner.target

    claimed = [queue.claim(target, f"worker-{n}", LEASE) for n in range(4)]

    assert claimed == ["order-0", "order-1", "order-2", None]
    assert queue.waiting(target) == 0


def test_a_dead_workers_order_is_taken_up_once_its_lease_runs_out(world: World) -> None:
    order = world.order(5)
    world.checkout.submit(order)
    # A worker claimed it, recorded and sent its first step, and died.
    assert world.ledger.queue.claim(world.provisioner.target, "dead", LEASE) == order.id
    world.ledger.begin_step(
        order.id, "tenant", "create_customer", {"domain": "x"}, target=world.provisioner.target
    )

    assert world.checkout.work(until_idle=True).claimed == 0  # its lease still holds
    world.clock.now += LEASE + 1
    summary = world.checkout.work(until_idle=True)

    assert summary.placed == 1
    assert world.bought() == 1
    assert world.recorder.provisioned[order.id] == 1


def test_an_interrupted_order_is_claimed_again_after_retry_after(world: World) -> None:
    order = world.order(6)
    world.checkout.submit(order)
    world.sandbox.set_faults(FaultPlan(server_error_rate=1.0, seed=1))

    first = world.checkout.work(until_idle=True, retry_after=30.0)

    assert (first.interrupted, first.placed) == (1, 0)
    record = world.ledger.order(order.id)
    assert record is not None and record.status is OrderStatus.PLACING
    world.sandbox.set_faults(FaultPlan(seed=1))
    assert world.checkout.work(until_idle=True).claimed == 0  # not before retry_after
    world.clock.now += 31
    second = world.checkout.work(until_idle=True)

    assert second.placed == 1
    assert world.bought() == 1


class FailsOnce:
    """A host hook that fails the first time it is told of an order."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def csp_order_provisioned(self, order: Order, outcome: ProvisioningOutcome) -> None:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("the host's database is down")


def test_a_failed_notification_is_delivered_again_when_idle(
    store_url: Callable[[str], str], tmp_path: Path
) -> None:
    failing = FailsOnce()
    world = World(store_url, tmp_path, failing)
    try:
        order = world.order(7)
        world.checkout.submit(order)
        summary = world.checkout.work(until_idle=True)

        # Placed; telling the host failed; the worker's next idle pass told it again.
        assert (summary.placed, summary.notified) == (1, 1)
        assert failing.calls == 2
        assert world.ledger.unnotified(world.provisioner.target) == []
        assert world.bought() == 1
    finally:
        world.close()


class StopWhenTenantCreated:
    """Sets the worker's stop event while the tenant step is being sent."""

    def __init__(self) -> None:
        self.stop = threading.Event()

    @hookimpl
    def csp_tenant_created(self, order: Order, tenant: CreatedTenant) -> None:
        self.stop.set()


def test_a_stop_lets_the_step_in_flight_finish_and_begins_no_other(
    store_url: Callable[[str], str], tmp_path: Path
) -> None:
    stopper = StopWhenTenantCreated()
    world = World(store_url, tmp_path, stopper)
    try:
        order = world.order(8)
        world.checkout.submit(order)

        summary = world.checkout.work(stop=stopper.stop)

        assert summary.stopped
        assert summary.placed == 0
        steps = world.ledger.steps(order.id)
        assert [(step.key, step.status) for step in steps] == [("tenant", StepStatus.DONE)]
        record = world.ledger.order(order.id)
        assert record is not None and record.status is OrderStatus.PLACING
        assert world.bought() == 0
        # The lease was given back: the next worker goes on at once, from the next step.
        assert world.checkout.work(until_idle=True).placed == 1
        assert world.bought() == 1
        assert len(world.sandbox.world.customers) == 1
    finally:
        world.close()


def _hold_a_claim(url: str, order_id: str) -> Callable[[], None]:
    """Another worker's claim of ``order_id``, not committed yet, on its own connection;
    returns the function that commits it."""
    location = locate(url)
    if location.engine == "sqlite":
        other = sqlite3.connect(location.target, isolation_level=None, timeout=30)
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "UPDATE orders SET lease_owner = 'other', lease_until = 9e12 WHERE order_id = ?",
            (order_id,),
        )
    else:
        import psycopg

        other = psycopg.connect(location.target)  # a transaction until commit
        other.execute(f'SET search_path TO "{location.schema}"')
        other.execute(
            "SELECT order_id FROM orders WHERE order_id = %s FOR UPDATE SKIP LOCKED", (order_id,)
        )
        other.execute(
            "UPDATE orders SET lease_owner = 'other', lease_until = 9e12 WHERE order_id = %s",
            (order_id,),
        )

    def commit() -> None:
        other.execute("COMMIT")
        other.close()

    return commit


def test_a_claim_skips_the_order_another_connection_is_claiming(
    world: World, store_url: Callable[[str], str], db_engine: str
) -> None:
    for n in range(2):
        world.checkout.submit(world.order(n))
    commit = _hold_a_claim(store_url("ledger"), "order-0")
    got: list[str | None] = []
    claiming = threading.Thread(
        target=lambda: got.append(world.ledger.queue.claim(world.provisioner.target, "me", LEASE)),
        daemon=True,
    )
    try:
        claiming.start()
        claiming.join(timeout=0.5 if db_engine == "sqlite" else 5)
        if db_engine == "postgresql":
            # SKIP LOCKED: the locked row is passed over at once, not waited for.
            assert got == ["order-1"]
    finally:
        commit()
    claiming.join(timeout=10)
    # SQLite: BEGIN IMMEDIATE waited for the other claim, then saw it taken.
    assert got == ["order-1"]
    record = world.ledger.order("order-0")
    assert record is not None and record.status is OrderStatus.PENDING  # the other's, untouched
