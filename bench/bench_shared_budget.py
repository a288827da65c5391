"""Benchmark: 4 processes of one partner under a 600 requests/min limit, on a shared budget.

The sandbox is served over HTTP on 127.0.0.1 (a real socket; 20 ms per answer) and enforces
Partner Center's throttling at 600 requests per sliding minute for the partner, every attempt
counted, answering the rest 429 with a Retry-After. Four worker processes (two with the sync
client sending one request at a time, two with the async client sending four at once) share
``--requests`` reads of one API family (``customers``) and pace at 600/min:

1. **shared**: every process on one :class:`SharedPartnerBudget` in PostgreSQL (a throwaway
   server, as the tests start one, or ``--database URL``): one bucket and one pause for all;
2. **per process** (the peer): each process with its own in-process ``PartnerBudget`` at the
   same 600/min, as four workers were paced before: together they offer 4x the limit.

Printed for each: wall time against the bound the limit sets (requests / 10 per second), the
busiest 60 s window of attempts (retries included; the limit is 600), the busiest 10 s window
as a multiple of the limit's rate (the burst the per-process peer sends), the 429s the sandbox
answered, the requests that failed to their caller (unanswered 429s), and the time one
reservation takes (the database round the async client makes on its event loop). Targets
(issue 13): shared wall within 1.15x of the bound and no 429 reaching a caller.

Run: ``python bench/bench_shared_budget.py`` (about 3 minutes; exits 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import multiprocessing
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csp_commerce.errors import CSPCommerceError
from csp_commerce.fulfilment import target_of
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerBudget, PartnerCenterClient
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox, SandboxCredential
from csp_commerce.store.partner_budget import SharedPartnerBudget

LIMIT_PER_MINUTE = 600
WINDOW = 60.0
LATENCY = 0.020
PROCESSES = 4
ASYNC_IN_FLIGHT = 4
RATES = {"customers": LIMIT_PER_MINUTE}  # the family of /v1/customers/relationshiprequests
TARGET_RATIO = 1.15
SHORT = 10.0  # seconds: the offered rate over a short window shows a burst the minute hides


class TimedBudget:
    """A budget that records each reservation's start and how long the reservation took."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.starts: list[float] = []
        self.took: list[float] = []

    def reserve(self, family: str) -> float:
        began = time.perf_counter()
        start: float = self.inner.reserve(family)
        self.took.append(time.perf_counter() - began)
        self.starts.append(start)
        return start

    def pause_until(self, until: float) -> None:
        self.inner.pause_until(until)

    def paused_until(self) -> float:
        paused: float = self.inner.paused_until()
        return paused


@dataclass
class Tally:
    """What one worker process saw."""

    answered: int = 0
    failed: list[str] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)
    took: list[float] = field(default_factory=list)


def worker(
    index: int, url: str, location: str | None, share: int, ready: Any, go: Any, out: Any
) -> None:
    """One process: ``share`` reads, sync (even index) or async (odd), once told to go."""
    probe = PartnerCenterClient(SandboxCredential(), base_url=url)
    target = target_of(probe)
    probe.close()
    inner: Any = (
        SharedPartnerBudget(location, target, rates=RATES)
        if location is not None
        else PartnerBudget(RATES)
    )
    budget = TimedBudget(inner)
    tally = Tally()
    ready.put(index)
    go.wait()
    if index % 2 == 0:
        with PartnerCenterClient(SandboxCredential(), base_url=url, budget=budget) as client:
            for _ in range(share):
                try:
                    client.relationships.request_link()
                    tally.answered += 1
                except CSPCommerceError as error:
                    tally.failed.append(type(error).__name__)
    else:
        asyncio.run(_async_share(url, budget, share, tally))
    tally.starts, tally.took = budget.starts, budget.took
    if isinstance(inner, SharedPartnerBudget):
        inner.close()
    out.put(tally)


async def _async_share(url: str, budget: TimedBudget, share: int, tally: Tally) -> None:
    async with AsyncPartnerCenterClient(SandboxCredential(), base_url=url, budget=budget) as client:
        remaining = iter(range(share))

        async def lane() -> None:
            for _ in remaining:
                try:
                    await client.relationships.request_link()
                    tally.answered += 1
                except CSPCommerceError as error:
                    tally.failed.append(type(error).__name__)

        await asyncio.gather(*(lane() for _ in range(ASYNC_IN_FLIGHT)))


