"""``csp-commerce worker`` on the embedded sandbox: it places what ``Checkout.submit`` recorded,
and its exit code says how the orders went (0 placed, 1 failed for good, 2 unusable options)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment
from csp_commerce.cli.checkout import facts_for, make_checkout
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
from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID
from csp_commerce.store.ledger import OrderStatus

CONTACT = Contact(first_name="Ada", last_name="Lovelace", email="ada@x.example", phone_number="1")


def submit(home: Path, n: int, *, mca: bool = True) -> str:
    """Submit order ``n`` (``mca``: with the customer's acceptance in the evidence log)."""
    with Environment(home) as env:
        checkout = make_checkout(env)
        offer = next(o for o in env.sandbox.catalog.offers() if o.name == "Office 365 E3")
        customer = Customer(
            reference=f"w{n}",
            company=CompanyProfile(company_name=f"W {n}", domain=f"worker{n}.onmicrosoft.com"),
            address=Address(country="US", state="WA", city="Redmond", postal_code="98052",
                            address_line1="1 Microsoft Way"),
            contact=CONTACT,
        )  # fmt: skip
        order = Order(id=f"w-{n}", customer=customer, lines=(OrderLine(offer=offer, quantity=1),))
        acceptance = McaAcceptance(
            customer_reference=customer.reference, template_id=MCA_TEMPLATE_ID, contact=CONTACT,
            accepted_at="2026-01-01T00:00:00Z", source=AcceptanceSource.CUSTOMER,
            confirmed_by="ada",
        )  # fmt: skip
        checkout.record_mca_acceptance(acceptance)
        facts = facts_for(env.client, checkout, order)
        if not mca:  # the storefront said accepted, but nothing is on record to confirm
            checkout.mca_log = None
        result = checkout.submit(order, facts)
        assert result.plan is not None, result.problems
        assert result.outcome is None
    return order.id


def status(home: Path, order_id: str) -> OrderStatus:
    with Environment(home) as env:
        record = env.ledger.order(order_id)
        assert record is not None
        return record.status


def test_the_worker_places_a_submitted_order_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = submit(tmp_path, 1), submit(tmp_path, 2)
    assert status(tmp_path, first) is OrderStatus.PENDING

    assert main(["--home", str(tmp_path), "worker", "--once"]) == 0
    assert "worker done: 1 placed, 0 failed" in capsys.readouterr().out
    assert (status(tmp_path, first), status(tmp_path, second)) == (
        OrderStatus.PLACED,
        OrderStatus.PENDING,
    )
    assert main(["--home", str(tmp_path), "worker", "--until-idle"]) == 0
    assert status(tmp_path, second) is OrderStatus.PLACED
    assert main(["--home", str(tmp_path), "worker", "--until-idle"]) == 0
    assert "0 placed" in capsys.readouterr().out


def test_an_order_that_failed_for_good_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    failing = submit(tmp_path, 3, mca=False)

    assert main(["--home", str(tmp_path), "worker", "--until-idle"]) == 1
    assert "0 placed, 1 failed" in capsys.readouterr().out
    assert status(tmp_path, failing) is OrderStatus.FAILED


def test_the_sandbox_url_cannot_go_with_live(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--home", str(tmp_path), "worker", "--live", "--sandbox-url", "http://x"])

    assert code == 2
    assert "--sandbox-url" in capsys.readouterr().err


def test_requests_per_minute_paces_through_the_budget_every_worker_shares(tmp_path: Path) -> None:
    import sqlite3

    from csp_commerce.cli._env import BUDGET_FILE

    submit(tmp_path, 4)
    assert (
        main(["--home", str(tmp_path), "worker", "--until-idle", "--requests-per-minute", "600"])
        == 0
    )
    with Environment(tmp_path) as env:
        location, target = env.store_location(BUDGET_FILE), env.target
    with sqlite3.connect(location) as db:
        families = dict(
            db.execute("SELECT family, tokens FROM partner_budget WHERE target = ?", (target,))
        )
    # the order's requests took places in the shared buckets (600 a minute: a burst's worth)
    assert {"customers", "carts"} <= families.keys()
    assert all(tokens < 600 for tokens in families.values())
