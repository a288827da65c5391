"""Benchmark: worker processes placing submitted orders from one PostgreSQL ledger.

The sandbox runs in its own process (``csp-commerce sandbox serve``) on a loopback socket, with
``--latency-ms`` per request (default 20, a network's round trip) and no rate limit. N orders
(new customers, one line each) are submitted with ``Checkout.submit`` into a fresh schema of a
PostgreSQL database; then 1 and then ``--workers`` processes (real processes, each with its own
client, ledger connection pool and ``Checkout.work(until_idle=True)``), released together by a
barrier once they are ready, place them. Each run gets a fresh sandbox and schema. Reported:
orders per second for each run and the ratio (target: 4 workers >= 2.5x one), and exactly once
checked by counting Partner Center's orders per customer in the sandbox (each must be 1).

``--budget N`` adds a run of the workers under a partner limit of N requests per minute (the
sandbox enforces it, answering 429 beyond it): every worker's client is paced by one budget
shared through the ledger's database (``csp_commerce.cli.worker.worker_budget``, every API
family at N). Reported: wall time against the bound (requests sent / N per minute) and the
429s the workers saw.

PostgreSQL: ``--postgres URL``, or a throwaway server started from the system's binaries.

Run: ``python bench/bench_workers.py [--orders 1000] [--workers 4] [--budget 600]``.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fulfilment"))

ADMIN = "admin-for-the-bench"


def serve_sandbox(latency_ms: float, rate_limit: int | None) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable, "-m", "csp_commerce", "sandbox", "serve", "--port", "0",
        "--latency-ms", str(latency_ms), "--seed", "3", "--admin-token", ADMIN,
    ]  # fmt: skip
    if rate_limit is not None:
        command += ["--rate-limit", str(rate_limit)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    line = server.stdout.readline()
    return server, line.split("listening on ", 1)[1].split()[0]


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) process ``pid`` has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def submit(url: str, ledger_url: str, orders: int) -> None:
    """Submit ``orders`` new customers' orders (facts given: nothing read but the catalog)."""
    from fulfilment_world import acceptance, customer, offer

    from csp_commerce import Checkout, HookManager, Order, OrderLine
    from csp_commerce.fulfilment.order_saga import Provisioner
    from csp_commerce.models import CheckoutFacts, McaFacts, TenantFacts
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import Sandbox, SandboxCredential
    from csp_commerce.store.ledger import Ledger
    from csp_commerce.store.mca_log import McaEvidenceLog

    e3 = offer(Sandbox(), "Office 365 E3")
    hooks = HookManager(entry_points=False)
    with (
        PartnerCenterClient(SandboxCredential(), base_url=url) as client,
        Ledger(ledger_url) as ledger,
        tempfile.TemporaryDirectory() as folder,
        McaEvidenceLog(Path(folder) / "mca.sqlite3") as mca,
    ):
        provisioner = Provisioner(client, ledger, hooks)
        checkout = Checkout(hooks=hooks, mca_log=mca, provisioner=provisioner)
        for n in range(orders):
            line = OrderLine(offer=e3, quantity=1)
            order = Order(id=f"order-{n}", customer=customer(n), lines=(line,))
            assert checkout.record_mca_acceptance(acceptance(order)) == []
            facts = CheckoutFacts(
                mca=McaFacts(accepted=True, acceptance=acceptance(order)),
                tenant=TenantFacts(domain=order.customer.company.domain, domain_available=True),
            )
            result = checkout.submit(order, facts)
            assert result.plan is not None, result.problems


