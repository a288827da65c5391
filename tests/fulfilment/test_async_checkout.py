"""AsyncCheckout: the checkout awaited by an asyncio host, over the same saga and step engine.

Its exactly-once guarantees under kills, lost answers and faults are the crash matrix's
(``tests/fulfilment/test_crash_matrix.py`` runs the async twin too); these tests cover the
checkout around it: facts gathered with the async client, approvals, a kill between the record
and the outcome finished by either twin, concurrent orders, and no thread for Partner Center.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from exactly_once_world import (
    KillableLedger,
    Killed,
    LedgerClock,
    Wire,
    applied,
    async_client_on,
    bought,
    carrier,
    client_on,
    existing_customer,
    for_existing,
    open_ledger,
    seats,
    subscriptions_of,
)
from fulfilment_world import Recorder, acceptance, new_customer_order, offer

from csp_commerce import (
    ApprovalDecision,
    AsyncCheckout,
    AsyncProvisioner,
    Checkout,
    CheckoutPlan,
    HookManager,
    Order,
    OrderLine,
    Provisioner,
    hookimpl,
)
from csp_commerce.errors import ConfigurationError
from csp_commerce.models import OutcomeStatus
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.ledger import Ledger, StepStatus
from csp_commerce.store.mca_log import McaEvidenceLog

E3 = "Office 365 E3"


class HoldForFinance:
    """Holds every order whose id starts with ``held-``."""

    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
        if order.id.startswith("held-"):
            return ApprovalDecision(approved=False, reason="over budget", held_by="finance")
        return None


class World:
    """A sandbox behind a wire, a host, an MCA evidence log and a ledger file."""

    def __init__(self, tmp_path: Path) -> None:
        self.sandbox = Sandbox(seed=5)
        self.wire = Wire(self.sandbox)
        self.recorder = Recorder()
        self.hooks = HookManager(entry_points=False, plugins=[self.recorder, HoldForFinance()])
        self.ledger_path = tmp_path / "ledger.sqlite3"
        self.mca_log = McaEvidenceLog(tmp_path / "mca.sqlite3")

    def checkout(self, ledger: Ledger | None = None) -> AsyncCheckout:
        ledger = ledger if ledger is not None else Ledger(self.ledger_path)
        provisioner = AsyncProvisioner(async_client_on(self.wire), ledger, self.hooks)
        return AsyncCheckout(hooks=self.hooks, mca_log=self.mca_log, provisioner=provisioner)

    def sync_checkout(self, ledger: Ledger) -> Checkout:
        provisioner = Provisioner(client_on(self.wire), ledger, self.hooks)
        return Checkout(hooks=self.hooks, mca_log=self.mca_log, provisioner=provisioner)

    def order(self, n: int, *, held: bool = False) -> Order:
        order = new_customer_order(n, OrderLine(offer=offer(self.sandbox, E3), quantity=2))
        if held:
            order = order.model_copy(update={"id": f"held-{n}"})
        self.mca_log.append(acceptance(order))
        return order

    def bought(self) -> int:
        return sum(len(c.orders) for c in self.sandbox.world.customers.values())


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def no_thread(*_: object, **__: object) -> Any:
    raise AssertionError("a thread was used")


def no_sync_client(*_: object, **__: object) -> Any:
    raise AssertionError("the sync client was used")


async def test_place_awaits_every_partner_center_call_without_a_thread(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = world.checkout()
    assert checkout.provisioner is not None
    # A sync credential's token is fetched in a thread, once an hour: fetched before the ban.
    await checkout.provisioner.client.customers.domain_available("warm.onmicrosoft.com")
    order = world.order(1)

    with monkeypatch.context() as banned:  # until the test's end (the loop's close may thread)
        banned.setattr(PartnerCenterClient, "_send", no_sync_client)
        banned.setattr(PartnerCenterClient, "_execute", no_sync_client)
        banned.setattr(asyncio, "to_thread", no_thread)
        banned.setattr(asyncio.BaseEventLoop, "run_in_executor", no_thread)
        banned.setattr(threading.Thread, "start", no_thread)
        result = await checkout.place(order)
        again = await checkout.place(order)

    assert result.problems == ()
    assert result.outcome is not None
    assert result.outcome.status is OutcomeStatus.PLACED
    (customer,) = world.sandbox.world.customers.values()
    assert len(customer.agreements) == 1  # the logged MCA was confirmed
    (subscription,) = customer.subscriptions.values()
    assert (subscription["offerName"], subscription["quantity"]) == (E3, 2)
    asked = {sent.path for sent in world.wire.sent}
    assert "/v1/countryvalidationrules/US" in asked  # fetched before judging: hooks can't await
    assert "/v1/domains/contoso1.onmicrosoft.com" in asked  # the facts, gathered
    assert world.recorder.provisioned[order.id] == 1
    assert again.outcome == result.outcome  # placed again: answered from the ledger
    assert world.bought() == 1


async def test_validate_fetches_the_country_rules_and_judges(world: World) -> None:
    checkout = world.checkout()
    order = world.order(2)

    result = await checkout.validate(order)

    assert [sent.path for sent in world.wire.sent] == ["/v1/countryvalidationrules/US"]
    assert result.problems  # no facts given: the MCA and the domain are not known
    assert world.sandbox.world.customers == {}


async def test_orders_placed_concurrently_are_each_placed_once(world: World) -> None:
    checkout = world.checkout()
    orders = [world.order(n) for n in range(10, 16)]

    results = await asyncio.gather(*(checkout.place(order) for order in orders))

    assert all(r.outcome and r.outcome.status is OutcomeStatus.PLACED for r in results)
    assert world.bought() == len(orders)
    assert applied(world.sandbox)["add_customer"] == len(orders)
    assert world.recorder.provisioned == {order.id: 1 for order in orders}
    assert await checkout.resume() == []


async def test_approve_places_a_held_order_once_and_reject_refuses_one(world: World) -> None:
    checkout = world.checkout()
    held, refused = world.order(3, held=True), world.order(4, held=True)
    for order in (held, refused):
        first = await checkout.place(order)
        assert first.approval is not None and not first.approval.approved
    assert world.bought() == 0

    result = await checkout.approve(held.id, by="grace@partner.example")
    rejection = checkout.reject(refused.id, "no budget", by="grace@partner.example")

    assert result.outcome is not None and result.outcome.status is OutcomeStatus.PLACED
    assert (await checkout.approve(held.id)).outcome == result.outcome
    assert rejection.decision_reason == "no budget"
    assert (await checkout.place(refused)).outcome is None
    assert world.bought() == 1
    assert world.recorder.provisioned == {held.id: 1}
    assert checkout.held_orders() == []


@pytest.mark.parametrize("resumer", ["async", "sync"])
async def test_a_kill_between_the_record_and_the_outcome_is_finished_once_by_resume(
    world: World, resumer: str
) -> None:
    clock = LedgerClock()
    dying = KillableLedger(world.ledger_path, clock=clock, kill_at_write="finish_step(purchase)")
    order = world.order(5)
    with pytest.raises(Killed):  # the cart was bought; its outcome never written
        await world.checkout(dying).place(order)
    dying.close()
    assert world.bought() == 1
    clock.advance()  # the dead process's lease has run out

    with open_ledger(world.ledger_path, clock) as ledger:
        step = ledger.get_step(order.id, "purchase")
        assert step is not None and step.status is StepStatus.SENT
        if resumer == "async":
            (outcome,) = await world.checkout(ledger).resume()
        else:  # the twins share the ledger: a sync worker finishes what an async host began
            (outcome,) = world.sync_checkout(ledger).resume()
        checkouts = [s for s in world.wire.sent if s.path.endswith("/checkout")]

    assert outcome.status is OutcomeStatus.PLACED
    assert world.bought() == 1
    assert applied(world.sandbox)["create_order"] == 1
    assert len({s.request_id for s in checkouts}) == 1  # resent with its recorded request id
    assert world.recorder.provisioned[order.id] == 1


async def test_a_cancelled_place_leaves_the_step_sent_and_resume_finishes_it(
    world: World,
) -> None:
    checkout = world.checkout()
    order = world.order(6)
    started = asyncio.Event()
    release = asyncio.Event()
    wire_handle = world.wire.handle_async_request

    async def slow(request: Any) -> Any:
        if request.url.path.endswith("/checkout"):
            started.set()
            await release.wait()  # the host cancels the request meanwhile
        return await wire_handle(request)

    world.wire.handle_async_request = slow  # type: ignore[method-assign]
    task = asyncio.create_task(checkout.place(order))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    world.wire.handle_async_request = wire_handle  # type: ignore[method-assign]
    ledger = checkout.checkout._provisioner().ledger
    step = ledger.get_step(order.id, "purchase")
    assert step is not None and step.status is StepStatus.SENT

    (outcome,) = await checkout.resume()  # at once: the cancelled place let go of its lease

    assert outcome.status is OutcomeStatus.PLACED
    assert world.bought() == 1
    assert world.recorder.provisioned[order.id] == 1


async def test_two_orders_adding_seats_to_one_subscription_at_once_both_count(
    world: World,
) -> None:
    tenant = existing_customer(world.sandbox)
    sub = bought(world.sandbox, tenant, E3, 10)
    provisioner = AsyncProvisioner(
        async_client_on(world.wire), Ledger(world.ledger_path), world.hooks
    )
    orders = [carrier(world.sandbox, n) for n in (30, 31)]
    plans = [
        for_existing(order.id, tenant, seats(world.sandbox, "more", sub, more))
        for order, more in zip(orders, (5, 2), strict=True)
    ]

    # The second waits for the first's lock (polled with asyncio.sleep, the loop free).
    outcomes = await asyncio.gather(
        *(provisioner.place(order, plan) for order, plan in zip(orders, plans, strict=True))
    )

    assert [outcome.status for outcome in outcomes] == [OutcomeStatus.PLACED] * 2
    assert subscriptions_of(world.sandbox, tenant)[sub]["quantity"] == 17
    assert applied(world.sandbox)["update_subscription"] == 2


def test_a_sync_checkout_refuses_an_async_provisioner(world: World) -> None:
    checkout = world.checkout()
    with pytest.raises(ConfigurationError, match="AsyncCheckout"):
        checkout.checkout.place(world.order(7))


async def test_an_async_checkout_needs_a_provisioner(world: World) -> None:
    with pytest.raises(ConfigurationError, match="provisioner"):
        await AsyncCheckout(hooks=world.hooks).place(world.order(8))
