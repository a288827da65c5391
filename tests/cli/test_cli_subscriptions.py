"""``csp-commerce subscriptions``: every action against the saved sandbox world, and the
ledger-backed history. Also the world the other operations CLI tests start from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.money import PriceEntry, PriceList
from csp_commerce.sandbox import Sandbox
from csp_commerce.sandbox.commerce_routes import CYCLE_MONTHS

STANDARD = "Microsoft 365 Business Standard"
E3 = "Office 365 E3"
PHONE = "Microsoft Teams Phone Standard"


@dataclass
class Seeded:
    home: Path
    customer: str
    standard: str  # Business Standard, 5 seats, monthly
    e3: str  # Office 365 E3, 1 seat, annual
    prices: Path

    def args(self, *argv: str) -> list[str]:
        return [*argv, "--home", str(self.home)]


def _post(http: httpx.Client, path: str, body: Any = None) -> Any:
    response = http.post(path, json=body)
    assert response.is_success, response.text
    return response.json()


def buy(http: httpx.Client, sandbox: Sandbox, customer: str, title: str, **line: Any) -> str:
    item = sandbox.catalog.find(title)
    body = {"id": 0, "catalogItemId": item.catalog_item_id, "quantity": 1,
            "billingCycle": "monthly", "termDuration": "P1Y", **line}  # fmt: skip
    cart = _post(http, f"/v1/customers/{customer}/carts", {"lineItems": [body]})
    done = _post(http, f"/v1/customers/{customer}/carts/{cart['id']}/checkout")
    return str(done["orders"][0]["lineItems"][0]["subscriptionId"])


def price_list(sandbox: Sandbox) -> PriceList:
    entries = [
        PriceEntry(
            offer_id=item.catalog_item_id,
            billing_cycle=BillingCycle(cycle),
            term=TermDuration(term),
            currency="USD",
            unit_cost=item.monthly_price(term, cycle) * CYCLE_MONTHS[cycle],
            unit_list_price=(item.monthly_price(term, cycle) * CYCLE_MONTHS[cycle] * Decimal("1.2"))
            .quantize(Decimal("0.01")),
        )
        for item in sandbox.catalog
        for term, cycle in item.terms
    ]  # fmt: skip
    return PriceList(name="sandbox", entries=tuple(entries))


def seed(home: Path) -> Seeded:
    """A customer (MCA accepted) with two subscriptions, in a saved sandbox world."""
    with Environment(home) as env:
        sandbox = env.sandbox
        with sandbox.httpx_client(token="sandbox-user") as http:
            customer = _post(http, "/v1/customers", {
                "companyProfile": {"domain": "fabrikam.onmicrosoft.com"},
                "billingProfile": {
                    "email": "ada@fabrikam.com", "culture": "en-US", "language": "en",
                    "companyName": "Fabrikam",
                    "defaultAddress": {"firstName": "Ada", "lastName": "Lovelace",
                                       "addressLine1": "1 Microsoft Way", "city": "Redmond",
                                       "state": "WA", "postalCode": "98052", "country": "US"},
                },
            })["id"]  # fmt: skip
            _post(http, f"/v1/customers/{customer}/agreements", {
                "primaryContact": {"firstName": "Ada", "lastName": "Lovelace",
                                   "email": "ada@fabrikam.com"},
                "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
                "dateAgreed": "2025-01-01T00:00:00Z", "type": "MicrosoftCustomerAgreement",
            })  # fmt: skip
            standard = buy(http, sandbox, customer, STANDARD, quantity=5)
            e3 = buy(http, sandbox, customer, E3, billingCycle="annual")
        prices = home / "prices.json"
        prices.write_text(price_list(sandbox).model_dump_json(), "utf-8")
    return Seeded(home, str(customer), standard, e3, prices)


@pytest.fixture
def world(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "home")


def run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_and_show(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, world.args("subscriptions", "list", "--customer", world.customer))
    assert code == 0
    assert world.standard in out
    assert STANDARD in out
    code, out, _ = run(
        capsys, world.args("subscriptions", "show", "--customer", world.customer, world.standard)
    )
    assert code == 0
    assert "cancellable until" in out


def test_set_quantity_previews_the_new_monthly_cost(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, world.args(
        "subscriptions", "set-quantity", "--customer", world.customer, world.standard, "8",
        "--price-list", str(world.prices),
    ))  # fmt: skip
    assert code == 0
    # Business Standard, annual term billed monthly: cost 12.50 + 5 % = 13.13 a seat, list
    # price 13.13 x 1.2 = 15.76; three more seats
    assert "new monthly cost change: +47.28 USD" in out
    code, out, _ = run(capsys, world.args(
        "subscriptions", "show", "--customer", world.customer, world.standard, "--format", "json"
    ))  # fmt: skip
    assert json.loads(out)["quantity"] == 8


def test_same_operation_id_is_done_once(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    argv = world.args(
        "subscriptions", "set-quantity", "--customer", world.customer, world.standard, "6",
        "--operation-id", "ticket-42", "--format", "json",
    )  # fmt: skip
    first = json.loads(run(capsys, argv)[1])
    second = json.loads(run(capsys, argv)[1])
    assert not first["replayed"]
    assert second["replayed"]
    assert second["requestId"] == first["requestId"]


def test_suspend_reactivate_auto_renew_and_history(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ("suspend",), ("reactivate",), ("auto-renew", "off"),
    ):  # fmt: skip
        code, _, err = run(capsys, world.args(
            "subscriptions", argv[0], "--customer", world.customer, world.standard, *argv[1:],
            "--actor", "alice", *(["--yes"] if argv[0] == "suspend" else []),
        ))  # fmt: skip
        assert code == 0, err
    code, out, _ = run(capsys, world.args(
        "subscriptions", "history", "--customer", world.customer, world.standard,
        "--format", "json",
    ))  # fmt: skip
    entries = json.loads(out)
    assert [e["summary"] for e in entries] == ["suspended", "reactivated", "auto-renew off"]
    assert {e["actor"] for e in entries} == {"alice"}
    assert all(e["requestId"] for e in entries)
    code, out, _ = run(capsys, world.args(
        "subscriptions", "history", "--customer", world.customer, world.standard
    ))  # fmt: skip
    assert "alice" in out
    assert entries[0]["requestId"] in out


def test_cancel_outside_the_window_exits_1_with_a_problem(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    with Environment(world.home) as env:  # eight days later, in the subscription's own field
        subscription = env.sandbox.world.customers[world.customer].subscriptions[world.standard]
        subscription["cancellationAllowedUntilDate"] = "2020-01-01T00:00:00Z"
    code, _, err = run(capsys, world.args(
        "subscriptions", "cancel", "--customer", world.customer, world.standard, "--yes"
    ))  # fmt: skip
    assert code == 1
    assert "subscription.cancellation_window_closed" in err
    assert "2020-01-01" in err
    with Environment(world.home) as env:
        assert env.client.subscriptions.get(world.customer, world.standard).status == "active"


def test_cancel_inside_the_window(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    cancel = ("subscriptions", "cancel", "--customer", world.customer, world.e3)
    code, out, _ = run(capsys, world.args(*cancel, "--dry-run"))
    assert code == 0 and "dry run: would cancel subscription" in out
    code, _, err = run(capsys, world.args(*cancel))  # a script, not a terminal: refused
    assert code == 2 and "--yes" in err
    with Environment(world.home) as env:
        assert env.client.subscriptions.get(world.customer, world.e3).status == "active"
    code, out, _ = run(capsys, world.args(*cancel, "--yes"))
    assert code == 0
    assert "deleted" in out


def test_a_person_at_a_terminal_is_asked(
    world: Seeded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["n", "y"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    suspend = ("subscriptions", "suspend", "--customer", world.customer, world.standard)
    code, out, _ = run(capsys, world.args(*suspend))
    assert code == 0 and "nothing was changed" in out
    with Environment(world.home) as env:
        assert env.client.subscriptions.get(world.customer, world.standard).status == "active"
    code, out, _ = run(capsys, world.args(*suspend))
    assert code == 0
    with Environment(world.home) as env:
        assert env.client.subscriptions.get(world.customer, world.standard).status == "suspended"


def test_addons_buy_and_list(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    with Environment(world.home) as env:
        phone = env.sandbox.catalog.find(PHONE).catalog_item_id
    code, out, err = run(capsys, world.args(
        "subscriptions", "addons", "--customer", world.customer, world.standard,
        "--buy", phone, "--quantity", "2",
    ))  # fmt: skip
    assert code == 0, err
    assert "request id" in out
    code, out, _ = run(capsys, world.args(
        "subscriptions", "addons", "--customer", world.customer, world.standard
    ))  # fmt: skip
    assert PHONE in out


def test_an_unknown_subscription_is_exit_2_with_its_problem(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, world.args(
        "subscriptions", "suspend", "--customer", world.customer, "nope", "--yes"
    ))  # fmt: skip
    assert code == 2  # an unknown id (README: exit codes)
    assert "subscription.not_found" in err


@pytest.mark.parametrize("action", [("show",), ("cancel", "--yes")])
def test_an_unknown_customer_is_reported_as_the_customer(
    world: Seeded, capsys: pytest.CaptureFixture[str], action: tuple[str, ...]
) -> None:
    code, _, err = run(capsys, world.args(
        "subscriptions", action[0], "--customer", "no-such-customer", world.standard, *action[1:]
    ))  # fmt: skip
    assert code == 2
    assert "Customer no-such-customer was not found" in err
    assert "subscription.not_found" not in err


def test_bad_price_list_exits_2(world: Seeded, capsys: pytest.CaptureFixture[str]) -> None:
    bad = world.home / "bad.json"
    bad.write_text('{"entries": [{"offerId": ""}]}', "utf-8")
    code, _, err = run(capsys, world.args(
        "subscriptions", "set-quantity", "--customer", world.customer, world.standard, "7",
        "--price-list", str(bad),
    ))  # fmt: skip
    assert code == 2
    assert "is not a price list" in err
    assert "Traceback" not in err
