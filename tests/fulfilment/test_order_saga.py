from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fulfilment_world import (
    Recorder,
    acceptance,
    client_for,
    hooks_with,
    new_customer_order,
    offer,
    plan_for,
)

from csp_commerce import Checkout, HookManager, Order, OrderLine, hookimpl
from csp_commerce.errors import ProvisioningInterrupted
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import (
    BillingCycle,
    LineAction,
    LinePlan,
    OutcomeStatus,
    TenantAction,
    TermDuration,
)
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox
from csp_commerce.store.ledger import Ledger, OrderStatus, StepStatus

E3 = "Office 365 E3"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(seed=3)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def checkout(recorder: Recorder) -> Checkout:
    return Checkout(hooks=hooks_with(recorder))


def provisioner(sandbox: Sandbox, checkout: Checkout, path: Path, **options: object) -> Provisioner:
    return Provisioner(client_for(sandbox, **options), Ledger(path), checkout.hooks)


def subscriptions(sandbox: Sandbox) -> list[dict[str, object]]:
    return [
        sub
        for customer in sandbox.world.customers.values()
        for sub in customer.subscriptions.values()
    ]


def two_line_failing_order(sandbox: Sandbox, checkout: Checkout, n: int) -> tuple[Order, Any]:
    """An order whose second (education) line Partner Center refuses: no qualification.

    Billed annually, it is another order group of the same cart than E3 (monthly): E3 is
    bought (partial success), then cancelled.
    """
    e3, edu = offer(sandbox, E3), offer(sandbox, "Office 365 A3 for faculty")
    order = new_customer_order(
        n, OrderLine(id="e3", offer=e3, quantity=2), OrderLine(id="edu", offer=edu, quantity=2)
    )
    plan = plan_for(checkout, new_customer_order(n, OrderLine(id="e3", offer=e3, quantity=2)))
    edu_line = plan.lines[0].model_copy(
        update={
            "line_id": "edu",
            "offer_id": edu.id,
            "billing_cycle": BillingCycle.ANNUAL,
            "term_duration": TermDuration.P1Y,
        }
    )
    return order, plan.model_copy(update={"lines": (*plan.lines, edu_line)})


