"""A provisioning process killed with SIGKILL mid-batch; a new process resumes: exactly once.

The sandbox runs over HTTP in its own process (with latency, so the batch takes about a
second), a worker process places orders through an HTTP client into a ledger file, and is
killed once the ledger shows some orders placed. A second worker resumes and places the rest.
Everything listens on 127.0.0.1 only and stops by itself (timeouts everywhere).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from csp_commerce.store.ledger import Ledger, OrderStatus

ORDERS = 30
LEASE_EXPIRED = 301.0
HERE = Path(__file__).resolve().parent
ADMIN = {"Authorization": "Bearer admin-for-the-test"}

WORKER = """
import sys
import time
from csp_commerce import Checkout, OrderLine
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.store.ledger import Ledger
from fulfilment_world import acceptance, hooks_with, new_customer_order, offer, plan_for, Recorder

url, ledger_path, count, later = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
e3 = offer(Sandbox(), "Office 365 E3")
checkout = Checkout(hooks=hooks_with(Recorder()))
client = PartnerCenterClient(SandboxCredential(), base_url=url, timeout=10.0)
ledger = Ledger(ledger_path, clock=lambda: time.time() + later)
provisioner = Provisioner(client, ledger, checkout.hooks)
resumed = provisioner.resume()
print("resumed", len(resumed), flush=True)
for n in range(count):
    order = new_customer_order(n, OrderLine(id="1", offer=e3, quantity=1 + n % 3))
    provisioner.place(order, plan_for(checkout, order), mca=acceptance(order))
print("done", flush=True)
"""


def _placed(ledger: str) -> int:
    with Ledger(ledger) as reading:
        return len(reading.orders(OrderStatus.PLACED))


def _unplaced(ledger: str) -> str:
    """What is not placed (orders, and steps not done, in full), for a failure's message."""
    with Ledger(ledger) as reading:
        orders = [
            (o.order_id, o.status.value) for o in reading.orders() if o.status.value != "placed"
        ]
        steps = [
            (s.operation_id, s.key, s.status.value, s.attempts, s.error)
            for s in reading.steps()
            if s.status.value != "done"
        ]
        return json.dumps({"orders": orders, "steps": steps}, indent=1, default=str)


@pytest.fixture
def server_url() -> object:
    server = subprocess.Popen(
        [sys.executable, "-m", "csp_commerce", "sandbox", "serve", "--port", "0",
         "--latency-ms", "8", "--seed", "5", "--admin-token", "admin-for-the-test"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a killed client's broken pipe is expected noise
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line
        yield line.split("listening on ", 1)[1].split()[0]
    finally:
        server.terminate()
        if server.stdout is not None:
            server.stdout.close()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            server.kill()
            server.wait(timeout=5)


def _worker(url: str, ledger: str, later: float = 0.0) -> subprocess.Popen[str]:
    """A worker process; ``later`` seconds on its clock (a restart after the lease ran out)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url, str(ledger), str(ORDERS), str(later)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_sigkill_mid_batch_then_resume_places_every_order_exactly_once(
    server_url: str, store_url: Callable[[str], str]
) -> None:
    ledger = store_url("ledger")  # a SQLite file, or a PostgreSQL schema: both engines
    _placed(ledger)  # the schema exists before the worker and this test read it
    first = _worker(server_url, ledger)
    deadline = time.monotonic() + 15
    while _placed(ledger) < 3 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.communicate(timeout=5)
    killed_at = _placed(ledger)
    assert first.returncode == -signal.SIGKILL
    assert 3 <= killed_at < ORDERS, "the worker was not killed mid-batch"

    # The dead worker's lease on its current order (300 s) has to run out before another
    # worker may take it: the second worker starts "later" than that.
    second = _worker(server_url, ledger, later=LEASE_EXPIRED)
    out, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert "done" in out

    assert _placed(ledger) == ORDERS, _unplaced(ledger)
    world = httpx.get(f"{server_url}/sandbox/v1/state", headers=ADMIN, timeout=10).json()
    by_domain = {
        customer["customer"]["companyProfile"]["domain"]: customer
        for customer in world["customers"].values()
    }
    for n in range(ORDERS):
        subscriptions = by_domain[f"contoso{n}.onmicrosoft.com"]["subscriptions"]
        assert len(subscriptions) == 1, f"order-{n}: {len(subscriptions)} subscriptions"
        (subscription,) = subscriptions.values()
        assert subscription["quantity"] == 1 + n % 3
    assert len(by_domain) == ORDERS


RACER = """
import sys
from csp_commerce import Checkout, OrderLine
from csp_commerce.errors import OrderBusyError
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.store.ledger import Ledger
from fulfilment_world import acceptance, hooks_with, new_customer_order, offer, plan_for, Recorder

url, ledger_path, count, me = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
e3 = offer(Sandbox(), "Office 365 E3")
checkout = Checkout(hooks=hooks_with(Recorder()))
client = PartnerCenterClient(SandboxCredential(), base_url=url, timeout=10.0)
provisioner = Provisioner(client, Ledger(ledger_path), checkout.hooks)
busy = 0
numbers = range(count) if me == 0 else reversed(range(count))
for n in numbers:  # the two workers meet in the middle, each trying every order
    order = new_customer_order(n, OrderLine(id="1", offer=e3, quantity=1 + n % 3))
    try:
        provisioner.place(order, plan_for(checkout, order), mca=acceptance(order))
    except OrderBusyError:
        busy += 1
print("busy", busy, flush=True)
"""


def test_two_workers_sharing_one_ledger_place_every_order_exactly_once(
    server_url: str, store_url: Callable[[str], str]
) -> None:
    """Two worker processes (on two hosts, with PostgreSQL) take the same orders from both ends
    at once: each order is placed once, by one of them; the other gets OrderBusyError or the
    recorded outcome."""
    ledger = store_url("ledger")
    _placed(ledger)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, server_url, ledger, str(ORDERS), str(me)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for me in (0, 1)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert "busy" in out
    assert _placed(ledger) == ORDERS, _unplaced(ledger)
    world = httpx.get(f"{server_url}/sandbox/v1/state", headers=ADMIN, timeout=10).json()
    by_domain = {
        customer["customer"]["companyProfile"]["domain"]: customer
        for customer in world["customers"].values()
    }
    assert len(by_domain) == ORDERS
    for n in range(ORDERS):
        subscriptions = by_domain[f"contoso{n}.onmicrosoft.com"]["subscriptions"]
        assert len(subscriptions) == 1, f"order-{n}: {len(subscriptions)} subscriptions"
        (subscription,) = subscriptions.values()
        assert subscription["quantity"] == 1 + n % 3
