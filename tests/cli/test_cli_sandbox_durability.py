"""A ``csp-commerce checkout`` on the embedded sandbox killed with SIGKILL: the saved sandbox
holds every change the ledger says was made, and the order then completes exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cli_checkout import LINE, good_order, order_file, record_mca

from csp_commerce.cli import main
from csp_commerce.sandbox import World

# Runs the command with a kill point: "request:N" dies as request N (1-based, reads included)
# arrives, after every earlier answer reached the client; "close" dies when the command is
# done and about to close its environment (the ledger shows the order placed).
WRAPPER = """
import os, signal, sys
from csp_commerce.cli import _env, main
from csp_commerce.sandbox import transport

point = sys.argv[1]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if point == "close":
    _env.Environment.close = die
else:
    limit, count = int(point.split(":")[1]), [0]
    original = transport.SandboxTransport.handle_request

    def handle(self, request):
        count[0] += 1
        if count[0] == limit:
            die()
        return original(self, request)

    transport.SandboxTransport.handle_request = handle
sys.exit(main(sys.argv[2:]))
"""

E3 = {"offer": "Office 365 E3", "quantity": 2, "billingCycle": "monthly", "term": "P1Y"}


def _steps(home: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(home / "sandbox" / "ledger.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM steps")]


def _assert_sandbox_holds_the_ledger(home: Path) -> World:
    world = World.load(home / "sandbox" / "sandbox.json")  # loadable: never a partial file
    for step in _steps(home):
        if step["status"] != "done":
            continue
        assert step["request_id"] in world.requests, step
        result = json.loads(step["result_json"] or "{}")
        if "tenant_id" in result:
            assert result["tenant_id"] in world.customers, step
        held = {s for c in world.customers.values() for s in c.subscriptions}
        for line in (result.get("lines") or {}).values():
            assert line["subscription_id"] in held, step
    return world


# A two-line checkout for a new customer makes 6 requests: a domain check, the country's
# address rules, then writes: the customer, the MCA, one cart for both lines and its checkout.
# "request:N" dies with the first N-1 answered (and recorded in the ledger).
POINTS = [f"request:{n}" for n in range(3, 7)] + ["close"]


@pytest.mark.parametrize("point", POINTS)
def test_a_killed_checkout_leaves_a_sandbox_holding_everything_its_ledger_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], point: str
) -> None:
    record_mca(tmp_path)
    path = order_file(tmp_path, good_order(lines=[dict(LINE), E3]))
    killed = subprocess.run(
        [sys.executable, "-c", WRAPPER, point, "checkout", path, "--home", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if point == "close":
        assert {step["status"] for step in _steps(tmp_path)} == {"done"}
        # tenant, MCA, one purchase of both lines, and the end-of-term action of each
        assert len(_steps(tmp_path)) == 5
    _assert_sandbox_holds_the_ledger(tmp_path)

    # The next command goes on from there and buys each line exactly once (after the dead
    # process's lease on the order has run out, as it would 300 s later).
    with sqlite3.connect(tmp_path / "sandbox" / "ledger.sqlite3") as db:
        db.execute("UPDATE orders SET lease_until = 0")
    capsys.readouterr()
    assert main(["orders", "resume", "--home", str(tmp_path)]) == 0
    assert main(["checkout", path, "--home", str(tmp_path), "--json"]) == 0
    world = _assert_sandbox_holds_the_ledger(tmp_path)
    (customer,) = world.customers.values()
    quantities = sorted(int(s["quantity"]) for s in customer.subscriptions.values())
    assert quantities == [2, 5]
