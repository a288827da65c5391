"""Soak: 200 orders from 4 worker processes on one ledger, through faults and SIGKILLs.

The sandbox runs over HTTP in its own process with injected faults (5xx, timeouts, resets,
commit-then-drop). Four workers place a mix of orders into one SQLite ledger: new customers,
seats added to five *shared* subscriptions (so orders race for the same seat counts), and
add-ons on those subscriptions. A supervisor kills a random worker with SIGKILL every so often
and starts a new one, which resumes what the dead one left. At the end every order is finished
by a last resume, and the sandbox's world is compared with what the orders asked for:

* every shared subscription has exactly its starting seats plus the seats of every placed order;
* every placed order bought exactly what it asked for (no subscription twice, none missing);
* every order ended placed or failed, and the host heard of each at least once.

Run: ``python bench/soak_exactly_once.py [--orders 200] [--workers 4] [--kills 25]``. Everything
listens on 127.0.0.1, and every wait is bounded; it stops by itself.
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import httpx

from csp_commerce import (
    AcceptanceSource,
    Address,
    Checkout,
    CheckoutFacts,
    CompanyProfile,
    Contact,
    Customer,
    HookManager,
    Ledger,
    McaAcceptance,
    McaFacts,
    Offer,
    Order,
    OrderLine,
    PartnerCenterClient,
    Provisioner,
    ProvisioningInterrupted,
    Sandbox,
    SandboxCredential,
    TenantFacts,
    hookimpl,
)
from csp_commerce.errors import OrderBusyError
from csp_commerce.models import (
    BillingCycle,
    CheckoutPlan,
    LineAction,
    LinePlan,
    TenantAction,
    TenantResolution,
)

SHARED = 5
START_SEATS = 10
ADMIN = "soak-admin"
LEASE = 2.0  # seconds: a dead worker's order is taken over quickly
CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+14255550100"
)


def customer(n: int) -> Customer:
    return Customer(
        reference=f"soak-{n}",
        company=CompanyProfile(company_name=f"Soak {n}", domain=f"soak{n}x.onmicrosoft.com"),
        address=Address(
            country="US", city="Redmond", state="WA", postal_code="98052",
            address_line1="1 Microsoft Way", first_name="Ada", last_name="Lovelace",
        ),
        contact=CONTACT,
    )  # fmt: skip


def acceptance(order: Order) -> McaAcceptance:
    return McaAcceptance(
        customer_reference=order.customer.reference,
        template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
        contact=CONTACT,
        accepted_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        source=AcceptanceSource.CUSTOMER,
        confirmed_by="ada@example.com",
    )


class Heard:
    """A host plugin appending each notification to a file (one line per notification)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @hookimpl
    def csp_order_provisioned(self, order: Order, outcome: object) -> None:
        with self.path.open("a") as out:
            out.write(f"placed {order.id}\n")

    @hookimpl
    def csp_order_failed(self, order: Order, outcome: object) -> None:
        with self.path.open("a") as out:
            out.write(f"failed {order.id}\n")


def client(url: str) -> PartnerCenterClient:
    return PartnerCenterClient(SandboxCredential(), base_url=url, timeout=5.0, max_retries=2)


def provisioner(url: str, ledger: Path, heard: Path) -> Provisioner:
    hooks = HookManager(entry_points=False, plugins=[Heard(heard)])
    return Provisioner(client(url), Ledger(ledger), hooks, lease_seconds=LEASE, lock_wait=1.0)


def offers() -> dict[str, Offer]:
    """The sandbox's catalog (the same seed data the served sandbox sells from), by name."""
    return {offer.name: offer for offer in Sandbox().catalog.offers()}


