"""Event-driven sync: one ``subscription-updated`` event against a discovery run, same partner.

The sandbox holds 200 customers x 5 subscriptions (20 ms latency per request); a first
discovery run hands them all. Then one subscription changes: Partner Center (the sandbox)
sends ``subscription-updated``, signed, over a loopback socket to a receiver with the built-in
handlers, which re-read that customer and subscription and hand the change to the host
(``csp_discovered_subscription``). Printed side by side, measured in this run: the requests and
wall time from the delivery to the host having the change, and those of a full discovery of
the same customer base (``restart``) and of an incremental re-run. Run:
``python bench/bench_event_sync.py [--customers N]``. Exits 1 when the event needs more than
3 requests or the host did not get the change.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pluggy

from csp_commerce.events import ReceiverServer, WebhookReceiver, WebhookTrust
from csp_commerce.hooks.manager import HookManager
from csp_commerce.models.discovery import DiscoveredSubscription
from csp_commerce.operations import Discovery, EventHandlers
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import FaultPlan, Sandbox, SandboxCredential
from csp_commerce.sandbox.seed_discovery import seed_sandbox
from csp_commerce.store import DiscoveryStore

hookimpl = pluggy.HookimplMarker("csp_commerce")


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts the requests sent to Partner Center (the sandbox)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        return await self.inner.handle_async_request(request)


class Host:
    """Keeps the subscriptions it is handed."""

    def __init__(self) -> None:
        self.subscriptions: list[DiscoveredSubscription] = []

    @hookimpl
    def csp_discovered_subscription(self, subscription: DiscoveredSubscription) -> None:
        self.subscriptions.append(subscription)


def timed_run(
    discovery: Discovery, counter: CountingTransport, **options: bool
) -> tuple[int, float]:
    before, started = counter.count, time.perf_counter()
    discovery.run(**options)
    return counter.count - before, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--subscriptions", type=int, default=5)
    args = parser.parse_args()

    sandbox = Sandbox(seed=1)
    seed_sandbox(sandbox, args.customers, args.subscriptions)
    sandbox.set_faults(FaultPlan(latency_seconds=0.020))
    host = Host()
    hooks = HookManager(builtins=False, entry_points=False, plugins=[host])
    counter = CountingTransport(sandbox.transport())
    url, certificate = sandbox.webhook_certificate_url, sandbox.webhook_certificate_pem()
    client = PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())
    with (
        tempfile.TemporaryDirectory() as directory,
        DiscoveryStore(Path(directory) / "discovery.sqlite3") as store,
    ):
        discovery = Discovery(
            "bench",
            SandboxCredential(),
            store,
            hooks,
            transport=counter,
            requests_per_minute=600_000,
            max_concurrency=16,
        )
        first_requests, first_seconds = timed_run(discovery, counter)
        receiving = hooks.with_plugins({"events": EventHandlers(discovery=discovery)})
        receiver = WebhookReceiver(
            receiving,
            trust=WebhookTrust.sandbox(sandbox.webhook_root_pem(), url),
            fetch=lambda asked: certificate if asked == url else b"",
        )
        with ReceiverServer(receiver, path="/events") as endpoint, httpx.Client() as http:
            client.webhooks.register(endpoint.url, ["subscription-updated"])
            customer = next(c for c in sandbox.world.customers.values() if c.subscriptions)
            subscription = next(iter(customer.subscriptions.values()))
            quantity = subscription["quantity"] + 1
            client.subscriptions.change_quantity(customer.id, subscription["id"], quantity)
            host.subscriptions.clear()
            before, started = counter.count, time.perf_counter()
            (delivery,) = sandbox.deliver_webhooks(http)
            event_seconds = time.perf_counter() - started
            event_requests = counter.count - before
        got = [(s.id, s.quantity) for s in host.subscriptions]
        full_requests, full_seconds = timed_run(discovery, counter, restart=True)
        rerun_requests, rerun_seconds = timed_run(discovery, counter)

    print(
        f"{args.customers} customers x {args.subscriptions} subscriptions, 20 ms per request; "
        f"first discovery: {first_requests} requests in {first_seconds:.2f} s"
    )
    print(
        f"one subscription-updated event (signed, loopback, verified, handled): "
        f"{event_requests} requests in {event_seconds * 1000:.0f} ms; delivery {delivery.status}; "
        f"host got {got}"
    )
    print(
        f"full discovery of the same customers: {full_requests} requests in {full_seconds:.2f} s "
        f"-> the event needs {event_requests / full_requests:.4f} of the requests, "
        f"{event_seconds / full_seconds:.4f} of the time"
    )
    print(
        f"incremental discovery re-run:        {rerun_requests} requests in {rerun_seconds:.2f} s "
        f"-> the event needs {event_requests / rerun_requests:.3f} of the requests"
    )
    missed = event_requests > 3 or got != [(subscription["id"], quantity)]
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
