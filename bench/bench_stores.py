"""``Provisioner.resume()`` with nothing to do, at 100 and at 100,000 finished orders, on SQLite
and on PostgreSQL: its cost must not grow with history (target: the same within ±20 %).

The finished orders are written straight into the ledger (one transaction), each with two done
steps, as placed orders leave them. PostgreSQL: ``--postgres URL``, or a throwaway server started
from the system's binaries (as the tests do). ``--orders`` changes the large history's size.

    python bench/bench_stores.py [--orders 100000] [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from csp_commerce import HookManager
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential
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


def time_resume(location: str, history: int, runs: int = 200) -> float:
    """The median seconds of one ``resume()`` with nothing to do over ``history`` orders."""
    sandbox = Sandbox(seed=1)
    client = PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())
    with Ledger(location) as ledger:
        provisioner = Provisioner(client, ledger, HookManager())
        fill(ledger, provisioner.target, history)
        for _ in range(20):
            assert provisioner.resume() == []
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            provisioner.resume()
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


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
                results[engine] = {}
                for history in (100, args.orders):
                    tag = uuid.uuid4().hex[:8]
                    if engine == "sqlite":
                        location = str(Path(folder) / f"{tag}.sqlite3")
                    else:
                        joiner = "&" if "?" in postgres else "?"
                        location = f"{postgres}{joiner}schema=bench_{tag}"
                    results[engine][str(history)] = time_resume(location, history)
    finally:
        if server is not None:
            server.stop()
    for engine, figures in results.items():
        small, large = figures["100"], figures[str(args.orders)]
        print(
            f"{engine:10} resume() with nothing to do: {small * 1e6:8.0f} µs at 100 orders, "
            f"{large * 1e6:8.0f} µs at {args.orders:,}: ratio {large / small:.2f} "
            f"(target 0.80-1.20)"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
