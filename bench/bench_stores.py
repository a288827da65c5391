"""``Provisioner.resume()`` with nothing to do, at 100 and at 100,000 finished orders, on SQLite
and on PostgreSQL: its cost must not grow with history (target: the same within ±20 %). And
discovery's per-customer read of fingerprints at 1,000 and 10,000 customers x 10 subscriptions
stored: flat (it scanned every fingerprint before the index on their parent).

The finished orders are written straight into the ledger (one transaction), each with two done
steps, as placed orders leave them. PostgreSQL: ``--postgres URL``, or a throwaway server started
from the system's binaries (as the tests do). ``--orders`` changes the large history's size.

    python bench/bench_stores.py [--orders 100000] [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from csp_commerce import HookManager
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.store.discovery_store import SUBSCRIPTION, DiscoveryStore
from csp_commerce.store.ledger import Ledger


def fill(ledger: Ledger, target: str, count: int) -> None:
    """``count`` placed, notified orders with two done steps each, as a long history leaves."""
    now = time.time() - 86_400
    orders, steps = [], []
    for n in range(count):
        order_id = f"hist-{n}"
        orders.append(
            (order_id, target, f"cust-{n}", str(uuid.uuid4()), "placed", "{}", "{}", "{}", 1,
             None, 0, now, now)
        )  # fmt: skip
        for seq, key in enumerate(("tenant", "purchase")):
            steps.append(
                (order_id, key, seq, key, target, str(uuid.uuid4()), "done", 1, "{}", "{}",
                 None, f"c{n}", None, None, None, now, now)
            )  # fmt: skip
    with ledger._db.transaction() as db:
        db.executemany(f"INSERT INTO orders VALUES ({', '.join('?' * 13)})", orders)
        db.executemany(f"INSERT INTO steps VALUES ({', '.join('?' * 17)})", steps)


def interleaved(calls: dict[str, Callable[[], object]], rounds: int = 2_000) -> dict[str, float]:
    """The median seconds of each call, measured in alternation, in a new random order each
    round (the machine's noise falls on every size alike)."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls.items())
    shuffler = random.Random(7)
    for _ in range(rounds):
        shuffler.shuffle(order)
        for name, call in order:
            started = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}


def bench_resume(fresh: Callable[[], str], histories: tuple[int, ...]) -> dict[str, float]:
    """``resume()`` with nothing to do over each history size."""
    sandbox = Sandbox(seed=1)
    client = PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())
    calls: dict[str, Callable[[], object]] = {}
    ledgers = []
    for history in histories:
        ledger = Ledger(fresh())
        ledgers.append(ledger)
        provisioner = Provisioner(client, ledger, HookManager())
        fill(ledger, provisioner.target, history)
        if ledger._db.engine == "postgresql":
            ledger._db.execute("ANALYZE orders")
        assert provisioner.resume() == []
        calls[f"resume@{history}"] = provisioner.resume
    try:
        return interleaved(calls, rounds=300)
    finally:
        for ledger in ledgers:
            ledger.close()


def bench_fingerprints(fresh: Callable[[], str], subscriptions: int = 10) -> dict[str, float]:
    """Reading one customer's subscription fingerprints (what discovery does per customer)
    with 1,000 and 10,000 customers stored, and with 10,000 but without the parent index (as
    before it)."""
    calls: dict[str, Callable[[], object]] = {}
    stores = []
    for name, customers, indexed in (
        ("fingerprints@1000", 1_000, True),
        ("fingerprints@10000", 10_000, True),
        ("fingerprints@10000-unindexed", 10_000, False),
    ):
        store = DiscoveryStore(fresh())
        stores.append(store)
        for start in range(0, customers, 1_000):
            store.remember(
                "p",
                SUBSCRIPTION,
                (
                    (f"s{c}-{k}", f"c{c}", f"h{c}-{k}")
                    for c in range(start, min(customers, start + 1_000))
                    for k in range(subscriptions)
                ),
            )
        if not indexed:
            store._db.execute("DROP INDEX fingerprints_by_parent")
        if store._db.engine == "postgresql":
            store._db.execute("ANALYZE fingerprints")
        counter = iter(range(10**9))
        calls[name] = lambda store=store, customers=customers, counter=counter: store.fingerprints(
            "p", SUBSCRIPTION, f"c{(next(counter) * 7919) % customers}"
        )
    try:
        unindexed = calls.pop("fingerprints@10000-unindexed")
        return {
            **interleaved(calls, rounds=1_000),
            **interleaved({"fingerprints@10000-unindexed": unindexed}, rounds=20),
        }
    finally:
        for store in stores:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a throwaway server)")
    args = parser.parse_args()
    server = None
    postgres = args.postgres
    if postgres is None:
        from pg_server import _Server

        server = _Server()
        postgres = server.start()
    results: dict[str, dict[str, float]] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            for engine in ("sqlite", "postgresql"):

                def fresh(engine: str = engine) -> str:
                    tag = uuid.uuid4().hex[:8]
                    if engine == "sqlite":
                        return str(Path(folder) / f"{tag}.sqlite3")
                    return f"{postgres}{'&' if '?' in postgres else '?'}schema=bench_{tag}"

                results[engine] = {
                    **bench_resume(fresh, (100, args.orders)),
                    **bench_fingerprints(fresh),
                }
    finally:
        if server is not None:
            server.stop()
    for engine, figures in results.items():
        small, large = figures["resume@100"], figures[f"resume@{args.orders}"]
        print(
            f"{engine:10} resume() with nothing to do: {small * 1e6:8.0f} µs at 100 orders, "
            f"{large * 1e6:8.0f} µs at {args.orders:,}: ratio {large / small:.2f} "
            f"(target 0.80-1.20)"
        )
        small, large = figures["fingerprints@1000"], figures["fingerprints@10000"]
        print(
            f"{engine:10} one customer's fingerprints: {small * 1e6:8.0f} µs at 1,000 customers, "
            f"{large * 1e6:8.0f} µs at 10,000: ratio {large / small:.2f} (flat: 1.0); "
            f"without the parent index {figures['fingerprints@10000-unindexed'] * 1e6:.0f} µs"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
