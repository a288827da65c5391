"""Benchmark: AsyncCheckout placing orders concurrently against Checkout placing them in turn.

The sandbox serves over real loopback sockets from a child process (an asyncio HTTP/1.1 front
end on its app), each answer held ``--latency-ms`` (20 ms) as Partner Center's would be. In the
same run, with the same kind of order (a new customer: facts gathered, tenant created, MCA
confirmed, one line bought, its end-of-term action set):

1. ``Checkout.place`` with the sync client, ``--orders`` orders one after another;
2. ``AsyncCheckout.place`` with the async client, the same number of orders at once
   (``asyncio.gather``), in one event loop and no thread.

Each order's requests are sequential (the saga's steps depend on each other), so the sync run
is bound below by ``orders x requests per order x latency`` and the async one by one order's
chain; the ratio of the two wall times is printed with both bounds. Both runs use SQLite
ledgers with ``synchronous="NORMAL"``. Every order must be placed exactly once.

Run: ``python bench/bench_async_checkout.py [--orders 50] [--latency-ms 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from csp_commerce import (
    AcceptanceSource,
    Address,
    AsyncCheckout,
    AsyncPartnerCenterClient,
    AsyncProvisioner,
    Checkout,
    CompanyProfile,
    Contact,
    Customer,
    HookManager,
    Ledger,
    McaAcceptance,
    McaEvidenceLog,
    Order,
    OrderLine,
    PartnerCenterClient,
    Provisioner,
)
from csp_commerce.models import OutcomeStatus
from csp_commerce.sandbox import Sandbox, SandboxCredential

if TYPE_CHECKING:
    from multiprocessing.queues import Queue

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+14255550100"
)


def serve(latency: float, urls: Queue[str]) -> None:
    """The sandbox over HTTP/1.1 (keep-alive) on 127.0.0.1, every answer after ``latency``
    seconds. One asyncio loop serves every connection: the sandbox's own threaded server
    would wake a thread per request, which on a loaded machine measures the scheduler."""
    sandbox = Sandbox(seed=1)

    async def one_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                method, target, _ = head[0].split(" ", 2)
                headers = dict(line.split(": ", 1) for line in head[1:] if line)
                length = int(headers.get("Content-Length") or headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                url = urlsplit(target)
                query = dict(parse_qsl(url.query, keep_blank_values=True))
                exchange = sandbox.app.exchange(method, url.path, query, headers, body)
                await asyncio.sleep(latency)
                response = exchange.response
                lines = [f"HTTP/1.1 {response.status} X"]
                lines += [f"{name}: {value}" for name, value in response.headers.items()]
                lines.append(f"Content-Length: {len(response.content)}")
                payload = b"" if method == "HEAD" else response.content
                writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(one_connection, "127.0.0.1", 0, backlog=1024)
        host, port = server.sockets[0].getsockname()[:2]
        urls.put(f"http://{host}:{port}")
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (Linux: ``/proc``), to see what bounds the async run."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def order(sandbox: Sandbox, run: str, n: int) -> Order:
    e3 = next(offer for offer in sandbox.catalog.offers() if offer.name == "Office 365 E3")
    customer = Customer(
        reference=f"{run}-{n}",
        company=CompanyProfile(company_name=f"Bench {n}", domain=f"{run}{n}.onmicrosoft.com"),
        address=Address(
            country="US",
            state="WA",
            city="Redmond",
            postal_code="98052",
            address_line1="1 Microsoft Way",
        ),
        contact=CONTACT,
    )
    return Order(id=f"{run}-order-{n}", customer=customer, lines=(OrderLine(offer=e3, quantity=2),))


def accepted(order: Order) -> McaAcceptance:
    return McaAcceptance(
        customer_reference=order.customer.reference,
        template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
        contact=CONTACT,
        accepted_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        source=AcceptanceSource.CUSTOMER,
        confirmed_by="ada@example.com",
    )


def orders_for(run: str, count: int, log: McaEvidenceLog) -> list[Order]:
    catalog = Sandbox(seed=1)  # the same seeded catalog as the server's
    made = [order(catalog, run, n) for n in range(count)]
    for each in made:
        log.append(accepted(each))
    return made


def placed_once(results: list[object], expected: int) -> None:
    outcomes = [getattr(result, "outcome", None) for result in results]
    ok = [o for o in outcomes if o is not None and o.status is OutcomeStatus.PLACED]
    if len(ok) != expected:
        raise SystemExit(f"only {len(ok)} of {expected} orders placed")


def run_sync(url: str, folder: Path, count: int) -> tuple[float, float, int]:
    hooks = HookManager(entry_points=False)
    log = McaEvidenceLog(folder / "sync-mca.sqlite3")
    orders = orders_for("sync", count, log)
    sent: list[int] = [0]
    client = PartnerCenterClient(SandboxCredential(), base_url=url)
    client._http.event_hooks["request"].append(lambda _: sent.__setitem__(0, sent[0] + 1))
    client.customers.domain_available("warm.onmicrosoft.com")  # its token and connection
    sent[0] = 0
    ledger = Ledger(folder / "sync.sqlite3", synchronous="NORMAL")
    checkout = Checkout(hooks, mca_log=log, provisioner=Provisioner(client, ledger, hooks))
    started, cpu = time.perf_counter(), time.process_time()
    results = [checkout.place(each) for each in orders]
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    placed_once(results, count)
    client.close()
    return wall, cpu, sent[0]


async def run_async(url: str, folder: Path, count: int) -> tuple[float, float, int]:
    hooks = HookManager(entry_points=False)
    log = McaEvidenceLog(folder / "async-mca.sqlite3")
    orders = orders_for("async", count, log)
    sent: list[int] = [0]

    async def count_request(_: object) -> None:
        sent[0] += 1

    client = AsyncPartnerCenterClient(SandboxCredential(), base_url=url)
    client._http.event_hooks["request"].append(count_request)
    # A host's client is long-lived: its token, pools and connections exist before the orders.
    await asyncio.gather(
        *(client.customers.domain_available(f"warm{n}.onmicrosoft.com") for n in range(count))
    )
    sent[0] = 0
    ledger = Ledger(folder / "async.sqlite3", synchronous="NORMAL")
    checkout = AsyncCheckout(
        hooks, mca_log=log, provisioner=AsyncProvisioner(client, ledger, hooks)
    )
    started, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(*(checkout.place(each) for each in orders))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    placed_once(list(results), count)
    await client.close()
    return wall, cpu, sent[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    urls: Queue[str] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(latency, urls), daemon=True)
    server.start()
    try:
        url = urls.get(timeout=30)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            assert server.pid is not None
            before = cpu_of(server.pid)
            sync_wall, sync_cpu, sync_sent = run_sync(url, folder, args.orders)
            middle = cpu_of(server.pid)
            async_wall, async_cpu, async_sent = asyncio.run(run_async(url, folder, args.orders))
            server_cpu = cpu_of(server.pid) - middle
            sync_server_cpu = middle - before
    finally:
        server.terminate()
    per_order = sync_sent / args.orders
    sync_bound = sync_sent * latency
    async_bound = per_order * latency
    print(
        f"{args.orders} new-customer orders, {per_order:.1f} requests each, {latency * 1000:.0f} ms"
    )
    print(
        f"sync Checkout, one by one : {sync_wall:7.2f} s  "
        f"({sync_wall / sync_bound:.2f}x its bound {sync_bound:.2f} s), "
        f"client CPU {sync_cpu / sync_sent * 1000:.1f} ms a request"
    )
    print(
        f"AsyncCheckout, all at once: {async_wall:7.2f} s  "
        f"({async_wall / async_bound:.2f}x one order's chain {async_bound:.2f} s), "
        f"client CPU {async_cpu / async_sent * 1000:.1f} ms a request ({async_sent} requests)"
    )
    print(
        f"speed-up: {sync_wall / async_wall:.1f}x (the sync run's wall time over the async one's)"
    )
    # Once the waits overlap, the async run is bound by CPU: the client's and the sandbox
    # server's (its own process, one lock around its state): on a busy machine, that shows.
    print(
        f"async run: client CPU {async_cpu:.2f} s, sandbox server CPU {server_cpu:.2f} s "
        f"({server_cpu / async_sent * 1000:.1f} ms a request; sync run: "
        f"{sync_server_cpu / sync_sent * 1000:.1f} ms) of its {async_wall:.2f} s wall time"
    )
    # On an idle core: the sync run waits out every answer and spends its CPU between them;
    # the async run overlaps the waits and is bound by one order's chain or by its CPU.
    idle_sync = sync_bound + sync_cpu
    idle_async = max(async_bound, async_cpu + server_cpu)
    print(
        f"on an idle core: about {idle_sync:.2f} s vs {idle_async:.2f} s, "
        f"{idle_sync / idle_async:.1f}x (load average now {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
