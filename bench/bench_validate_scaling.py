"""Benchmark: ``Checkout.validate`` of a 100-line order as the customer's subscriptions grow.

The issue measured 47 ms for a 100-line order of a customer with 10,000 subscriptions, from a
seat-cap loop that scanned every subscription for each line. Validation now indexes the
subscriptions once, so its cost is O(lines + subscriptions). Prints the median per size, the
time per (line + subscription), and the ratio of 10,000 to 1,000 and 100,000 to 10,000
subscriptions (linear: about 10x; the old lines x subscriptions: also 10x in subscriptions, but
from a 100x larger base — compare the absolute figure at 10,000 with the 47 ms).

    python bench/bench_validate_scaling.py [--runs N] [--lines 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime, timezone

from csp_commerce import (
    AcceptanceSource,
    Address,
    BillingCycle,
    Checkout,
    CheckoutFacts,
    CompanyProfile,
    Contact,
    Customer,
    McaAcceptance,
    McaFacts,
    Offer,
    OfferFamily,
    Order,
    OrderLine,
    SubscriptionFact,
    TenantFacts,
    TermDuration,
)

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@contoso.com", phone_number="+1 425 555 0100"
)
MONTHLY, ANNUAL = BillingCycle.MONTHLY, BillingCycle.ANNUAL


def _offer(n: int, family: OfferFamily) -> Offer:
    return Offer(
        id=f"P{n:04d}:0001",
        product_id=f"P{n:04d}",
        name=f"Product {n}",
        family=family,
        billing_cycles=frozenset({MONTHLY, ANNUAL}),
        term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y}),
        max_quantity=10_000,
        max_seats_per_customer=1_000_000,
    )


def order_and_facts(lines: int, subscriptions: int) -> tuple[Order, CheckoutFacts]:
    """A clean ``lines``-line order (every line seat-capped, half of them Business plans merged
    into an existing subscription) for a customer with ``subscriptions`` subscriptions."""
    order_lines: list[OrderLine] = []
    existing: list[SubscriptionFact] = []
    for n in range(lines):
        family = OfferFamily.BUSINESS if n % 2 else OfferFamily.ENTERPRISE
        offer = _offer(n, family)
        order_lines.append(OrderLine(offer=offer, quantity=5))
        existing.append(
            SubscriptionFact(
                id=f"s-{n}",
                offer_id=offer.id,
                product_id=offer.product_id,
                billing_cycle=MONTHLY,
                quantity=10,
            )
        )
    for n in range(subscriptions - len(existing)):
        product = n % lines  # spread over the ordered products: every cap sums many
        existing.append(
            SubscriptionFact(
                id=f"x-{n}",
                offer_id=f"P{product:04d}:0001",
                product_id=f"P{product:04d}",
                billing_cycle=ANNUAL,
                quantity=1,
                status="active" if n % 3 else "cancelled",
            )
        )
    customer = Customer(
        reference="cust-1",
        company=CompanyProfile(company_name="Contoso", domain="contoso.onmicrosoft.com"),
        address=Address(
            country="US",
            state="WA",
            city="Redmond",
            postal_code="98052",
            address_line1="1 Microsoft Way",
        ),
        contact=CONTACT,
    )
    acceptance = McaAcceptance(
        customer_reference="cust-1",
        template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
        contact=CONTACT,
        accepted_at=datetime(2026, 1, 5, tzinfo=timezone.utc),
        source=AcceptanceSource.CUSTOMER,
        confirmed_by="ada@contoso.com",
    )
    facts = CheckoutFacts(
        subscriptions=tuple(existing),
        mca=McaFacts(accepted=True, acceptance=acceptance),
        tenant=TenantFacts(exists=False, domain_available=True),
    )
    return Order(customer=customer, lines=tuple(order_lines)), facts


def median_ms(checkout: Checkout, lines: int, subscriptions: int, runs: int) -> float:
    """Median milliseconds of one validation (fresh facts each run: no index carried over)."""
    samples = []
    for _ in range(runs):
        order, facts = order_and_facts(lines, subscriptions)
        start = time.perf_counter()
        result = checkout.validate(order, facts)
        samples.append(time.perf_counter() - start)
        if not result.ok:
            raise SystemExit(f"the benchmark order is not clean: {result.problems[:3]}")
    return statistics.median(samples) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lines", type=int, default=100)
    args = parser.parse_args(argv)
    checkout = Checkout()
    median_ms(checkout, args.lines, 1000, 2)  # warm up
    sizes = (1_000, 10_000, 100_000)
    results = {size: median_ms(checkout, args.lines, size, args.runs) for size in sizes}
    for size, ms in results.items():
        per = ms * 1000 / (args.lines + size)
        print(
            f"{args.lines} lines, {size:>7,} subscriptions: {ms:8.2f} ms "
            f"({per:.2f} µs per line or subscription)"
        )
    print(
        f"10,000 / 1,000 subscriptions: {results[10_000] / results[1_000]:.1f}x; "
        f"100,000 / 10,000: {results[100_000] / results[10_000]:.1f}x (linear: <= 10x)"
    )
    print(f"at 10,000 subscriptions: {results[10_000]:.1f} ms (issue 13 measured 47 ms before)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
