"""Benchmark: promotion eligibility requests a storefront sends, with and without the cache.

A storefront re-checks a cart as the customer edits it. ``--customers`` related tenants in the
in-process sandbox each check ``--checks`` carts of Microsoft 365 E3 (10 seats, a year): the
customer toggles the billing cycle between annual and monthly (the promotion warning appears and
goes), and a quarter of the checks change the seat count. The same run counts, at the sandbox,
the eligibility requests and the promotion listings sent:

1. without a cache (every check asks Partner Center again);
2. with the checkout's ``FactsCache`` (TTL 5 minutes; verdicts kept by customer, catalog item,
   quantity, term and billing cycle).

It prints both counts and their ratio, the bound the same run computes (each distinct question,
a customer's quantity of the offer, asked once: one request judges every plan), and the time the
625-a-minute limit needs for the uncached requests against the cached ones. Requests are
counted, not timed: the transport does not matter here. Target: the cached run sends exactly
the bound.

Run: ``python bench/bench_promotions.py`` (exits 1 when the target is missed).
"""

from __future__ import annotations

import argparse
import sys

from csp_commerce import (
    Address,
    BillingCycle,
    CheckoutFacts,
    CompanyProfile,
    Contact,
    Customer,
    FactsCache,
    Order,
    OrderLine,
    TermDuration,
)
from csp_commerce.checkout.line_terms import line_term_facts
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.provisioning.pacing import DOCUMENTED_RATES
from csp_commerce.sandbox import Sandbox, SandboxCredential


def quantity_of(check: int) -> int:
    """10 seats; every fourth check changes the count."""
    return 10 + (check // 4 if check % 4 == 3 else 0)


def run(customers: int, checks: int, cached: bool) -> tuple[int, int]:
    sandbox = Sandbox(seed=1)
    sent: list[str] = []
    http = sandbox.httpx_client(event_hooks={"request": [lambda r: sent.append(r.url.path)]})
    e3 = next(o for o in sandbox.catalog.offers() if o.name == "Microsoft 365 E3")
    cache = FactsCache(ttl=300) if cached else None
    with PartnerCenterClient(SandboxCredential(), http_client=http) as client:
        for n in range(customers):
            tenant = sandbox.add_existing_tenant(f"shop{n}.onmicrosoft.com", f"Shop {n}")
            sandbox.accept_relationship(tenant)
            customer = Customer(
                reference=f"shop-{n}", tenant_id=tenant,
                company=CompanyProfile(company_name=f"Shop {n}"),
                address=Address(country="US", state="WA", city="Redmond",
                                postal_code="98052", address_line1="1 Microsoft Way"),
                contact=Contact(first_name="A", last_name="B", email="a@example.com"),
            )  # fmt: skip
            for check in range(checks):
                cycle = BillingCycle.ANNUAL if check % 2 == 0 else BillingCycle.MONTHLY
                quantity = quantity_of(check)
                line = OrderLine(id="l", offer=e3, quantity=quantity, billing_cycle=cycle,
                                 term_duration=TermDuration.P1Y)  # fmt: skip
                order = Order(id=f"o-{n}-{check}", customer=customer, lines=(line,))
                line_term_facts(client, order, CheckoutFacts(), cache=cache)
    eligibility = sum(1 for path in sent if path.endswith("/promotionEligibilities"))
    listings = sum(1 for path in sent if path.endswith("/productpromotions"))
    return eligibility, listings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--checks", type=int, default=20)
    args = parser.parse_args()
    bare = run(args.customers, args.checks, cached=False)
    cached = run(args.customers, args.checks, cached=True)
    rate = DOCUMENTED_RATES["promotionEligibilities"]
    print(f"{args.customers} customers x {args.checks} cart checks")
    print(f"without cache: {bare[0]} eligibility requests, {bare[1]} listings")
    print(f"with cache:    {cached[0]} eligibility requests, {cached[1]} listings")
    bound = args.customers * len({quantity_of(check) for check in range(args.checks)})
    ratio = cached[0] / bare[0]
    print(f"ratio (cached / uncached eligibility requests): {ratio:.3f}")
    print(f"bound (distinct customer x quantity questions): {bound}; cached / bound: "
          f"{cached[0] / bound:.2f}")  # fmt: skip
    print(
        f"at {rate}/min: {bare[0] * 60 / rate:.1f} s of budget uncached, "
        f"{cached[0] * 60 / rate:.1f} s cached"
    )
    return 0 if cached[0] == bound else 1


if __name__ == "__main__":
    sys.exit(main())