def plans(spec: dict[str, object]) -> list[tuple[Order, CheckoutPlan, bool]]:
    """Every order of the soak and its plan, from the setup's ``spec``: order n is a new
    customer (n % 3 == 0), seats on shared subscription n % 5, or an add-on on it."""
    catalog = offers()
    e3, phone = catalog["Office 365 E3"], catalog["Microsoft Teams Phone Standard"]
    shared: list[dict[str, str]] = spec["shared"]  # type: ignore[assignment]
    checkout = Checkout(hooks=HookManager(entry_points=False))
    result: list[tuple[Order, CheckoutPlan, bool]] = []
    for n in range(int(spec["orders"])):  # type: ignore[call-overload]
        if n % 3 == 0:
            order = Order(id=f"o{n}", customer=customer(1000 + n),
                          lines=(OrderLine(id="1", offer=e3, quantity=2),))  # fmt: skip
            facts = CheckoutFacts(
                mca=McaFacts(accepted=True),
                tenant=TenantFacts(domain=order.customer.company.domain, domain_available=True),
            )
            validated = checkout.validate(order, facts)
            assert validated.plan is not None, validated.problems
            result.append((order, validated.plan, True))
            continue
        target = shared[n % SHARED]
        seats = n % 3 == 1
        line = LinePlan(
            line_id="1",
            action=LineAction.ADD_QUANTITY if seats else LineAction.ADD_ON,
            offer_id=e3.id if seats else phone.id,
            quantity=1 + n % 4,
            billing_cycle=BillingCycle.MONTHLY,
            term_duration=sorted(e3.term_durations if seats else phone.term_durations)[0],
            subscription_id=target["subscription_id"],
        )
        order = Order(id=f"o{n}", customer=customer(target["n"]),  # type: ignore[arg-type]
                      lines=(OrderLine(id="1", offer=e3, quantity=1),))  # fmt: skip
        plan = CheckoutPlan(
            order_id=order.id,
            tenant=TenantResolution(action=TenantAction.USE_EXISTING, tenant_id=target["tenant"]),
            lines=(line,),
        )
        result.append((order, plan, False))
    return result


def worker(url: str, ledger: Path, heard: Path, spec_path: Path, index: int, count: int) -> None:
    spec = json.loads(spec_path.read_text())
    placing = provisioner(url, ledger, heard)
    while True:
        try:
            placing.resume()
            break
        except Exception:
            time.sleep(0.05)
    for n, (order, plan, new) in enumerate(plans(spec)):
        if n % count != index:
            continue
        try:
            placing.place(order, plan, mca=acceptance(order) if new else None)
        except (ProvisioningInterrupted, OrderBusyError):
            continue  # finished by a later resume
    print("done", flush=True)


def start_server(seed: int, fault_rate: float) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "csp_commerce", "sandbox", "serve", "--port", "0",
         "--seed", str(seed), "--fault-rate", str(fault_rate), "--latency-ms", "2",
         "--admin-token", ADMIN],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline()
    assert "listening on http://127.0.0.1:" in line, line
    return server, line.split("listening on ", 1)[1].split()[0]


def set_faults(url: str, rate: float) -> None:
    httpx.put(
        f"{url}/sandbox/v1/faults",
        json={"seed": 3, "serverErrorRate": rate / 4, "timeoutRate": rate / 4,
              "connectionResetRate": rate / 4, "commitThenDropRate": rate / 4},
        headers={"Authorization": f"Bearer {ADMIN}"},
        timeout=10,
    ).raise_for_status()  # fmt: skip


def setup(url: str, folder: Path, orders: int) -> Path:
    """Five customers with one E3 subscription of START_SEATS seats each (no faults)."""
    e3 = offers()["Office 365 E3"]
    placing = provisioner(url, folder / "setup.sqlite3", folder / "setup-heard.txt")
    checkout = Checkout(hooks=HookManager(entry_points=False))
    shared = []
    for n in range(SHARED):
        order = Order(id=f"setup-{n}", customer=customer(n),
                      lines=(OrderLine(id="1", offer=e3, quantity=START_SEATS),))  # fmt: skip
        facts = CheckoutFacts(
            mca=McaFacts(accepted=True),
            tenant=TenantFacts(domain=order.customer.company.domain, domain_available=True),
        )
        plan = checkout.validate(order, facts).plan
        assert plan is not None
        outcome = placing.place(order, plan, mca=acceptance(order))
        assert outcome.placed, outcome
        shared.append(
            {"n": n, "tenant": outcome.customer_tenant_id,
             "subscription_id": outcome.lines[0].subscription_id}
        )  # fmt: skip
    spec = {"shared": shared, "orders": orders}
    path = folder / "spec.json"
    path.write_text(json.dumps(spec))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kills", type=int, default=25)
    parser.add_argument("--fault-rate", type=float, default=0.08)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--worker", nargs=5, metavar=("URL", "LEDGER", "HEARD", "SPEC", "INDEX"))
    args = parser.parse_args()
    if args.worker:
        url, ledger, heard, spec, index = args.worker
        worker(url, Path(ledger), Path(heard), Path(spec), int(index), args.workers)
        return 0
    rng = random.Random(args.seed)
    folder = Path(tempfile.mkdtemp(prefix="soak-"))
    server, url = start_server(args.seed, 0.0)
    started = time.monotonic()
    try:
        spec = setup(url, folder, args.orders)
        set_faults(url, args.fault_rate)
        ledger, heard = folder / "ledger.sqlite3", folder / "heard.txt"

        def spawn(index: int) -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, __file__, "--workers", str(args.workers), "--worker",
                 url, str(ledger), str(heard), str(spec), str(index)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip

        workers = {index: spawn(index) for index in range(args.workers)}
        kills = 0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.2, 0.8))
            running = [i for i, p in workers.items() if p.poll() is None]
            if not running:
                break
            if kills < args.kills:
                victim = rng.choice(running)
                workers[victim].send_signal(signal.SIGKILL)
                workers[victim].wait(timeout=10)
                kills += 1
                workers[victim] = spawn(victim)  # a new process for the same share
        for process in workers.values():
            process.communicate(timeout=120)
        set_faults(url, 0.0)
        final = provisioner(url, ledger, heard)
        for _ in range(50):
            final.resume()
            if not final.ledger.unfinished():
                break
            time.sleep(LEASE)
        elapsed = time.monotonic() - started
        return verify(url, ledger, heard, json.loads(spec.read_text()), kills, elapsed)
    finally:
        server.terminate()
        server.wait(timeout=10)


