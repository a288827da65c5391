"""``csp-commerce orders list|show|resume``: the ledger's orders, their steps, and resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment
from csp_commerce.cli.checkout import facts_for, make_checkout
from csp_commerce.errors import ProvisioningInterrupted
from csp_commerce.models import (
    Address,
    CompanyProfile,
    Contact,
    Customer,
    McaAcceptance,
    Order,
    OrderLine,
)
from csp_commerce.models.agreement import AcceptanceSource
from csp_commerce.sandbox import Fault
from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID
from csp_commerce.store.ledger import OrderStatus, StepStatus

CONTACT = Contact(first_name="Ada", last_name="Lovelace", email="ada@x.example", phone_number="1")


def order(env: Environment, n: int) -> Order:
    offer = next(o for o in env.sandbox.catalog.offers() if o.name == "Office 365 E3")
    customer = Customer(
        reference=f"c{n}",
        company=CompanyProfile(company_name=f"C {n}", domain=f"orders{n}.onmicrosoft.com"),
        address=Address(country="US", state="WA", city="Redmond", postal_code="98052",
                        address_line1="1 Microsoft Way"),
        contact=CONTACT,
    )  # fmt: skip
    return Order(
        id=f"o-{n}", customer=customer, lines=(OrderLine(id="1", offer=offer, quantity=2),)
    )


def place(home: Path, n: int, *, interrupt: bool = False) -> None:
    """Place order ``n``; with ``interrupt`` its checkout's answer is lost every time."""
    with Environment(home) as env:
        checkout = make_checkout(env)
        new = order(env, n)
        acceptance = McaAcceptance(
            customer_reference=new.customer.reference, template_id=MCA_TEMPLATE_ID,
            contact=CONTACT, accepted_at="2026-01-01T00:00:00Z",
            source=AcceptanceSource.CUSTOMER, confirmed_by="ada",
        )  # fmt: skip
        checkout.record_mca_acceptance(acceptance)
        facts = facts_for(env.client, checkout, new)
        if interrupt:
            with pytest.raises(ProvisioningInterrupted):
                _place_with_lost_checkout(env, checkout, new, facts)
        else:
            result = checkout.place(new, facts)
            assert result.outcome is not None and result.outcome.placed


def _place_with_lost_checkout(
    env: Environment, checkout: object, new: Order, facts: object
) -> None:
    from csp_commerce.checkout import Checkout
    from csp_commerce.fulfilment.order_saga import Provisioner

    assert isinstance(checkout, Checkout)
    client = env.client.with_options(sleep=lambda _: None)
    checkout.provisioner = Provisioner(client, env.ledger, checkout.hooks)
    sandbox = env.sandbox
    # Every attempt of the cart checkout is applied, then its answer is lost: after the
    # retries the order stays half placed (the checkout step SENT) until resumed.
    original = sandbox.app.exchange

    def exchange(method: str, path: str, *args: object, **kwargs: object) -> object:
        if method == "POST" and path.endswith("/checkout"):
            sandbox.faults.force(Fault.COMMIT_THEN_DROP)
        return original(method, path, *args, **kwargs)  # type: ignore[arg-type]

    sandbox.app.exchange = exchange  # type: ignore[method-assign]
    try:
        checkout.place(new, facts)  # type: ignore[arg-type]
    finally:
        sandbox.app.exchange = original  # type: ignore[method-assign]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_and_show_give_status_steps_and_request_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    place(tmp_path, 1)
    home = ("--home", str(tmp_path))

    code, out, _ = run(capsys, "orders", "list", *home)
    assert code == 0 and "o-1" in out and "placed" in out

    code, out, _ = run(capsys, "orders", "show", "o-1", "--json", *home)
    shown = json.loads(out)
    assert code == 0 and shown["status"] == "placed"
    kinds = [step["kind"] for step in shown["steps"]]
    assert kinds == ["create_customer", "confirm_mca", "purchase", "set_end_of_term"]
    with Environment(tmp_path) as env:
        ids = [step.request_id for step in env.ledger.steps("o-1")]
    assert [step["requestId"] for step in shown["steps"]] == ids

    code, out, _ = run(capsys, "orders", "show", "o-1", *home)
    assert code == 0 and "create_customer" in out and ids[0][:8] in out

    code, _, err = run(capsys, "orders", "show", "nope", *home)
    assert code == 2 and "no order 'nope'" in err


def test_resume_finishes_an_interrupted_order_without_buying_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    place(tmp_path, 2, interrupt=True)
    with Environment(tmp_path) as env:
        (record,) = env.ledger.unfinished()
        assert env.ledger.get_step(record.order_id, "purchase").status is StepStatus.SENT  # type: ignore[union-attr]

    code, out, _ = run(capsys, "orders", "resume", "--home", str(tmp_path))

    assert code == 0, out
    assert "resumed 1 of 1" in out and "1 placed" in out
    with Environment(tmp_path) as env:
        assert env.ledger.order("o-2").status is OrderStatus.PLACED  # type: ignore[union-attr]
        subscriptions = [
            sub for c in env.sandbox.world.customers.values() for sub in c.subscriptions.values()
        ]
    assert len(subscriptions) == 1

    code, out, _ = run(capsys, "orders", "resume", "--home", str(tmp_path))
    assert code == 0 and "nothing to resume" in out


def test_resume_also_finishes_a_subscription_change_whose_answer_was_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from csp_commerce.errors import UNKNOWN_OUTCOME_ERRORS
    from csp_commerce.operations import SubscriptionManager

    place(tmp_path, 3)
    with Environment(tmp_path) as env:
        (customer,) = env.sandbox.world.customers.values()
        (subscription_id,) = customer.subscriptions
        manager = SubscriptionManager(env.client.with_options(max_retries=0), env.ledger)
        original = env.sandbox.app.exchange

        def exchange(method: str, path: str, *args: object, **kwargs: object) -> object:
            if method == "PATCH":  # applied, then the answer is lost
                env.sandbox.faults.force(Fault.COMMIT_THEN_DROP)
            return original(method, path, *args, **kwargs)  # type: ignore[arg-type]

        env.sandbox.app.exchange = exchange  # type: ignore[method-assign]
        with pytest.raises(UNKNOWN_OUTCOME_ERRORS):
            manager.set_quantity(customer.id, subscription_id, 7, operation_id="op-7")
        env.sandbox.app.exchange = original  # type: ignore[method-assign]
        assert env.ledger.get_step("op-7", "change").status is StepStatus.SENT  # type: ignore[union-attr]

    code, out, _ = run(capsys, "orders", "resume", "--home", str(tmp_path))

    assert code == 0, out
    assert "finished 1 subscription change(s) left unknown: 1 made" in out
    with Environment(tmp_path) as env:
        assert env.ledger.get_step("op-7", "change").status is StepStatus.DONE  # type: ignore[union-attr]
        (customer,) = env.sandbox.world.customers.values()
        assert [s["quantity"] for s in customer.subscriptions.values()] == [7]