@dataclass
class Run:
    name: str
    requests: int
    wall: float
    throttled: int
    tallies: list[Tally]

    @property
    def bound(self) -> float:
        return self.requests * WINDOW / LIMIT_PER_MINUTE

    def busiest(self, window: float) -> int:
        """The most attempts that started in any ``window`` seconds (their reserved starts)."""
        starts = sorted(start for tally in self.tallies for start in tally.starts)
        return max(bisect.bisect_left(starts, start + window) - n for n, start in enumerate(starts))

    @property
    def unanswered(self) -> int:
        return sum(len(tally.failed) for tally in self.tallies)

    def reserve_ms(self) -> tuple[float, float]:
        took = sorted(t for tally in self.tallies for t in tally.took)
        return statistics.median(took) * 1000, took[int(0.99 * (len(took) - 1))] * 1000


def run(name: str, location: str | None, requests: int) -> Run:
    """Serve a fresh throttling sandbox and run the workers against it."""
    plan = FaultPlan(
        latency_seconds=LATENCY,
        rate_limit_per_partner=LIMIT_PER_MINUTE,
        rate_window_seconds=WINDOW,
    )
    sandbox = Sandbox(seed=1, faults=plan)
    context = multiprocessing.get_context("spawn")
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    shares = [requests // PROCESSES + (n < requests % PROCESSES) for n in range(PROCESSES)]
    with sandbox.server() as server:
        workers = [
            context.Process(target=worker, args=(n, server.url, location, share, ready, go, out))
            for n, share in enumerate(shares)
        ]
        for process in workers:
            process.start()
        for _ in workers:  # every process imported, its client made and its budget open
            ready.get(timeout=600)
        begin = time.time()
        go.set()
        tallies = [out.get(timeout=3600) for _ in workers]
        wall = time.time() - begin
        for process in workers:
            process.join(timeout=60)
    return Run(name, requests, wall, sandbox.faults.counts[Fault.THROTTLE], tallies)


def show(result: Run) -> None:
    p50, p99 = result.reserve_ms()
    print(
        f"{result.name:<28} {result.requests:>8} {result.bound:>8.1f} {result.wall:>8.1f}"
        f" {result.wall / result.bound:>10.2f} {result.busiest(WINDOW):>8}"
        f" {result.busiest(SHORT) / (LIMIT_PER_MINUTE * SHORT / WINDOW):>8.2f}"
        f" {result.throttled:>6} {result.unanswered:>11} {p50:>7.2f} {p99:>7.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=800, help="reads in all (default 800)")
    parser.add_argument(
        "--database", help="a postgresql:// (or sqlite:///) URL (default: a throwaway server)"
    )
    args = parser.parse_args(argv)
    server = None
    database = args.database
    if database is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from pg_server import _Server

        server = _Server()
        database = server.start()
    schema = f"bench_budget_{uuid.uuid4().hex[:8]}"
    if database.startswith("postgresql"):
        database = f"{database}{'&' if '?' in database else '?'}schema={schema}"
    try:
        print(
            f"{PROCESSES} processes (2 sync, 2 async x {ASYNC_IN_FLIGHT} in flight), sandbox over "
            f"127.0.0.1 at {LATENCY * 1000:.0f} ms, limit {LIMIT_PER_MINUTE}/min per partner"
        )
        print(
            f"{'budget':<28} {'requests':>8} {'bound s':>8} {'wall s':>8} {'wall/bound':>10}"
            f" {'busiest':>8} {'10s/rate':>8} {'429s':>6} {'unanswered':>11} {'p50 ms':>7}"
            f" {'p99 ms':>7}"
        )
        shared = run("shared (database)", database, args.requests)
        show(shared)
        local = run("per process (PartnerBudget)", None, args.requests)
        show(local)
    finally:
        if server is not None:
            server.stop()
    print(
        f"busiest 10 s of attempts, per process / shared: "
        f"{local.busiest(SHORT) / shared.busiest(SHORT):.2f}x;"
        f" 429s: shared {shared.throttled}, per process {local.throttled};"
        f" wall, per process / shared: {local.wall / shared.wall:.2f}x"
    )
    ok = shared.wall <= TARGET_RATIO * shared.bound and shared.unanswered == 0
    print(
        f"shared budget: {shared.wall / shared.bound:.2f}x the bound (target <= {TARGET_RATIO}),"
        f" {shared.unanswered} unanswered 429s (target 0): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
