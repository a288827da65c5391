"""Orders waiting for an existing tenant's reseller relationship: kept (durably), the host told
the link once, and placed once when the relationship is accepted."""

from __future__ import annotations

from pathlib import Path

from fulfilment_world import Recorder, acceptance, client_for, customer, offer

from csp_commerce import (
    ApprovalDecision,
    Checkout,
    CheckoutPlan,
    HookManager,
    Order,
    OrderLine,
    hookimpl,
)
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import OutcomeStatus
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.approvals import ApprovalStatus
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog


class Host:
    """Records the waiting notifications; holds orders whose id starts with ``held-``."""

    def __init__(self) -> None:
        self.waiting: list[tuple[str, str]] = []

    @hookimpl
    def csp_order_waiting(self, order: Order, url: str) -> None:
        self.waiting.append((order.id, url))

    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
        if order.id.startswith("held-"):
            return ApprovalDecision(approved=False, reason="over budget", held_by="finance")
        return None


def make_checkout(sandbox: Sandbox, tmp_path: Path, *plugins: object) -> Checkout:
    hooks = HookManager(entry_points=False, plugins=list(plugins))
    provisioner = Provisioner(client_for(sandbox), Ledger(tmp_path / "ledger.sqlite3"), hooks)
    return Checkout(
        hooks=hooks, mca_log=McaEvidenceLog(tmp_path / "mca.sqlite3"), provisioner=provisioner
    )


def existing_tenant_order(
    checkout: Checkout, sandbox: Sandbox, order_id: str = "order-1"
) -> tuple[Order, str]:
    tenant = sandbox.add_existing_tenant("fabrikam.onmicrosoft.com", "Fabrikam")
    who = customer(1).model_copy(update={"tenant_id": tenant})
    order = Order(
        id=order_id,
        customer=who,
        lines=(OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=3),),
    )
    assert checkout.record_mca_acceptance(acceptance(order)) == []
    return order, tenant


def bought(sandbox: Sandbox) -> int:
    return sum(len(c.orders) for c in sandbox.world.customers.values())


def test_an_order_missing_only_the_relationship_waits_and_the_host_gets_the_link_once(
    tmp_path: Path,
) -> None:
    sandbox, host = Sandbox(seed=3), Host()
    checkout = make_checkout(sandbox, tmp_path, host)
    order, tenant = existing_tenant_order(checkout, sandbox)

    first = checkout.place(order)
    again = checkout.place(order)  # an explicit re-check before the acceptance

    assert [p.code for p in first.problems] == ["tenant.needs_invitation"]
    assert [p.code for p in again.problems] == ["tenant.needs_invitation"]
    url = str(first.problems[0].params["url"])
    assert host.waiting == [(order.id, url)]  # told once, not on every re-check
    (waiting,) = checkout.held_orders(ApprovalStatus.WAITING)
    assert (waiting.order_id, waiting.held_reason) == (order.id, url)
    assert waiting.decision_reason == "judged again: tenant.needs_invitation"
    assert checkout.held_orders() == []  # not waiting for a person
    (still,) = checkout.resume_waiting(tenant)  # not accepted yet: still waiting
    assert [p.code for p in still.problems] == ["tenant.needs_invitation"]
    assert len(checkout.held_orders(ApprovalStatus.WAITING)) == 1
    assert bought(sandbox) == 0


def test_the_accepted_relationship_places_the_waiting_order_once_from_a_new_process(
    tmp_path: Path,
) -> None:
    sandbox, host, recorder = Sandbox(seed=3), Host(), Recorder()
    checkout = make_checkout(sandbox, tmp_path, host, recorder)
    order, tenant = existing_tenant_order(checkout, sandbox)
    checkout.place(order)
    sandbox.accept_relationship(tenant)

    # Another process (a new checkout on the same ledger) handles the acceptance.
    later = make_checkout(sandbox, tmp_path, host, recorder)
    assert later.resume_waiting("some-other-tenant") == []
    (result,) = later.resume_waiting(tenant.upper())

    assert result.outcome is not None
    assert result.outcome.status is OutcomeStatus.PLACED
    assert recorder.provisioned[order.id] == 1
    assert bought(sandbox) == 1
    assert later.held_orders(ApprovalStatus.WAITING) == []
    (released,) = later.held_orders(ApprovalStatus.APPROVED)
    assert released.order_id == order.id
    # A second event, re-check or placement buys nothing more.
    assert later.resume_waiting(tenant) == []
    assert checkout.place(order).outcome == result.outcome
    assert later.resume() == []
    assert bought(sandbox) == 1
    assert recorder.provisioned[order.id] == 1


def test_a_waiting_order_the_approval_hook_holds_goes_to_the_approval_queue(
    tmp_path: Path,
) -> None:
    sandbox, host = Sandbox(seed=3), Host()
    checkout = make_checkout(sandbox, tmp_path, host)
    order, tenant = existing_tenant_order(checkout, sandbox, "held-1")
    checkout.place(order)
    sandbox.accept_relationship(tenant)

    (result,) = checkout.resume_waiting(tenant)

    assert result.approval is not None and not result.approval.approved
    (held,) = checkout.held_orders()
    assert (held.order_id, held.held_reason, held.held_by) == ("held-1", "over budget", "finance")
    assert bought(sandbox) == 0
    assert checkout.approve("held-1", by="grace").outcome is not None
    assert bought(sandbox) == 1


def test_an_order_with_other_problems_too_is_refused_not_kept(tmp_path: Path) -> None:
    sandbox, host = Sandbox(seed=3), Host()
    checkout = make_checkout(sandbox, tmp_path, host)
    tenant = sandbox.add_existing_tenant("fabrikam.onmicrosoft.com", "Fabrikam")
    who = customer(1).model_copy(update={"tenant_id": tenant})
    order = Order(
        id="o", customer=who, lines=(OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=3),)
    )

    result = checkout.place(order)  # no MCA acceptance either

    assert "tenant.needs_invitation" in [p.code for p in result.problems]
    assert len(result.problems) > 1
    assert host.waiting == []
    assert checkout.held_orders(None) == []


def test_an_approved_waiting_order_a_dead_process_left_unplaced_is_placed_by_resume(
    tmp_path: Path,
) -> None:
    sandbox, recorder = Sandbox(seed=3), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order, tenant = existing_tenant_order(checkout, sandbox)
    checkout.place(order)
    sandbox.accept_relationship(tenant)
    ledger = checkout.provisioner.ledger if checkout.provisioner else None
    assert ledger is not None
    # The process released the order and died before placing it.
    assert ledger.approvals.release(order.id, by="test")
    assert not ledger.approvals.release(order.id, by="test")  # released once

    outcomes = make_checkout(sandbox, tmp_path, recorder).resume()

    assert [o.status for o in outcomes] == [OutcomeStatus.PLACED]
    assert bought(sandbox) == 1