def test_an_order_is_placed_and_placing_it_again_buys_nothing_more(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    order = new_customer_order(1, OrderLine(offer=offer(sandbox, E3), quantity=5))
    plan = plan_for(checkout, order)
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")

    first = placing.place(order, plan, mca=acceptance(order))
    again = placing.place(order, plan, mca=acceptance(order))

    assert first.status is OutcomeStatus.PLACED
    assert again == first
    assert len(subscriptions(sandbox)) == 1
    assert recorder.provisioned[order.id] == 1
    line = first.lines[0]
    assert line.subscription_id is not None
    assert line.quantity == 5


def test_a_purchase_without_mca_fails_and_is_reported_once(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    order = new_customer_order(2, OrderLine(offer=offer(sandbox, E3), quantity=1))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")

    outcome = placing.place(order, plan_for(checkout, order), mca=None)

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.failure is not None
    assert outcome.failure.code == "13605"
    assert outcome.failure.request_id
    assert recorder.failed[order.id] == 1
    assert subscriptions(sandbox) == []


def test_a_failing_later_line_cancels_the_earlier_ones(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    order, plan = two_line_failing_order(sandbox, checkout, 3)
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")

    outcome = placing.place(order, plan, mca=acceptance(order))

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.failure is not None
    assert outcome.failure.line_id == "edu"
    assert [line.line_id for line in outcome.lines] == ["e3"]
    assert outcome.lines[0].compensated
    statuses = [sub["status"] for sub in subscriptions(sandbox)]
    assert statuses == ["deleted"]
    assert recorder.failed[order.id] == 1
    assert recorder.provisioned[order.id] == 0


def test_more_seats_are_set_as_an_absolute_target(
    sandbox: Sandbox, checkout: Checkout, tmp_path: Path
) -> None:
    e3 = offer(sandbox, E3)
    order = new_customer_order(4, OrderLine(offer=e3, quantity=3))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")
    first = placing.place(order, plan_for(checkout, order), mca=acceptance(order))
    tenant = first.customer_tenant_id
    subscription_id = first.lines[0].subscription_id
    assert tenant is not None
    assert subscription_id is not None

    more = new_customer_order(5, OrderLine(id="more", offer=e3, quantity=4))
    plan = plan_for(checkout, more)
    plan = plan.model_copy(
        update={
            "tenant": plan.tenant.model_copy(
                update={"action": TenantAction.USE_EXISTING, "tenant_id": tenant}
            ),
            "lines": (
                plan.lines[0].model_copy(
                    update={"action": LineAction.ADD_QUANTITY, "subscription_id": subscription_id}
                ),
            ),
        }
    )
    outcome = placing.place(more, plan)
    assert outcome.status is OutcomeStatus.PLACED
    (sub,) = subscriptions(sandbox)
    assert sub["quantity"] == 7
    step = placing.ledger.get_step("order-5", "seats:more")
    assert step is not None
    assert step.kind == "set_quantity" and step.subscription_id == subscription_id
    assert (step.intent["subscription"]["quantity"], step.intent["changes"]) == (3, {"quantity": 7})


def test_an_unknown_outcome_is_read_back_on_resume_not_bought_twice(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    order = new_customer_order(6, OrderLine(offer=offer(sandbox, E3), quantity=1))
    plan = plan_for(checkout, order)
    # Every answer is lost after the change is made, and the client gives up at once.
    sandbox.set_faults(FaultPlan(seed=1, commit_then_drop_rate=1.0))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3", max_retries=0)
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan, mca=acceptance(order))
    record = placing.ledger.order(order.id)
    assert record is not None
    assert record.status is OrderStatus.PLACING
    tenant = placing.ledger.get_step(order.id, "tenant")
    assert tenant is not None
    assert tenant.status is StepStatus.SENT

    sandbox.set_faults(FaultPlan(seed=1))
    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.PLACED
    assert len(sandbox.world.customers) == 1  # the tenant was found, not created again
    assert len(subscriptions(sandbox)) == 1
    assert recorder.provisioned[order.id] == 1


def test_two_hundred_orders_through_faults_are_each_placed_exactly_once(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    e3 = offer(sandbox, E3)
    orders = [new_customer_order(n, OrderLine(offer=e3, quantity=1 + n % 7)) for n in range(200)]
    plans = {order.id: plan_for(checkout, order) for order in orders}
    sandbox.set_faults(
        FaultPlan(
            seed=11,
            throttle_rate=0.10,
            server_error_rate=0.05,
            commit_then_drop_rate=0.03,
            connection_reset_rate=0.02,
        )
    )
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3", max_retries=4)
    interrupted = 0
    for order in orders:
        try:
            placing.place(order, plans[order.id], mca=acceptance(order))
        except ProvisioningInterrupted:
            interrupted += 1
    while placing.ledger.unfinished(placing.target):
        placing.resume()

    bought = subscriptions(sandbox)
    assert len(bought) == 200
    assert sorted(sub["quantity"] for sub in bought) == sorted(1 + n % 7 for n in range(200))
    assert len(sandbox.world.customers) == 200
    assert set(recorder.provisioned) == {order.id for order in orders}
    assert set(recorder.provisioned.values()) == {1}
    assert not recorder.failed
    counts = sandbox.faults.counts
    assert counts[Fault.COMMIT_THEN_DROP] > 0
    assert counts[Fault.THROTTLE] > 0


def test_resume_goes_on_past_an_order_interrupted_again(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    e3 = offer(sandbox, E3)
    orders = [new_customer_order(n, OrderLine(offer=e3, quantity=1)) for n in (7, 8)]
    sandbox.set_faults(FaultPlan(seed=1, commit_then_drop_rate=1.0))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3", max_retries=0)
    for order in orders:
        with pytest.raises(ProvisioningInterrupted):
            placing.place(order, plan_for(checkout, order), mca=acceptance(order))

    sandbox.set_faults(FaultPlan(seed=1))
    sandbox.faults.force(Fault.CONNECTION_RESET)  # the first order's read-back fails again
    first = placing.resume()
    assert [outcome.order_id for outcome in first] == ["order-8"]
    assert [record.order_id for record in placing.ledger.unfinished(placing.target)] == ["order-7"]

    second = placing.resume()
    assert [outcome.order_id for outcome in second] == ["order-7"]
    assert len(subscriptions(sandbox)) == 2
    assert set(recorder.provisioned.values()) == {1}


def test_a_purchase_whose_replay_window_passed_is_read_back_not_bought_again(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    order = new_customer_order(9, OrderLine(offer=offer(sandbox, E3), quantity=3))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")
    first = placing.place(order, plan_for(checkout, order), mca=acceptance(order))
    # As if the checkout's answer had been lost and Partner Center had since forgotten the
    # request id: resending it now gets 800065 (cart already submitted).
    db = placing.ledger._db
    db.execute("UPDATE steps SET status = 'sent', result_json = NULL WHERE key = 'purchase'")
    db.execute("UPDATE orders SET status = 'placing', notified = 0")
    sandbox.world.requests.clear()

    (again,) = placing.resume()

    assert again.status is OutcomeStatus.PLACED
    assert again.lines[0].subscription_id == first.lines[0].subscription_id
    assert len(subscriptions(sandbox)) == 1


def refuse_cancelling(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[str]:
    """Make every cancellation (a PATCH to ``deleted``) raise ``error``; the request ids tried."""
    from csp_commerce.provisioning.resources.subscriptions import Subscriptions

    real = Subscriptions.update
    tried: list[str] = []

    def update(self: Any, customer: str, current: Any, changes: Any, **kwargs: Any) -> Any:
        if changes.get("status") == "deleted":
            tried.append(kwargs["request_id"])
            raise error
        return real(self, customer, current, changes, **kwargs)

    monkeypatch.setattr(Subscriptions, "update", update)
    return tried


def test_a_temporary_error_while_undoing_leaves_the_order_compensating_for_resume(
    sandbox: Sandbox,
    checkout: Checkout,
    recorder: Recorder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from csp_commerce.errors import InternalServerError

    down = InternalServerError("Partner Center is down", status_code=503, request_id="r-1")
    tried = refuse_cancelling(monkeypatch, down)
    order, plan = two_line_failing_order(sandbox, checkout, 10)
    placing = provisioner(sandbox, checkout, tmp_path / "l.sqlite3")

    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan, mca=acceptance(order))
    record = placing.ledger.order(order.id)
    assert record is not None and record.status is OrderStatus.COMPENSATING
    assert not recorder.failed  # nothing is final yet
    assert [sub["status"] for sub in subscriptions(sandbox)] == ["active"]

    monkeypatch.undo()
    (outcome,) = placing.resume()
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.compensation_failures == ()
    assert [line.line_id for line in outcome.lines] == ["e3"]
    assert [sub["status"] for sub in subscriptions(sandbox)] == ["deleted"]
    undo = placing.ledger.get_step(order.id, "undo:e3")
    assert undo is not None and undo.request_id == tried[0]  # the same request, sent again
    assert recorder.failed[order.id] == 1


def test_a_definite_refusal_while_undoing_is_reported_with_the_failure(
    sandbox: Sandbox,
    checkout: Checkout,
    recorder: Recorder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from csp_commerce.errors import BadRequestError

    refusal = BadRequestError(
        "window closed", status_code=400, request_id="r-1", code=900117, description="closed"
    )
    refuse_cancelling(monkeypatch, refusal)
    order, plan = two_line_failing_order(sandbox, checkout, 10)

    outcome = provisioner(sandbox, checkout, tmp_path / "l.sqlite3").place(
        order, plan, mca=acceptance(order)
    )

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.lines == ()  # nothing could be undone
    (problem,) = outcome.compensation_failures
    assert (problem.error_type, problem.code, problem.line_id) == (
        "BadRequestError",
        "900117",
        "e3",
    )
    assert [sub["status"] for sub in subscriptions(sandbox)] == ["active"]
    assert recorder.failed[order.id] == 1


def test_a_5xx_after_every_retry_is_an_unknown_outcome_not_a_failure(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    # A 502/504 may come after Partner Center made the change: nothing is undone or reported
    # failed; the order waits for resume, which reads back first.
    order = new_customer_order(11, OrderLine(offer=offer(sandbox, E3), quantity=1))
    sandbox.set_faults(FaultPlan(seed=1, server_error_rate=1.0))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3", max_retries=0)
    with pytest.raises(ProvisioningInterrupted):
        placing.place(order, plan_for(checkout, order), mca=acceptance(order))
    assert not recorder.failed

    sandbox.set_faults(FaultPlan(seed=1))
    (outcome,) = placing.resume()
    assert outcome.status is OutcomeStatus.PLACED
    assert len(subscriptions(sandbox)) == 1


def test_a_crash_while_undoing_is_followed_by_undoing_only(
    sandbox: Sandbox,
    checkout: Checkout,
    recorder: Recorder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from csp_commerce.fulfilment.order_saga import _Saga

    order, plan = two_line_failing_order(sandbox, checkout, 12)
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")
    real = _Saga.compensate

    def killed(self: _Saga, failure: object) -> None:
        raise KeyboardInterrupt  # the process dies right after recording the failure

    monkeypatch.setattr(_Saga, "compensate", killed)
    with pytest.raises(KeyboardInterrupt):
        placing.place(order, plan, mca=acceptance(order))
    record = placing.ledger.order(order.id)
    assert record is not None
    assert record.status is OrderStatus.COMPENSATING

    monkeypatch.setattr(_Saga, "compensate", real)
    purchases_before = len([s for s in placing.ledger.steps(order.id) if s.kind == "purchase"])
    (outcome,) = placing.resume()

    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.failure is not None
    assert outcome.failure.line_id == "edu"
    assert outcome.compensation_failures == ()
    assert [sub["status"] for sub in subscriptions(sandbox)] == ["deleted"]
    assert len([s for s in placing.ledger.steps(order.id) if s.kind == "purchase"]) == (
        purchases_before
    )  # nothing went forward again
    assert recorder.failed[order.id] == 1


def test_undoing_more_seats_takes_back_only_this_lines_seats(
    sandbox: Sandbox, checkout: Checkout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csp_commerce.fulfilment.order_saga import _Saga

    e3 = offer(sandbox, E3)
    first_order = new_customer_order(13, OrderLine(offer=e3, quantity=3))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")
    first = placing.place(first_order, plan_for(checkout, first_order), mca=acceptance(first_order))
    tenant, subscription_id = first.customer_tenant_id, first.lines[0].subscription_id
    assert tenant is not None
    assert subscription_id is not None

    order, plan = two_line_failing_order(sandbox, checkout, 14)
    more = plan.lines[0].model_copy(
        update={
            "line_id": "more",
            "action": LineAction.ADD_QUANTITY,
            "subscription_id": subscription_id,
            "quantity": 4,
        }
    )
    missing = more.model_copy(update={"line_id": "missing", "subscription_id": "no-such-sub"})
    plan = plan.model_copy(
        update={
            "tenant": plan.tenant.model_copy(
                update={"action": TenantAction.USE_EXISTING, "tenant_id": tenant}
            ),
            "lines": (more, missing),
        }
    )
    real_add_seats = _Saga._add_seats

    def add_seats_with_a_neighbour(self: _Saga, tenant_id: str, line: LinePlan) -> Any:
        if line.line_id == "missing":  # another order adds 2 seats while this one runs
            current = self.client.subscriptions.get(tenant_id, subscription_id).quantity
            self.client.subscriptions.change_quantity(tenant_id, subscription_id, current + 2)
        return real_add_seats(self, tenant_id, line)

    monkeypatch.setattr(_Saga, "_add_seats", add_seats_with_a_neighbour)
    outcome = placing.place(order, plan)

    assert outcome.status is OutcomeStatus.FAILED
    (sub,) = subscriptions(sandbox)
    assert sub["quantity"] == 5  # 3 + 4 + 2, less this order's 4


def test_a_failing_host_hook_is_asked_again_and_never_unplaces_the_order(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    class Flaky:
        calls = 0

        @hookimpl
        def csp_order_provisioned(self, order: Order, outcome: object) -> None:
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise RuntimeError("the host's queue is down")

    hooks = HookManager(entry_points=False, plugins=[Flaky()])
    checkout = Checkout(hooks=hooks)
    order = new_customer_order(15, OrderLine(offer=offer(sandbox, E3), quantity=1))
    placing = Provisioner(client_for(sandbox), Ledger(tmp_path / "l.sqlite3"), hooks)

    outcome = placing.place(order, plan_for(checkout, order), mca=acceptance(order))
    assert outcome.status is OutcomeStatus.PLACED
    assert [record.order_id for record in placing.ledger.unnotified(placing.target)] == [order.id]

    assert placing.resume() == []
    assert Flaky.calls == 2
    assert placing.ledger.unnotified(placing.target) == []


def test_a_purchase_not_visible_yet_is_an_unknown_outcome(
    sandbox: Sandbox, checkout: Checkout, recorder: Recorder, tmp_path: Path
) -> None:
    order = new_customer_order(16, OrderLine(offer=offer(sandbox, E3), quantity=3))
    placing = provisioner(sandbox, checkout, tmp_path / "ledger.sqlite3")
    placing.place(order, plan_for(checkout, order), mca=acceptance(order))
    db = placing.ledger._db
    db.execute("UPDATE steps SET status = 'sent', result_json = NULL WHERE key = 'purchase'")
    db.execute("UPDATE orders SET status = 'placing', notified = 0")
    sandbox.world.requests.clear()
    (customer,) = sandbox.world.customers.values()
    hidden = dict(customer.subscriptions)
    customer.subscriptions.clear()  # provisioned, but not listed yet

    assert placing.resume() == []
    record = placing.ledger.order(order.id)
    assert record is not None
    assert record.status is OrderStatus.PLACING  # not failed, nothing undone

    customer.subscriptions.update(hidden)
    (outcome,) = placing.resume()
    assert outcome.status is OutcomeStatus.PLACED


def test_the_new_tenants_admin_password_is_handed_to_the_host_once_and_never_kept(
    sandbox: Sandbox, checkout: Checkout, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from csp_commerce.models import CreatedTenant

    class Vault:
        tenants: list[CreatedTenant] = []  # noqa: RUF012 - a test's record

        @hookimpl
        def csp_tenant_created(self, order: Order, tenant: CreatedTenant) -> None:
            Vault.tenants.append(tenant)

    hooks = HookManager(entry_points=False, plugins=[Vault()])
    order = new_customer_order(17, OrderLine(offer=offer(sandbox, E3), quantity=1))
    path = tmp_path / "ledger.sqlite3"
    placing = Provisioner(client_for(sandbox), Ledger(path), hooks)
    caplog.set_level("DEBUG")

    outcome = placing.place(order, plan_for(checkout, order), mca=acceptance(order))
    placing.place(order, plan_for(checkout, order), mca=acceptance(order))  # no second time

    (tenant,) = Vault.tenants
    assert tenant.tenant_id == outcome.customer_tenant_id
    assert tenant.admin_user_name == "admin@contoso17.onmicrosoft.com"
    assert tenant.admin_password is not None
    password = tenant.admin_password.get_secret_value()
    assert password
    assert password not in repr(tenant)
    assert password not in caplog.text
    for stored in (path, path.with_name(path.name + "-wal")):
        assert not stored.exists() or password.encode() not in stored.read_bytes()


def test_two_orders_adding_seats_to_one_subscription_at_once_both_count(
    checkout: Checkout, tmp_path: Path
) -> None:
    import threading

    sandbox = Sandbox(seed=3, faults=FaultPlan(seed=3, latency_seconds=0.02))
    e3 = offer(sandbox, E3)
    first_order = new_customer_order(18, OrderLine(offer=e3, quantity=3))
    path = tmp_path / "ledger.sqlite3"
    first = provisioner(sandbox, checkout, path).place(
        first_order, plan_for(checkout, first_order), mca=acceptance(first_order)
    )
    tenant, subscription_id = first.customer_tenant_id, first.lines[0].subscription_id

    def more_seats(n: int, seats: int) -> tuple[Order, Any]:
        order = new_customer_order(n, OrderLine(id=f"more-{n}", offer=e3, quantity=seats))
        plan = plan_for(checkout, order)
        changes = {"action": LineAction.ADD_QUANTITY, "subscription_id": subscription_id}
        return order, plan.model_copy(
            update={
                "tenant": plan.tenant.model_copy(
                    update={"action": TenantAction.USE_EXISTING, "tenant_id": tenant}
                ),
                "lines": (plan.lines[0].model_copy(update=changes),),
            }
        )

    jobs = [more_seats(19, 4), more_seats(20, 2)]
    workers = [provisioner(sandbox, checkout, path) for _ in jobs]  # two owners, one ledger
    threads = [
        threading.Thread(target=worker.place, args=job)
        for worker, job in zip(workers, jobs, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    (sub,) = subscriptions(sandbox)
    assert sub["quantity"] == 3 + 4 + 2