class _Count429(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.throttled = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "429" in record.getMessage():
            self.throttled += 1


def worker(url: str, ledger_url: str, rate: int | None, barrier: Any, results: Any) -> None:
    """One worker process: ready, wait for the others, place until nothing is left."""
    from csp_commerce import Checkout, HookManager
    from csp_commerce.cli.worker import worker_budget
    from csp_commerce.fulfilment.engine import target_of
    from csp_commerce.fulfilment.order_saga import Provisioner
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import SandboxCredential
    from csp_commerce.store.ledger import Ledger

    counter = _Count429()
    library = logging.getLogger("csp_commerce")
    library.addHandler(counter)
    library.setLevel(logging.INFO)
    hooks = HookManager(entry_points=False)
    target = target_of(PartnerCenterClient(SandboxCredential(), base_url=url))
    budget = worker_budget(ledger_url, target, rate)  # shared by every worker
    sent = [0]

    def count(_: httpx.Request) -> None:
        sent[0] += 1

    http = httpx.Client(event_hooks={"request": [count]})
    with (
        http,
        PartnerCenterClient(
            SandboxCredential(), base_url=url, budget=budget, http_client=http
        ) as client,
        Ledger(ledger_url) as ledger,
    ):
        checkout = Checkout(hooks=hooks, provisioner=Provisioner(client, ledger, hooks))
        client.customers.domain_available("warm.onmicrosoft.com")  # connection and token ready
        barrier.wait()
        cpu = time.process_time()
        summary = checkout.work(until_idle=True, poll_interval=0.05)
        cpu = time.process_time() - cpu
    results.put((summary.placed, cpu, counter.throttled, sent[0], time.time()))


def run(
    postgres: str, latency_ms: float, orders: int, workers: int, rate_limit: int | None
) -> dict[str, float]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    ledger_url = f"{postgres}{'&' if '?' in postgres else '?'}schema={schema}"
    server, url = serve_sandbox(latency_ms, rate_limit)
    try:
        submit(url, ledger_url, orders)
        context = multiprocessing.get_context("spawn")
        barrier, results = context.Barrier(workers + 1), context.Queue()
        rate = rate_limit  # one budget, shared through the database
        processes = [
            context.Process(target=worker, args=(url, ledger_url, rate, barrier, results))
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        barrier.wait()
        started, sandbox_cpu = time.time(), cpu_seconds(server.pid)
        finished = [results.get(timeout=3600) for _ in processes]
        sandbox_cpu = cpu_seconds(server.pid) - sandbox_cpu
        for process in processes:
            process.join()
        elapsed = max(ended for *_, ended in finished) - started
        world = httpx.get(
            f"{url}/sandbox/v1/state", headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60
        ).json()
    finally:
        server.terminate()
        server.wait(timeout=30)
    bought = [len(state["orders"]) for state in world["customers"].values()]
    placed = sum(count for count, *_ in finished)
    assert placed == orders, f"{placed} of {orders} placed"
    assert sum(bought) == orders, "an order was bought twice or never"
    assert set(bought) == {1}, "an order was bought twice"
    return {
        "elapsed": elapsed,
        "per_second": orders / elapsed,
        "worker_cpu": sum(cpu for _, cpu, *_ in finished) / orders,
        "sandbox_cpu": sandbox_cpu / orders,
        "throttled": float(sum(t for _, _, t, _, _ in finished)),
        "requests": float(sum(sent for *_, sent, _ in finished)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--budget", type=int, default=None, help="partner requests per minute")
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a throwaway server)")
    args = parser.parse_args()
    server = None
    postgres = args.postgres
    if postgres is None:
        from pg_server import _Server

        server = _Server()
        postgres = server.start()
    try:
        with tempfile.TemporaryDirectory():
            one = run(postgres, args.latency_ms, args.orders, 1, None)
            print(f"1 worker:  {args.orders} orders in {one['elapsed']:.1f}s, "
                  f"{one['per_second']:.1f} orders/s, each bought once")  # fmt: skip
            many = run(postgres, args.latency_ms, args.orders, args.workers, None)
            print(f"{args.workers} workers: {args.orders} orders in {many['elapsed']:.1f}s, "
                  f"{many['per_second']:.1f} orders/s, each bought once")  # fmt: skip
            ratio = many["per_second"] / one["per_second"]
            print(f"throughput {args.workers} workers / 1 worker: {ratio:.2f}x (target >= 2.5x)")
            per_order = one["worker_cpu"] + one["sandbox_cpu"]
            cores = os.cpu_count() or 1
            print(
                f"CPU per order: worker {one['worker_cpu'] * 1000:.0f} ms, sandbox "
                f"{one['sandbox_cpu'] * 1000:.0f} ms; {cores} cores cap the machine at "
                f"{cores / per_order:.1f} orders/s ({cores / per_order / one['per_second']:.2f}x"
                f" one worker) when nothing else runs; load average now "
                f"{os.getloadavg()[0]:.1f}"
            )
            if args.budget is not None:
                paced = run(postgres, args.latency_ms, args.orders, args.workers, args.budget)
                requests = int(paced["requests"])
                bound = requests / args.budget * 60
                print(
                    f"{args.workers} workers under {args.budget} requests/min: "
                    f"{paced['elapsed']:.1f}s for {requests} requests, bound {bound:.1f}s: "
                    f"{paced['elapsed'] / bound:.2f}x the bound (target <= 1.15x), "
                    f"{int(paced['throttled'])} 429s seen and retried, each bought once"
                )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
