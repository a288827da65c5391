"""``csp-commerce subscriptions upgrades|upgrade`` and ``csp-commerce transfers
list|create|accept`` against the saved sandbox world."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli_subscriptions import Seeded, run, seed

from csp_commerce.cli._env import Environment

PREMIUM = "Microsoft 365 Business Premium"
OTHER = "0a1b2c3d-0000-4000-8000-00000000beef"


@pytest.fixture
def world(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "home")


def _catalog_id(world: Seeded, title: str) -> str:
    with Environment(world.home) as env:
        return env.sandbox.catalog.find(title).catalog_item_id


def test_upgrades_then_a_partial_upgrade_asked_first(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    premium = _catalog_id(world, PREMIUM)
    code, out, _ = run(capsys, world.args(
        "subscriptions", "upgrades", "--customer", world.customer, world.standard,
    ))  # fmt: skip
    assert code == 0 and premium in out and "transition_only" in out
    upgrade = ("subscriptions", "upgrade", "--customer", world.customer, world.standard, premium,
               "--quantity", "2")  # fmt: skip
    code, out, _ = run(capsys, world.args(*upgrade, "--dry-run"))
    assert code == 0 and "dry run: would upgrade 2 seats" in out
    code, out, _ = run(capsys, world.args(*upgrade, "--yes", "--format", "json"))
    assert code == 0
    done = json.loads(out)
    assert done["newSubscriptionId"] and done["refundUntil"]
    code, out, err = run(capsys, world.args(
        "subscriptions", "upgrade", "--customer", world.customer, world.standard, premium,
        "--quantity", "9", "--yes",
    ))  # fmt: skip
    assert code == 1 and "upgrade.quantity_over_seats" in err


def test_transfers_create_list_and_accept(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    create = (
        "transfers", "create", "--customer", world.customer, "--source-partner", OTHER,
        "--source-name", "Contoso Partner", "--customer-email", "ada@fabrikam.com",
    )  # fmt: skip
    code, out, _ = run(capsys, world.args(*create, "--yes"))
    assert code == 0 and "created: Active" in out
    code, _, err = run(capsys, world.args(
        "transfers", "create", "--customer", world.customer, "--source-partner", "nope",
        "--source-name", "X", "--customer-email", "ada@fabrikam.com", "--yes",
    ))  # fmt: skip
    assert code == 1 and "transfer.source_partner_invalid" in err
    with Environment(world.home) as env:
        outgoing = env.sandbox.request_transfer(world.customer, OTHER)["id"]
    code, out, _ = run(capsys, world.args("transfers", "list", "--customer", world.customer))
    assert code == 0 and outgoing in out and "Contoso Partner" in out
    accept = ("transfers", "accept", "--customer", world.customer, outgoing,
              "--subscription", f"{world.standard}:2")  # fmt: skip
    code, out, _ = run(capsys, world.args(*accept, "--dry-run"))
    assert code == 0 and "nothing was changed" in out
    code, out, _ = run(capsys, world.args(*accept, "--yes"))
    assert code == 0 and "submitted: Complete" in out
    code, out, _ = run(capsys, world.args(
        "subscriptions", "show", "--customer", world.customer, world.standard, "--format", "json"
    ))  # fmt: skip
    assert json.loads(out)["quantity"] == 3
