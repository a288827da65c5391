"""Benchmark the Partner Center client (no network: in-process httpx transports).

1. Client overhead per request: median time of ``client.customers.get`` over an
   ``httpx.MockTransport``, next to the same GET sent through bare httpx (the floor).
2. 1,000 GETs against a transport that takes 20 ms per request: the async client with bounded
   concurrency (a semaphore) against the sync client doing them one by one. The sync side times
   ``--sync-sample`` requests and extrapolates to 1,000 (said so in the output).

Run: ``python bench/bench_client.py`` (exits non-zero when a bound is missed).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

import httpx

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.auth import AccessToken

BASE = "https://api.partnercenter.microsoft.com"
BODY = (
    b'{"id":"c-1","companyProfile":{"domain":"contoso.onmicrosoft.com","companyName":"Contoso"},'
    b'"relationshipToPartner":"reseller","attributes":{"objectType":"Customer"}}'
)
HEADERS = {"Content-Type": "application/json"}
OVERHEAD_BOUND_US = 150.0
SPEEDUP_BOUND = 20.0


class Credential:
    """A credential whose token never expires during the run."""

    def get_token(self, *scopes: str) -> AccessToken:
        return AccessToken("bench-token", int(time.time()) + 3600)


def _instant(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=BODY, headers=HEADERS)


def _median_us(action: object, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def bench_overhead(runs: int) -> tuple[float, float]:
    """(client median µs, bare httpx median µs) per GET over MockTransport."""
    http = httpx.Client(transport=httpx.MockTransport(_instant))
    client = PartnerCenterClient(Credential(), http_client=http)
    url = f"{BASE}/v1/customers/c-1"
    for _ in range(200):  # warm up
        client.customers.get("c-1")
        http.get(url)
    bare = _median_us(lambda: http.get(url), runs)
    ours = _median_us(lambda: client.customers.get("c-1"), runs)
    http.close()
    return ours, bare


def bench_sync_latency(sample: int, latency: float) -> float:
    """Seconds for ``sample`` sequential GETs with ``latency`` each (time.sleep)."""

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(latency)
        return httpx.Response(200, content=BODY, headers=HEADERS)

    with httpx.Client(transport=httpx.MockTransport(slow)) as http:
        client = PartnerCenterClient(Credential(), http_client=http)
        start = time.perf_counter()
        for _ in range(sample):
            client.customers.get("c-1")
        return time.perf_counter() - start


async def bench_async_latency(total: int, concurrency: int, latency: float) -> float:
    """Seconds for ``total`` GETs with ``latency`` each (asyncio.sleep), ``concurrency`` at once."""

    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(latency)
        return httpx.Response(200, content=BODY, headers=HEADERS)

    async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
        client = AsyncPartnerCenterClient(Credential(), http_client=http)
        limit = asyncio.Semaphore(concurrency)

        async def one() -> None:
            async with limit:
                await client.customers.get("c-1")

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5000, help="overhead samples")
    parser.add_argument("--total", type=int, default=1000, help="GETs in the latency run")
    parser.add_argument("--sync-sample", type=int, default=50, help="sync GETs actually timed")
    parser.add_argument("--concurrency", type=int, default=50, help="async requests in flight")
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000

    ours, bare = bench_overhead(args.runs)
    print(f"overhead: client GET median {ours:.1f} µs; bare httpx {bare:.1f} µs; ")
    print(f"          client adds {ours - bare:.1f} µs ({ours / bare:.2f}x bare httpx); ")
    print(
        f"          bound {OVERHEAD_BOUND_US:.0f} µs for the client's whole request: "
        f"{'ok' if ours <= OVERHEAD_BOUND_US else 'MISSED'}"
    )

    sync_sample = bench_sync_latency(args.sync_sample, latency)
    sync_total = sync_sample / args.sync_sample * args.total
    async_total = asyncio.run(bench_async_latency(args.total, args.concurrency, latency))
    speedup = sync_total / async_total
    print(f"latency {args.latency_ms:g} ms x {args.total} GETs:")
    print(
        f"  sync one by one: {sync_sample:.3f} s for {args.sync_sample} timed, "
        f"extrapolated to {args.total}: {sync_total:.2f} s"
    )
    print(f"  async, {args.concurrency} in flight: {async_total:.3f} s for {args.total}")
    print(
        f"  speed-up {speedup:.1f}x (bound >= {SPEEDUP_BOUND:g}x): "
        f"{'ok' if speedup >= SPEEDUP_BOUND else 'MISSED'}"
    )
    return 0 if ours <= OVERHEAD_BOUND_US and speedup >= SPEEDUP_BOUND else 1


if __name__ == "__main__":
    sys.exit(main())
