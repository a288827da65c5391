"""Benchmark: the whole built-in checkout over a 5-line order with its facts supplied.

Prints the median time of ``Checkout.validate`` against the 150 µs bound, and the peak memory
one clean validation allocates. ``--check`` exits 1 when the median is over the bound.

    python bench/bench_checkout.py [--runs N] [--check]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
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
    Reseller,
    ResellerFacts,
    SubscriptionFact,
    TenantFacts,
    TermDuration,
)

BOUND_US = 150.0


def order_and_facts() -> tuple[Order, CheckoutFacts]:
    """A clean indirect order of five lines (Business merge, E3, add-on, Dynamics, seats)."""
    monthly, annual = BillingCycle.MONTHLY, BillingCycle.ANNUAL
    business = Offer(
        id="CFQ7TTC0LDPB:0001",
        product_id="CFQ7TTC0LDPB",
        name="Microsoft 365 Business Standard",
        family=OfferFamily.BUSINESS,
        billing_cycles=frozenset({monthly, annual}),
        term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y}),
        max_quantity=300,
        max_seats_per_customer=300,
    )
    e3 = Offer(
        id="CFQ7TTC0LFLX:0002",
        product_id="CFQ7TTC0LFLX",
        name="Microsoft 365 E3",
        family=OfferFamily.ENTERPRISE,
        billing_cycles=frozenset({monthly, annual}),
        term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y}),
    )
    addon = Offer(
        id="CFQ7TTC0LHWM:0001",
        product_id="CFQ7TTC0LHWM",
        name="Teams Audio Conferencing",
        family=OfferFamily.ADDON,
        parent_product_ids=frozenset({"CFQ7TTC0LFLX"}),
    )
    dynamics = Offer(
        id="CFQ7TTC0LF8Q:0001",
        product_id="CFQ7TTC0LF8Q",
        name="Dynamics 365 Sales",
        family=OfferFamily.DYNAMICS,
    )
    lines = (
        OrderLine(offer=business, quantity=10),
        OrderLine(offer=business, quantity=5, billing_cycle=annual, term_duration=TermDuration.P1Y),
        OrderLine(offer=e3, quantity=3, subscription_id="e3-1"),
        OrderLine(offer=addon, quantity=3, parent_subscription_id="e3-1"),
        OrderLine(offer=dynamics, quantity=2, instance_name="staging"),
    )
    contact = Contact(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@contoso.com",
        phone_number="+1 425 555 0100",
    )
    customer = Customer(
        reference="cust-1",
        company=CompanyProfile(company_name="Contoso", domain="contoso"),
        address=Address(
            country="US",
            state="WA",
            city="Redmond",
            postal_code="98052",
            address_line1="1 Microsoft Way",
        ),
        contact=contact,
    )
    reseller = Reseller(partner_id="1234567", name="Fabrikam IT")
    acceptance = McaAcceptance(
        customer_reference="cust-1",
        template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
        contact=contact,
        accepted_at=datetime(2026, 1, 5, tzinfo=timezone.utc),
        source=AcceptanceSource.RESELLER,
        confirmed_by="reseller-admin",
        reseller_partner_id="1234567",
    )

    def sub(id: str, offer: Offer, quantity: int, **fields: object) -> SubscriptionFact:
        return SubscriptionFact.model_validate(
            {
                "id": id,
                "offer_id": offer.id,
                "product_id": offer.product_id,
                "billing_cycle": monthly,
                "quantity": quantity,
                "partner_id_on_record": "1234567",
                **fields,
            }
        )

    facts = CheckoutFacts(
        subscriptions=(
            sub("biz-m", business, 20),
            sub("e3-1", e3, 40),
            sub("dyn-prod", dynamics, 5, instance_name="prod"),
        ),
        mca=McaFacts(accepted=True, acceptance=acceptance),
        tenant=TenantFacts(exists=False, domain_available=True),
        resellers={"1234567": ResellerFacts(partner_id="1234567", mpn_valid=True, mpa_signed=True)},
    )
    return Order(customer=customer, lines=lines, reseller=reseller), facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--check", action="store_true", help="exit 1 above the bound")
    args = parser.parse_args(argv)

    checkout = Checkout()
    order, facts = order_and_facts()
    result = checkout.validate(order, facts)
    if not result.ok:
        print("the benchmark order is not clean:", result.problems, file=sys.stderr)
        return 2
    for _ in range(500):  # warm caches (country rules, pluggy, pydantic)
        checkout.validate(order, facts)

    timings = []
    clock = time.perf_counter_ns
    for _ in range(args.runs):
        start = clock()
        checkout.validate(order, facts)
        timings.append(clock() - start)
    median_us = statistics.median(timings) / 1000
    p90_us = statistics.quantiles(timings, n=10)[-1] / 1000

    tracemalloc.start()
    checkout.validate(order, facts)  # tracemalloc's own first-use allocations
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    checkout.validate(order, facts)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()

    print(
        f"checkout, 5-line order, facts supplied: median {median_us:.1f} µs, p90 {p90_us:.1f} µs "
        f"over {args.runs} runs; bound {BOUND_US:.0f} µs -> {median_us / BOUND_US:.2f}x of bound"
    )
    print(f"peak memory allocated by one clean validation: {peak / 1024:.1f} KiB")
    return 1 if args.check and median_us > BOUND_US else 0


if __name__ == "__main__":
    sys.exit(main())
