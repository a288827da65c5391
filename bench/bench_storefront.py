"""Benchmark: the example storefront's server time, next to the library's own checkout.

In one process, on the built-in sandbox: the order page with the full catalog (every offer,
the chosen offer's billing options, prices and margins, the customer's subscriptions and
qualifications), and the checkout POST (facts gathered from the sandbox, judged, placed through
the step engine), each REQUESTS times through the ASGI application; then
``Checkout.validate`` of the same order with its facts gathered once. Prints median and p95 of
each and the ratios to ``validate``.

Needs the storefront: ``pip install -c constraints.txt -e examples/storefront``.

    python bench/bench_storefront.py [--requests N]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from urllib.parse import quote

import httpx
from csp_storefront import Shop, create_app
from csp_storefront.demo_data import STAFF, seed

from csp_commerce import BillingCycle, TermDuration, gather_facts


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def row(name: str, samples: list[float], bound: float | None = None) -> str:
    median = statistics.median(samples) * 1000
    p95 = percentile(samples, 0.95) * 1000
    ratio = f"{median / (bound * 1000):8.1f}x" if bound else "       1x"
    return f"{name:<34} median {median:8.2f} ms   p95 {p95:8.2f} ms   {ratio} validate"


async def measure(requests: int) -> None:
    shop = Shop()
    try:
        seed(shop)
        app = create_app(shop)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop") as client:
            page = await client.get("/signin")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token is not None
            await client.post("/signin", data={"csrf": token.group(1), "user": "reseller:4100002"})
            page = await client.get("/customers/tailspin")
            token = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert token is not None
            offer = next(o for o in shop.catalog("DE") if o.name == "Office 365 E3")
            url = f"/customers/tailspin/order?offer={quote(offer.id)}"
            form = {
                "csrf": token.group(1),
                "offer": offer.id,
                "billing_cycle": "monthly",
                "term": "P1M",
                "quantity": "1",
            }
            page_times, post_times = [], []
            for _ in range(requests):
                started = time.perf_counter()
                answer = await client.get(url)
                page_times.append(time.perf_counter() - started)
                assert answer.status_code == 200
                assert len(shop.catalog("DE")) >= 20
            for _ in range(requests):
                started = time.perf_counter()
                answer = await client.post("/customers/tailspin/order", data=form)
                post_times.append(time.perf_counter() - started)
                assert answer.status_code == 303, answer.text
            placed = sum(entry.state == "placed" for entry in shop.orders.values())
        order = shop.order_for(
            STAFF, shop.customers["tailspin"], offer, 1, BillingCycle.MONTHLY, TermDuration.P1M
        )
        facts = gather_facts(shop.client, order)
        validate_times = []
        for _ in range(requests):
            started = time.perf_counter()
            result = shop.checkout.validate(order, facts)
            validate_times.append(time.perf_counter() - started)
        assert not result.problems, result.problems
        bound = statistics.median(validate_times)
        print(f"storefront, {requests} requests each, in process (ASGI), sandbox in process")
        print(f"catalog: {len(shop.catalog('DE'))} offers; orders placed by the POSTs: {placed}")
        print(row("Checkout.validate (facts given)", validate_times))
        print(row("GET order page (full catalog)", page_times, bound))
        print(row("POST checkout (gather+judge+place)", post_times, bound))
    finally:
        shop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(measure(args.requests))


if __name__ == "__main__":
    main()
