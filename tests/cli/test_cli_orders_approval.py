"""``csp-commerce orders held|approve|reject``: the orders a host's hook held, and their release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_orders import CONTACT, order

from csp_commerce import ApprovalDecision, CheckoutPlan, HookManager, Order, hookimpl
from csp_commerce.cli import EXIT_OK, EXIT_USAGE, main
from csp_commerce.cli._env import Environment
from csp_commerce.cli.checkout import make_checkout
from csp_commerce.models import McaAcceptance
from csp_commerce.models.agreement import AcceptanceSource
from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID


class HoldEverything:
    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision:
        return ApprovalDecision(approved=False, reason="needs a manager", held_by="managers")


def hold(home: Path, n: int) -> str:
    """Order ``n`` placed through a checkout whose host hook holds it."""
    with Environment(home) as env:
        checkout = make_checkout(env, HookManager(plugins=[HoldEverything()]))
        new = order(env, n)
        checkout.record_mca_acceptance(
            McaAcceptance(
                customer_reference=new.customer.reference, template_id=MCA_TEMPLATE_ID,
                contact=CONTACT, accepted_at="2026-01-01T00:00:00Z",
                source=AcceptanceSource.CUSTOMER, confirmed_by="ada",
            )
        )  # fmt: skip
        result = checkout.place(new)
        assert result.approval is not None and not result.approval.approved
        return new.id


def bought(home: Path) -> int:
    with Environment(home) as env:
        return sum(len(c.orders) for c in env.sandbox.world.customers.values())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_held_lists_the_queue_and_approve_places_the_order_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    order_id = hold(tmp_path, 1)

    code, out, _ = run(capsys, "orders", "held", "--json", *home)
    assert code == EXIT_OK
    (held,) = json.loads(out)
    assert (held["orderId"], held["status"], held["heldReason"], held["heldBy"]) == (
        order_id,
        "held",
        "needs a manager",
        "managers",
    )
    assert bought(tmp_path) == 0

    code, out, _ = run(capsys, "orders", "approve", order_id, "--by", "grace", *home)
    assert code == EXIT_OK
    assert bought(tmp_path) == 1
    code, out, _ = run(capsys, "orders", "show", order_id, "--json", *home)
    assert json.loads(out)["status"] == "placed"
    code, out, _ = run(capsys, "orders", "held", "--status", "approved", "--json", *home)
    (approved,) = json.loads(out)
    assert (approved["decidedBy"], approved["heldAt"][-6:]) == ("grace", "+00:00")

    code, out, _ = run(capsys, "orders", "approve", order_id, *home)
    assert code == EXIT_OK  # approving again shows the placement; nothing is bought again
    assert bought(tmp_path) == 1
    code, out, _ = run(capsys, "orders", "held", *home)
    assert "0 order(s) held" in out
    code, out, _ = run(capsys, "orders", "held", "--status", "approved", *home)
    assert order_id in out
    assert "by grace" in out


def test_reject_refuses_for_good(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(tmp_path))
    order_id = hold(tmp_path, 2)

    code, out, _ = run(capsys, "orders", "reject", order_id, "--reason", "no budget", *home)
    assert code == EXIT_OK
    assert f"order {order_id} rejected: no budget" in out

    code, _, err = run(capsys, "orders", "approve", order_id, *home)
    assert code == EXIT_USAGE  # an InputError: a message, never a traceback
    assert "rejected (no budget)" in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, "orders", "resume", *home)
    assert bought(tmp_path) == 0
    code, out, _ = run(capsys, "orders", "held", "--status", "rejected", *home)
    assert order_id in out


def test_deciding_an_unknown_order_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    code, _, err = run(capsys, "orders", "approve", "nope", *home)
    assert code == EXIT_USAGE
    assert "not held for approval" in err
    code, _, err = run(capsys, "orders", "reject", "nope", "--reason", "why", *home)
    assert code == EXIT_USAGE
    assert "not held for approval" in err
    with pytest.raises(SystemExit) as usage:  # --reason is required
        main(["orders", "reject", "nope", *home])
    assert usage.value.code == EXIT_USAGE


def test_checkout_of_a_held_order_says_how_to_release_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from csp_commerce import CheckoutResult
    from csp_commerce.cli.checkout import show_result

    held = ApprovalDecision(approved=False, reason="needs a manager")
    show_result(CheckoutResult(order_id="o-9", approval=held))
    out = " ".join(capsys.readouterr().out.split())
    assert "held for approval: needs a manager" in out
    assert "csp-commerce orders approve o-9" in out
    assert "csp-commerce orders reject o-9 --reason TEXT" in out