def verify(
    url: str, ledger: Path, heard: Path, spec: dict[str, object], kills: int, elapsed: float
) -> int:
    world = httpx.get(
        f"{url}/sandbox/v1/state", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
    ).json()
    with sqlite3.connect(ledger) as db:
        status = dict(db.execute("SELECT order_id, status FROM orders").fetchall())
    placed = {order_id for order_id, s in status.items() if s == "placed"}
    subscriptions = {
        sub_id: sub
        for entry in world["customers"].values()
        for sub_id, sub in entry["subscriptions"].items()
    }
    problems = []
    shared: list[dict[str, str]] = spec["shared"]  # type: ignore[assignment]
    for target in shared:
        expected = START_SEATS + sum(
            plan.lines[0].quantity
            for order, plan, _ in plans(spec)
            if order.id in placed
            and plan.lines[0].action is LineAction.ADD_QUANTITY
            and plan.lines[0].subscription_id == target["subscription_id"]
        )
        actual = subscriptions[target["subscription_id"]]["quantity"]
        if actual != expected:
            problems.append(f"subscription {target['subscription_id']}: {actual} != {expected}")
        addons_expected = sum(
            1
            for order, plan, _ in plans(spec)
            if order.id in placed
            and plan.lines[0].action is LineAction.ADD_ON
            and plan.lines[0].subscription_id == target["subscription_id"]
        )
        addons = [
            s for s in subscriptions.values()
            if s.get("parentSubscriptionId") == target["subscription_id"]
            and s["status"] != "deleted"
        ]  # fmt: skip
        if len(addons) != addons_expected:
            problems.append(
                f"add-ons on {target['subscription_id']}: {len(addons)} != {addons_expected}"
            )
    new_orders = sum(1 for order, _, new in plans(spec) if new and order.id in placed)
    new_tenants = len(world["customers"]) - SHARED
    if new_tenants != new_orders:
        problems.append(f"new tenants {new_tenants} != placed new-customer orders {new_orders}")
    heard_counts = Counter(line.split()[1] for line in heard.read_text().splitlines())
    unheard = [
        order
        for order, s in status.items()
        if s in ("placed", "failed") and not heard_counts[order]
    ]
    unfinished = [order for order, s in status.items() if s not in ("placed", "failed")]
    failed = sum(1 for s in status.values() if s == "failed")
    print(
        f"orders {len(status)}: placed {len(placed)}, failed {failed}, unfinished {len(unfinished)}"
    )
    print(f"SIGKILLs {kills}; wall time {elapsed:.1f} s; subscriptions {len(subscriptions)}")
    print(f"host notifications: {sum(heard_counts.values())} for {len(heard_counts)} orders "
          f"(at least once; {sum(1 for c in heard_counts.values() if c > 1)} told twice), "
          f"{len(unheard)} never told")  # fmt: skip
    for problem in problems:
        print("MISMATCH", problem)
    ok = not problems and not unfinished and not unheard
    print("exactly once: every seat total exact, nothing bought twice" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
