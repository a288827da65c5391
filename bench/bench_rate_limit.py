"""Benchmark: how close the client gets to the throughput a Partner Center rate limit allows.

The sandbox answers every request after 50 ms and allows 600 requests per minute per partner.
To keep the run short the window is scaled: 60 requests per 6 s is the same rate (10 per
second). The client sends ``--requests`` reads one after another, hammering into the limit and
waiting the Retry-After of every 429. The bound is what the limit allows: requests / 10 per
second. Printed side by side, with the 429s seen and whether every one was retried to success.

Run: ``python bench/bench_rate_limit.py`` (exits non-zero when the wall time is over 1.2x the
bound or a 429 was left unanswered).
"""

from __future__ import annotations

import argparse
import sys
import time

from csp_commerce.provisioning import PartnerCenterClient, RetryPolicy
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox, SandboxCredential

LATENCY = 0.050
LIMIT_PER_MINUTE = 600
WINDOW = 6.0  # seconds: the 60-second window scaled down 10x
LIMIT_IN_WINDOW = round(LIMIT_PER_MINUTE * WINDOW / 60)
BOUND_RATIO = 1.2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=240, help="reads to send (default 240)")
    args = parser.parse_args(argv)
    plan = FaultPlan(
        latency_seconds=LATENCY,
        rate_limit_per_partner=LIMIT_IN_WINDOW,
        rate_window_seconds=WINDOW,
    )
    sandbox = Sandbox(seed=1, faults=plan)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    client = PartnerCenterClient(
        SandboxCredential(),
        http_client=sandbox.httpx_client(),
        sleep=sleep,
        retry_policy=RetryPolicy(max_retries=20, retry_after_cap=WINDOW * 2),
    )
    started = time.perf_counter()
    for _ in range(args.requests):
        client.relationships.request_link()
    wall = time.perf_counter() - started
    rate = LIMIT_PER_MINUTE / 60
    bound = args.requests / rate
    throttled = sandbox.faults.counts[Fault.THROTTLE]
    print(
        f"rate limit {LIMIT_PER_MINUTE}/min per partner, scaled to {LIMIT_IN_WINDOW} per "
        f"{WINDOW:.0f} s (same {rate:.0f} requests/s); latency {LATENCY * 1000:.0f} ms"
    )
    print(f"{'requests':>10} {'bound s':>9} {'wall s':>9} {'wall/bound':>11} {'429s':>6}")
    print(f"{args.requests:>10} {bound:>9.2f} {wall:>9.2f} {wall / bound:>11.2f} {throttled:>6}")
    print(
        f"every 429 retried to success: yes ({throttled} retried, {len(waits)} waits, "
        f"{sum(waits):.1f} s waited on Retry-After); all {args.requests} requests answered"
    )
    ok = wall <= BOUND_RATIO * bound
    print(f"{'within' if ok else 'OVER'} {BOUND_RATIO}x the bound")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
