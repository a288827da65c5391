"""The crash matrix: every kind of order, stopped at every point, finishes exactly once.

For each order type the process is killed at ledger write N, for every N (a fresh ledger on the
same file, a later clock, and ``resume``); the answer of request N is lost after Partner
Center applied it, for every N; and each fault class (429, 5xx, reset, timeout, commit then
drop) hits request N, for every N, with no retries. Whatever happened, Partner Center ends
with exactly the order's changes, each made once (the sandbox's audit log counts the changes it
made, not the replays), and the host is told once.

The matrix runs the sync :class:`Provisioner` and, on SQLite, its async twin
:class:`AsyncProvisioner` (the same saga driven with the async client): each must finish every
kill, every lost answer and every fault exactly once.

Two windows are "at least once" by design, and the tests say so: the host's hooks run before
the write that records them (the tenant's password before the tenant step is done, the order's
end before it is written), so a kill at exactly that write tells the host again, with the same
tenant, password and outcome. Never a second tenant, subscription or seat change.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    provisioner_on,
    seats,
    subscriptions_of,
)
from fulfilment_world import acceptance, new_customer_order, offer, plan_for

from csp_commerce import Checkout, HookManager, Order, OrderLine
from csp_commerce.errors import ProvisioningInterrupted
from csp_commerce.models import LineAction, OutcomeStatus
from csp_commerce.models.end_of_term import EndOfTerm, EndOfTermAction, read_end_of_term
from csp_commerce.operations import SubscriptionManager
from csp_commerce.sandbox import Fault, Sandbox
from csp_commerce.store.ledger import Ledger

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from csp_commerce.models import CheckoutPlan, McaAcceptance, ProvisioningOutcome

E3 = "Office 365 E3"
STANDARD = "Microsoft 365 Business Standard"
PHONE = "Microsoft Teams Phone Standard"
#: The writes after which the host has been told and the telling is not yet recorded.
TOLD_BEFORE = {"tenant": "finish_step(tenant)", "end": "end_order"}


@dataclass
class Case:
    """One order in a fresh sandbox, and what Partner Center must hold once it is finished."""

    sandbox: Sandbox
    order: Order
    plan: CheckoutPlan
    mca: McaAcceptance | None
    tenant: str | None  # None: a new tenant
    placed: bool
    changes: Counter[str]  # the changes the order makes, by the audit log's kind
    check: Callable[[Sandbox, str], None]  # the tenant's subscriptions, once finished


def new_customer(sandbox: Sandbox) -> Case:
    order = new_customer_order(1, OrderLine(offer=offer(sandbox, E3), quantity=3))
    plan = _new_customer_plan(order)

    def check(sandbox: Sandbox, tenant: str) -> None:
        (sub,) = subscriptions_of(sandbox, tenant).values()
        assert (sub["offerName"], sub["quantity"], sub["status"]) == (E3, 3, "active")
        # the checkout's default end-of-term action, set explicitly once
        assert read_end_of_term(sub) == EndOfTerm(action=EndOfTermAction.RENEW, explicit=True)
        assert sub["scheduledActions"][0]["actionType"] == "RenewToNewTerm"

    # the tenant, the purchase and the explicit end-of-term action
    changes = Counter(add_customer=1, create_order=1, update_subscription=1)
    return Case(sandbox, order, plan, acceptance(order), None, True, changes, check)


@functools.cache
def _new_customer_plan(order: Order) -> CheckoutPlan:
    return plan_for(Checkout(hooks=HookManager(entry_points=False)), order)


def more_seats(sandbox: Sandbox) -> Case:
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order = carrier(sandbox, 2)
    plan = for_existing(order.id, tenant, seats(sandbox, "more", sub, 5))

    def check(sandbox: Sandbox, tenant: str) -> None:
        assert [s["quantity"] for s in subscriptions_of(sandbox, tenant).values()] == [15]

    changes = Counter(update_subscription=1)
    return Case(sandbox, order, plan, None, tenant, True, changes, check)


def add_on(sandbox: Sandbox) -> Case:
    tenant = existing_customer(sandbox)
    parent = bought(sandbox, tenant, STANDARD, 5)
    order = carrier(sandbox, 3)
    plan = for_existing(
        order.id,
        tenant,
        line(sandbox, "phone", PHONE, 2, action=LineAction.ADD_ON, subscription_id=parent),
    )

    def check(sandbox: Sandbox, tenant: str) -> None:
        subs = subscriptions_of(sandbox, tenant)
        (addon,) = (s for s in subs.values() if s["offerName"] == PHONE)
        assert (addon["quantity"], addon.get("parentSubscriptionId")) == (2, parent)
        assert len(subs) == 2

    changes = Counter(create_order=1)
    return Case(sandbox, order, plan, None, tenant, True, changes, check)


def three_new(sandbox: Sandbox) -> Case:
    tenant = existing_customer(sandbox)
    order = carrier(sandbox, 4)
    plan = for_existing(
        order.id,
        tenant,
        line(sandbox, "e3", E3, 1),
        line(sandbox, "basic", "Microsoft 365 Business Basic", 2),
        line(sandbox, "exchange", "Exchange Online (Plan 1)", 3),
    )

    def check(sandbox: Sandbox, tenant: str) -> None:
        subs = subscriptions_of(sandbox, tenant).values()
        assert sorted((s["offerName"], s["quantity"], s["status"]) for s in subs) == [
            ("Exchange Online (Plan 1)", 3, "active"),
            ("Microsoft 365 Business Basic", 2, "active"),
            (E3, 1, "active"),
        ]

    changes = Counter(create_order=1)
    return Case(sandbox, order, plan, None, tenant, True, changes, check)


def compensated(sandbox: Sandbox) -> Case:
    """A new subscription and more seats, then a line that fails for good: both undone."""
    tenant = existing_customer(sandbox)
    sub = bought(sandbox, tenant, E3, 10)
    order = carrier(sandbox, 5)
    plan = for_existing(
        order.id,
        tenant,
        line(sandbox, "premium", "Microsoft 365 Business Premium", 1),
        seats(sandbox, "more", sub, 5),
        seats(sandbox, "missing", "no-such-subscription", 2),
    )

    def check(sandbox: Sandbox, tenant: str) -> None:
        subs = subscriptions_of(sandbox, tenant)
        assert (subs[sub]["quantity"], subs[sub]["status"]) == (10, "active")
        (premium,) = (s for key, s in subs.items() if key != sub)
        assert premium["status"] == "deleted"

    # the purchase; +5 seats, -5 seats and the cancellation
    changes = Counter(create_order=1, update_subscription=3)
    return Case(sandbox, order, plan, None, tenant, False, changes, check)


CASES = [
    pytest.param(new_customer, id="new-customer"),
    pytest.param(more_seats, id="more-seats"),
    pytest.param(add_on, id="add-on"),
    pytest.param(three_new, id="three-new-subscriptions"),
    pytest.param(compensated, id="compensated"),
]


class Run:
    """One order in a fresh, seeded sandbox, placed and then finished however it was stopped."""

    def __init__(self, build: Callable[[Sandbox], Case], path: str, twin: str = "sync") -> None:
        self.twin = twin  # the sync Provisioner or the AsyncProvisioner
        self.sandbox = Sandbox(seed=7)
        self.case = build(self.sandbox)
        self.host = Host()
        self.hooks = HookManager(entry_points=False, plugins=[self.host])
        self.wire = Wire(self.sandbox)
        self.clock = LedgerClock()
        self.path = path  # a fresh SQLite file or PostgreSQL schema
        self.before = applied(self.sandbox)

    def place(self, ledger: Ledger) -> ProvisioningOutcome | None:
        try:
            return provisioner_on(self.twin, self.wire, ledger, self.hooks).place(
                self.case.order, self.case.plan, mca=self.case.mca
            )
        except ProvisioningInterrupted:
            return None

    def finish(self) -> ProvisioningOutcome:
        """A later worker resumes until nothing is left; then the host submits the order
        again (it may never have been recorded), which answers from the ledger."""
        self.clock.advance()
        with open_ledger(self.path, self.clock) as ledger:
            placing = provisioner_on(self.twin, self.wire, ledger, self.hooks)
            for _ in range(5):
                placing.resume()
                if not ledger.unfinished(placing.target):
                    break
            outcome = self.place(ledger)
            assert outcome is not None, ledger.unfinished(placing.target)
            assert not ledger.unfinished(placing.target)
            assert not ledger.unnotified(placing.target)
        return outcome

    def verify(self, outcome: ProvisioningOutcome, *, told_again: str | None = None) -> None:
        """Exactly the order's changes, each made once, and the host told once (twice only
        when the process died at ``told_again``: the write recording what it was told)."""
        case, host, order_id = self.case, self.host, self.case.order.id
        assert outcome.status is (OutcomeStatus.PLACED if case.placed else OutcomeStatus.FAILED)
        assert outcome.compensation_failures == ()
        made = applied(self.sandbox)
        made.subtract(self.before)
        assert +made == case.changes
        ends = host.provisioned if case.placed else host.failed
        assert ends[order_id] == (2 if told_again == TOLD_BEFORE["end"] else 1)
        assert not (host.failed if case.placed else host.provisioned)
        tenant = outcome.customer_tenant_id
        assert tenant is not None
        if case.tenant is None:
            assert [t.tenant_id for t in host.tenants] == [tenant] * (
                2 if told_again == TOLD_BEFORE["tenant"] else 1
            )
            assert all(t.admin_password is not None for t in host.tenants)
            assert len(self.sandbox.world.customers) == 1
        else:
            assert tenant == case.tenant
            assert host.tenants == []
        case.check(self.sandbox, tenant)


@pytest.mark.parametrize("build", CASES)
def test_killed_at_every_ledger_write_then_resumed(
    build: Callable[[Sandbox], Case], store_url: Callable[[str], str]
) -> None:
    _kill_at_every_write(build, store_url, "sync")


@pytest.mark.parametrize("build", CASES)
def test_the_async_twin_killed_at_every_ledger_write_then_resumed(
    build: Callable[[Sandbox], Case], tmp_path: Path
) -> None:
    _kill_at_every_write(build, lambda name: str(tmp_path / f"{name}.sqlite3"), "async")


def _kill_at_every_write(
    build: Callable[[Sandbox], Case], path_for: Callable[[str], str], twin: str
) -> None:
    kills: list[str] = []
    for n in itertools.count(1):
        run = Run(build, path_for(f"ledger{n}"), twin)
        dying = KillableLedger(run.path, clock=run.clock, kill_at=n)
        try:
            run.place(dying)
        except Killed:
            pass
        finally:
            dying.close()
        if dying.killed_at is None:
            break  # the order needs fewer writes: every one was tried
        kills.append(dying.killed_at)
        try:
            run.verify(run.finish(), told_again=dying.killed_at)
        except AssertionError as failure:
            raise AssertionError(f"killed at write {n} ({dying.killed_at}): {failure}") from None
    assert len(kills) >= 4, kills
    assert TOLD_BEFORE["end"] in kills


@pytest.mark.parametrize("build", CASES)
def test_the_answer_to_every_request_lost_after_it_was_applied(
    build: Callable[[Sandbox], Case], tmp_path: Path, store_url: Callable[[str], str]
) -> None:
    requests = _requests(build, tmp_path)
    for n in range(requests):
        run = Run(build, store_url(f"ledger{n}"))
        run.wire.trouble[n] = "drop"
        _place_then_finish(run, f"answer {n} ({run_sent(run, n)}) lost")


@pytest.mark.parametrize("build", CASES)
def test_the_async_twin_loses_the_answer_to_every_request(
    build: Callable[[Sandbox], Case], tmp_path: Path
) -> None:
    requests = _requests(build, tmp_path, "async")
    for n in range(requests):
        run = Run(build, str(tmp_path / f"ledger{n}.sqlite3"), "async")
        run.wire.trouble[n] = "drop"
        _place_then_finish(run, f"async: answer {n} ({run_sent(run, n)}) lost")


@pytest.mark.parametrize("fault", [Fault.THROTTLE, Fault.SERVER_ERROR, Fault.CONNECTION_RESET,
                                   Fault.TIMEOUT, Fault.COMMIT_THEN_DROP])  # fmt: skip
@pytest.mark.parametrize("build", CASES)
def test_each_fault_at_every_request(
    build: Callable[[Sandbox], Case], fault: Fault, tmp_path: Path
) -> None:
    requests = _requests(build, tmp_path)
    for n in range(requests):  # request-level faults: the SQLite ledger is enough
        run = Run(build, str(tmp_path / f"ledger{n}.sqlite3"))
        run.wire.trouble[n] = fault
        _place_then_finish(run, f"{fault.value} at request {n} ({run_sent(run, n)})")


@pytest.mark.parametrize("fault", [Fault.THROTTLE])
@pytest.mark.parametrize("build", CASES)
def test_the_async_twin_meets_each_fault_at_every_request(
    build: Callable[[Sandbox], Case], fault: Fault, tmp_path: Path
) -> None:
    for n in range(_requests(build, tmp_path, "async")):
        run = Run(build, str(tmp_path / f"ledger{n}.sqlite3"), "async")
        run.wire.trouble[n] = fault
        _place_then_finish(run, f"async: {fault.value} at request {n} ({run_sent(run, n)})")


def _requests(build: Callable[[Sandbox], Case], tmp_path: Path, twin: str = "sync") -> int:
    """How many requests the order takes when nothing goes wrong."""
    run = Run(build, str(tmp_path / f"clean-{twin}.sqlite3"), twin)
    with open_ledger(run.path, run.clock) as ledger:
        outcome = run.place(ledger)
    assert outcome is not None
    run.verify(outcome)
    assert run.wire.sent
    return len(run.wire.sent)


def run_sent(run: Run, n: int) -> str:
    sent = run.wire.sent
    return f"{sent[n].method} {sent[n].path}" if n < len(sent) else "not sent"


def _place_then_finish(run: Run, what: str) -> None:
    try:
        with open_ledger(run.path, run.clock) as ledger:
            run.place(ledger)
        run.verify(run.finish())
    except AssertionError as failure:
        raise AssertionError(f"{what}: {failure}") from None


# -- post-sale changes ------------------------------------------------------------------------


def _set_quantity(manager: SubscriptionManager, tenant: str, sub: str) -> object:
    return manager.set_quantity(tenant, sub, 12, operation_id="op-1")


def _cancel(manager: SubscriptionManager, tenant: str, sub: str) -> object:
    return manager.cancel(tenant, sub, operation_id="op-1")


def _cancel_at_term_end(manager: SubscriptionManager, tenant: str, sub: str) -> object:
    return manager.set_end_of_term(tenant, sub, EndOfTermAction.CANCEL, operation_id="op-1")


def _buy_addon(manager: SubscriptionManager, tenant: str, sub: str) -> object:
    return manager.buy_addon(tenant, sub, _PHONE_ID, 2, operation_id="op-1")


_PHONE_ID = Sandbox().catalog.find(PHONE).catalog_item_id


@pytest.mark.parametrize(
    ("change", "audit", "check"),
    [
        pytest.param(_set_quantity, "update_subscription", ("quantity", 12), id="set-quantity"),
        pytest.param(_cancel, "update_subscription", ("status", "deleted"), id="cancel"),
        pytest.param(
            _cancel_at_term_end,
            "update_subscription",
            ("scheduledActions", [{"scheduledType": "TermEnd", "actionType": "CancelAtTermEnd"}]),
            id="cancel-at-term-end",
        ),
        pytest.param(_buy_addon, "create_order", None, id="buy-addon"),
    ],
)
def test_a_post_sale_change_killed_at_every_ledger_write_is_made_once(
    change: Callable[[SubscriptionManager, str, str], object],
    audit: str,
    check: tuple[str, object] | None,
    store_url: Callable[[str], str],
) -> None:
    for n in itertools.count(1):
        path = store_url(f"ledger{n}")
        sandbox, clock = Sandbox(seed=7), LedgerClock()
        wire = Wire(sandbox)
        tenant = existing_customer(sandbox)
        sub = bought(sandbox, tenant, STANDARD, 10)
        before = applied(sandbox)[audit]
        dying = KillableLedger(path, clock=clock, kill_at=n)
        try:
            change(SubscriptionManager(client_on(wire), dying, actor="ops"), tenant, sub)
        except Killed:
            pass
        finally:
            dying.close()
        if dying.killed_at is None:
            break
        clock.advance()
        with open_ledger(path, clock) as ledger:
            manager = SubscriptionManager(client_on(wire), ledger, actor="ops")
            manager.resume()
            result = change(manager, tenant, sub)  # the caller asks again with the same id
            where = f"killed at write {n} ({dying.killed_at})"
            assert getattr(result, "ok", False), where
            assert applied(sandbox)[audit] - before == 1, where
            assert ledger.sent_steps(manager.engine.target) == [], where
        subs = subscriptions_of(sandbox, tenant)
        if check is not None:
            assert subs[sub][check[0]] == check[1], where
        else:
            assert sorted(s["offerName"] for s in subs.values()) == [STANDARD, PHONE], where
    assert n > 3
