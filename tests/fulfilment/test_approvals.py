"""Orders held for approval: released with ``Checkout.approve`` (placed once, even across a
kill between the approval and the placement) or refused with ``Checkout.reject`` (never placed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
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
    OrderNotHeldError,
    hookimpl,
)
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import OutcomeStatus
from csp_commerce.sandbox import Sandbox
from csp_commerce.store.approvals import ApprovalStatus
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog

HERE = Path(__file__).resolve().parent


class HoldForFinance:
    """Holds every order whose id starts with ``held-`` for the finance team."""

    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
        if order.id.startswith("held-"):
            return ApprovalDecision(approved=False, reason="over budget", held_by="finance")
        return None


def make_checkout(sandbox: Sandbox, tmp_path: Path, recorder: Recorder) -> Checkout:
    hooks = HookManager(entry_points=False, plugins=[recorder, HoldForFinance()])
    provisioner = Provisioner(client_for(sandbox), Ledger(tmp_path / "ledger.sqlite3"), hooks)
    return Checkout(
        hooks=hooks, mca_log=McaEvidenceLog(tmp_path / "mca.sqlite3"), provisioner=provisioner
    )


def held_order(checkout: Checkout, sandbox: Sandbox, n: int = 1) -> Order:
    order = new_customer_order(n, OrderLine(offer=offer(sandbox, "Office 365 E3"), quantity=3))
    order = order.model_copy(update={"id": f"held-{n}"})
    assert checkout.record_mca_acceptance(acceptance(order)) == []
    result = checkout.place(order)
    assert result.approval is not None
    assert not result.approval.approved
    assert result.outcome is None
    return order


def bought(sandbox: Sandbox) -> int:
    """Every order Partner Center took, across its customers."""
    return sum(len(customer.orders) for customer in sandbox.world.customers.values())


def test_a_held_order_waits_in_the_queue_and_placing_it_again_sends_nothing(
    tmp_path: Path,
) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)

    (held,) = checkout.held_orders()
    assert (held.order_id, held.status, held.held_reason, held.held_by) == (
        order.id,
        ApprovalStatus.HELD,
        "over budget",
        "finance",
    )
    again = checkout.place(order)
    assert again.approval is not None
    assert not again.approval.approved
    assert again.approval.reason == "over budget"
    assert sandbox.world.customers == {}
    assert bought(sandbox) == 0


def test_approve_places_the_order_once(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)

    result = checkout.approve(order.id, by="grace@partner.example")

    assert result.outcome is not None
    assert result.outcome.status is OutcomeStatus.PLACED
    assert result.approval == ApprovalDecision(
        approved=True, reason="approved by grace@partner.example", held_by="finance"
    )
    assert bought(sandbox) == 1
    assert recorder.provisioned[order.id] == 1
    assert checkout.held_orders() == []
    (approved,) = checkout.held_orders(ApprovalStatus.APPROVED)
    assert approved.decided_by == "grace@partner.example"
    # Approving or placing it again answers with the placement, buying nothing more.
    assert checkout.approve(order.id).outcome == result.outcome
    assert checkout.place(order).outcome == result.outcome
    assert checkout.resume() == []
    assert bought(sandbox) == 1
    assert recorder.provisioned[order.id] == 1


def test_a_rejected_order_is_never_placed(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)

    rejected = checkout.reject(order.id, "no budget this quarter", by="grace")

    assert rejected.status is ApprovalStatus.REJECTED
    assert rejected.decision_reason == "no budget this quarter"
    again = checkout.place(order)
    assert again.approval is not None
    assert not again.approval.approved
    assert again.approval.reason == "rejected by grace: no budget this quarter"
    with pytest.raises(OrderNotHeldError, match="rejected"):
        checkout.approve(order.id)
    assert checkout.reject(order.id, "another reason").decision_reason == (
        "no budget this quarter"  # the first decision stands
    )
    assert checkout.resume() == []
    assert sandbox.world.customers == {}
    assert bought(sandbox) == 0


def test_an_approved_order_cannot_be_rejected_nor_an_unknown_one_decided(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)
    checkout.approve(order.id)

    with pytest.raises(OrderNotHeldError, match="approved"):
        checkout.reject(order.id, "too late")
    with pytest.raises(OrderNotHeldError, match="not held"):
        checkout.approve("never-seen")
    with pytest.raises(OrderNotHeldError, match="not held"):
        checkout.reject("never-seen", "why")


def test_an_order_with_problems_when_approved_is_held_again(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)
    # Meanwhile another order takes the held order's tenant domain.
    rival = new_customer_order(2, *order.lines)
    rival = rival.model_copy(
        update={"customer": rival.customer.model_copy(update={"company": order.customer.company})}
    )
    assert checkout.record_mca_acceptance(acceptance(rival)) == []
    assert checkout.place(rival).outcome is not None
    assert bought(sandbox) == 1

    result = checkout.approve(order.id)

    assert [problem.code for problem in result.problems] == ["tenant.domain_taken"]
    assert result.outcome is None
    (held,) = checkout.held_orders()
    assert held.order_id == order.id
    assert held.decision_reason == "approved, but it has Problems now: tenant.domain_taken"
    assert checkout.resume() == []
    assert bought(sandbox) == 1


class Killed(BaseException):
    """The process dies here (nothing catches a BaseException the library does not know)."""


def test_a_kill_between_approval_and_placement_is_placed_once_by_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)

    def die(*_: object, **__: object) -> None:
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(Provisioner, "placing", die)
        with pytest.raises(Killed):
            checkout.approve(order.id)
    assert bought(sandbox) == 0

    restarted = make_checkout(sandbox, tmp_path, recorder)
    (outcome,) = restarted.resume()

    assert outcome.order_id == order.id
    assert outcome.status is OutcomeStatus.PLACED
    assert bought(sandbox) == 1
    assert restarted.resume() == []
    assert restarted.approve(order.id).outcome == outcome
    assert bought(sandbox) == 1
    assert recorder.provisioned[order.id] == 1


KILLED_APPROVER = textwrap.dedent(
    """
    import os, signal, sys
    from csp_commerce import Checkout, HookManager
    from csp_commerce.fulfilment.order_saga import Provisioner
    from csp_commerce.sandbox import Sandbox
    from csp_commerce.store.ledger import Ledger
    from fulfilment_world import client_for

    def killed(*_args, **_kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # between the approval and the placement

    Checkout._place = killed
    hooks = HookManager(entry_points=False)
    provisioner = Provisioner(client_for(Sandbox(seed=5)), Ledger(sys.argv[1]), hooks)
    Checkout(hooks=hooks, provisioner=provisioner).approve(sys.argv[2], by="grace")
    """
)


def test_an_approver_killed_with_sigkill_leaves_the_order_for_resume(tmp_path: Path) -> None:
    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)

    done = subprocess.run(
        [sys.executable, "-c", KILLED_APPROVER, str(tmp_path / "ledger.sqlite3"), order.id],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert checkout.held_orders() == []
    assert bought(sandbox) == 0

    (outcome,) = make_checkout(sandbox, tmp_path, recorder).resume()

    assert outcome.status is OutcomeStatus.PLACED
    assert bought(sandbox) == 1
    assert recorder.provisioned[order.id] == 1


def test_a_decision_only_touches_an_order_held_against_the_same_partner_center() -> None:
    with Ledger(":memory:") as ledger:
        queue = ledger.approvals
        queue.hold("o-1", "c-1", "{}", target="live:partner-a", reason="big", held_by=None)

        assert queue.decide("o-1", ApprovalStatus.APPROVED, target="sandbox") is None
        assert queue.decide("o-1", ApprovalStatus.REJECTED, target="sandbox") is None
        record = queue.get("o-1")
        assert record is not None
        assert record.status is ApprovalStatus.HELD
        assert queue.all(target="sandbox") == []
        decided = queue.decide("o-1", ApprovalStatus.APPROVED, target="live:partner-a", by="g")
        assert decided is not None
        assert (decided.status, decided.decided_by) == (ApprovalStatus.APPROVED, "g")
        # The first decision stands.
        again = queue.decide("o-1", ApprovalStatus.REJECTED, target="live:partner-a")
        assert again is not None
        assert again.status is ApprovalStatus.APPROVED
        with pytest.raises(ValueError, match="hold_again"):
            queue.decide("o-1", ApprovalStatus.HELD, target="live:partner-a")


def test_resume_leaves_an_approved_order_it_cannot_place_yet_for_the_next_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csp_commerce.errors import ProvisioningInterrupted

    sandbox, recorder = Sandbox(seed=5), Recorder()
    checkout = make_checkout(sandbox, tmp_path, recorder)
    order = held_order(checkout, sandbox)
    second = held_order(checkout, sandbox, 2)

    def die(*_: object, **__: object) -> None:
        raise Killed

    def unknown(self: Provisioner, order: Order, *_: object, **__: object) -> None:
        raise ProvisioningInterrupted(order.id, TimeoutError("no answer"))

    with monkeypatch.context() as patch:
        patch.setattr(Provisioner, "placing", die)
        for held in (order, second):
            with pytest.raises(Killed):
                checkout.approve(held.id)
    with monkeypatch.context() as patch:
        patch.setattr(Provisioner, "placing", unknown)
        assert make_checkout(sandbox, tmp_path, recorder).resume() == []  # no exception
    assert bought(sandbox) == 0

    outcomes = make_checkout(sandbox, tmp_path, recorder).resume()

    assert sorted(outcome.order_id for outcome in outcomes) == [order.id, second.id]
    assert bought(sandbox) == 2
