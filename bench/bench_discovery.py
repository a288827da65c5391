"""Discovery of 2,000 customers x 10 subscriptions from the sandbox (20 ms latency, a limit of
6,000 requests per minute per partner), against the bound the rate limit sets.

Prints, side by side: the first run's wall time and the least time its requests can take at the
limit; a re-run with nothing changed and its speed-up; peak traced memory. Run:
``python bench/bench_discovery.py [--customers N]``.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pluggy

from csp_commerce.hooks.manager import HookManager
from csp_commerce.operations import Discovery
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox, SandboxCredential
from csp_commerce.sandbox.seed_discovery import seed_sandbox
from csp_commerce.store import DiscoveryStore

LIMIT = 6_000
hookimpl = pluggy.HookimplMarker("csp_commerce")


class CountingHost:
    """A host that counts what it is handed (and keeps nothing: records are streamed)."""

    def __init__(self) -> None:
        self.customers = self.subscriptions = self.invoices = 0

    @hookimpl
    def csp_discovered_customer(self, customer: object) -> None:
        self.customers += 1

    @hookimpl
    def csp_discovered_subscription(self, subscription: object) -> None:
        self.subscriptions += 1

    @hookimpl
    def csp_discovered_invoice(self, invoice: object) -> None:
        self.invoices += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--subscriptions", type=int, default=10)
    args = parser.parse_args()

    sandbox = Sandbox(seed=1)
    started = time.perf_counter()
    seed_sandbox(sandbox, args.customers, args.subscriptions)
    seeding = time.perf_counter() - started
    sandbox.set_faults(FaultPlan(latency_seconds=0.020, rate_limit_per_partner=LIMIT))
    gc.collect()

    host = CountingHost()
    hooks = HookManager(builtins=False, entry_points=False, plugins=[host])
    with (
        tempfile.TemporaryDirectory() as directory,
        DiscoveryStore(Path(directory) / "discovery.sqlite3") as store,
    ):
        discovery = Discovery(
            "bench",
            SandboxCredential(),
            store,
            hooks,
            transport=sandbox.transport(),
            requests_per_minute=LIMIT,
            max_concurrency=16,
        )
        tracemalloc.start()
        started = time.perf_counter()
        first = discovery.run()
        first_seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        handed = (host.customers, host.subscriptions)

        started = time.perf_counter()
        second = discovery.run()
        second_seconds = time.perf_counter() - started

    bound = first.counts.requests * 60.0 / LIMIT
    throttled = sandbox.faults.counts[Fault.THROTTLE]
    print(
        f"seeded {args.customers} customers x {args.subscriptions} subscriptions "
        f"in {seeding:.2f} s (the sandbox's world, no requests)"
    )
    print(
        f"first run:  {first.counts.requests} requests in {first_seconds:.2f} s; "
        f"rate-limit bound {bound:.2f} s; ratio {first_seconds / bound:.3f} (target <= 1.15)"
    )
    print(
        f"            handed {handed[0]} customers, {handed[1]} subscriptions; "
        f"429s from the sandbox: {throttled}"
    )
    print(
        f"re-run:     {second.counts.requests} requests in {second_seconds:.3f} s; "
        f"{first_seconds / second_seconds:.0f}x faster (target >= 10x); "
        f"handed {second.counts.customers_handed + second.counts.subscriptions_handed}"
    )
    print(f"peak traced memory during the first run: {peak / 1e6:.1f} MB (target < 200 MB)")
    missed = first_seconds > 1.15 * bound or first_seconds < 10 * second_seconds or peak > 200e6
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
