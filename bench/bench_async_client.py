"""Benchmark: the async client over real loopback sockets, against the sync client and bare httpx.

A small HTTP/1.1 keep-alive server runs in a child process on 127.0.0.1 and answers every GET
after ``--latency-ms`` (20 ms). In the same run:

1. our sync client, ``--total`` GETs one after another (default 1,000);
2. our async client (``max_in_flight=50``, its own connection pool), ``--total`` GETs at once;
3. bare ``httpx.AsyncClient`` with the same limits (50 connections, 50 kept alive, 50 requests
   at once), the same GETs, each body parsed as JSON;
4. our async client over its aiohttp backend (``http_backend="aiohttp"``), the same GETs.

Both async runs are warmed up (their pools hold open connections) and timed ``--rounds`` times,
alternating; the medians are compared. Targets (issue 13): async >= 20x the sync client,
and within 1.2x of bare httpx.

Wall time at 50 in flight is bound by the client's CPU once the machine is busy (the async run
is CPU work between 20 ms waits), so the client process's CPU time per request is printed too:
it is what a loaded machine multiplies, and ``max(bound, total x CPU per request)`` is the
async run's wall time on an idle core.

Run: ``python bench/bench_async_client.py`` (exits 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from typing import TYPE_CHECKING

import httpx

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning._core import DEFAULT_TIMEOUT
from csp_commerce.provisioning.auth import AccessToken

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

BODY = (
    b'{"id":"c-1","companyProfile":{"domain":"contoso.onmicrosoft.com","companyName":"Contoso"},'
    b'"relationshipToPartner":"reseller","attributes":{"objectType":"Customer"}}'
)
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)
SPEEDUP_TARGET = 20.0
PEER_TARGET = 1.2


class Credential:
    """A credential whose token never expires during the run."""

    def get_token(self, *scopes: str) -> AccessToken:
        return AccessToken("bench-token", int(time.time()) + 3600)


# -- the server (child process) -------------------------------------------------------------------


def serve(latency: float, ports: Queue[int]) -> None:
    """Answer GETs on 127.0.0.1 after ``latency`` seconds each, keeping connections alive."""

    async def one_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")  # GETs: no body
                await asyncio.sleep(latency)
                writer.write(RESPONSE)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(one_connection, "127.0.0.1", 0, backlog=1024)
        ports.put(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()

    asyncio.run(main())


# -- the three clients ----------------------------------------------------------------------------


#: (wall seconds, CPU seconds of this process)
Timing = tuple[float, float]


def sync_sequential(base_url: str, total: int) -> Timing:
    """``total`` GETs by our sync client, one after another."""
    with PartnerCenterClient(Credential(), base_url=base_url) as client:
        client.customers.get("c-1")  # connect first
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(total):
            client.customers.get("c-1")
        return time.perf_counter() - start, time.process_time() - cpu


async def ours(client: AsyncPartnerCenterClient, total: int) -> Timing:
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(client.customers.get("c-1") for _ in range(total)))
    return time.perf_counter() - start, time.process_time() - cpu


async def bare(http: httpx.AsyncClient, url: str, total: int, in_flight: int) -> Timing:
    # A semaphore as well as the pool's limit: with all 1,000 requests queued in httpcore's
    # pool, every release scans every queued request against every connection (quadratic:
    # the bare client then took over a minute here). Our client's cap does the same.
    limit = asyncio.Semaphore(in_flight)

    async def one() -> None:
        async with limit:
            response = await http.get(url)
        response.raise_for_status()
        response.json()

    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(one() for _ in range(total)))
    return time.perf_counter() - start, time.process_time() - cpu


async def async_runs(
    base_url: str, total: int, in_flight: int, rounds: int
) -> tuple[list[Timing], list[Timing], list[Timing]]:
    """Alternating timed rounds of our async client, bare httpx and our client over aiohttp
    (all warmed up)."""
    limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
    url = f"{base_url}/v1/customers/c-1"
    ours_times: list[Timing] = []
    bare_times: list[Timing] = []
    aiohttp_times: list[Timing] = []
    options = {"base_url": base_url, "max_in_flight": in_flight}
    async with (
        AsyncPartnerCenterClient(Credential(), **options) as pc,
        httpx.AsyncClient(limits=limits, timeout=DEFAULT_TIMEOUT) as http,  # the client's
        AsyncPartnerCenterClient(Credential(), http_backend="aiohttp", **options) as pc_aiohttp,
    ):
        await ours(pc, in_flight * 2)
        await bare(http, url, in_flight * 2, in_flight)
        await ours(pc_aiohttp, in_flight * 2)
        for _ in range(rounds):
            ours_times.append(await ours(pc, total))
            bare_times.append(await bare(http, url, total, in_flight))
            aiohttp_times.append(await ours(pc_aiohttp, total))
    return ours_times, bare_times, aiohttp_times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--total", type=int, default=1000, help="GETs per run")
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=3, help="timed async rounds of each")
    args = parser.parse_args(argv)
    latency = args.latency_ms / 1000

    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    server = context.Process(target=serve, args=(latency, ports), daemon=True)
    server.start()
    try:
        base_url = f"http://127.0.0.1:{ports.get(timeout=30)}"
        ours_times, bare_times, aiohttp_times = asyncio.run(
            async_runs(base_url, args.total, args.in_flight, args.rounds)
        )
        sync_time_cpu = sync_sequential(base_url, args.total)
    finally:
        server.terminate()
        server.join()

    total = args.total
    sync_time, sync_cpu = sync_time_cpu
    ours_median = statistics.median(wall for wall, _ in ours_times)
    bare_median = statistics.median(wall for wall, _ in bare_times)
    aiohttp_median = statistics.median(wall for wall, _ in aiohttp_times)
    aiohttp_cpu = statistics.median(cpu for _, cpu in aiohttp_times) / total
    ours_cpu = statistics.median(cpu for _, cpu in ours_times) / total
    bare_cpu = statistics.median(cpu for _, cpu in bare_times) / total
    bound = total / args.in_flight * latency
    speedup = sync_time / ours_median
    peer = ours_median / bare_median
    idle = max(bound, total * ours_cpu)
    idle_sync = total * latency + sync_cpu  # the waits plus the client's own work
    print(
        f"{total} GETs over loopback sockets, {args.latency_ms:g} ms latency each, "
        f"{args.in_flight} in flight (bound {bound:.2f} s); wall, and CPU per request:"
    )
    print(f"  sync client, one by one: {sync_time:7.2f} s  {sync_cpu / total * 1e3:.2f} ms")
    print(
        f"  async client:            {ours_median:7.3f} s  {ours_cpu * 1e3:.2f} ms  "
        f"(median of {args.rounds}: {', '.join(f'{w:.3f}' for w, _ in ours_times)})"
    )
    print(
        f"  bare httpx.AsyncClient:  {bare_median:7.3f} s  {bare_cpu * 1e3:.2f} ms  "
        f"(median of {args.rounds}: {', '.join(f'{w:.3f}' for w, _ in bare_times)})"
    )
    print(
        f"  async vs sync: {speedup:.1f}x (target >= {SPEEDUP_TARGET:g}x): "
        f"{'ok' if speedup >= SPEEDUP_TARGET else 'MISSED'}; on an idle core: sync "
        f"{total} x (latency + CPU) = {idle_sync:.1f} s, async max(bound, {total} x CPU) = "
        f"{idle:.2f} s: {idle_sync / idle:.1f}x"
    )
    print(
        f"  async client, aiohttp:   {aiohttp_median:7.3f} s  {aiohttp_cpu * 1e3:.2f} ms  "
        f"(median of {args.rounds}: {', '.join(f'{w:.3f}' for w, _ in aiohttp_times)})"
    )
    idle_aiohttp = max(bound, total * aiohttp_cpu)
    print(
        f"  async (aiohttp) vs sync: {sync_time / aiohttp_median:.1f}x; on an idle core: "
        f"{idle_sync / idle_aiohttp:.1f}x"
    )
    print(
        f"  async vs bare httpx: {peer:.2f}x the wall time, {ours_cpu / bare_cpu:.2f}x the CPU "
        f"(target <= {PEER_TARGET:g}x): {'ok' if peer <= PEER_TARGET else 'MISSED'}"
    )
    return 0 if speedup >= SPEEDUP_TARGET and peer <= PEER_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
