"""Benchmark: orders through validate + place against the in-process sandbox (no latency).

Each order is a new customer: gather its facts through the client, ``Checkout.place`` (the
rules, then the provisioning saga through a SQLite ledger: create the tenant, confirm the MCA,
cart, checkout), at the ledger's default durability (``synchronous=FULL``). The bound measured
in the same run is the floor of the same Partner Center calls made with the client alone (no
rules, no facts, no ledger). It also counts the ledger's commits per order, by the ledger
method that made them. Then cProfile of a smaller run, its time grouped by where it is spent:
our code, httpx, pydantic, sqlite, the rest.

Run: ``python bench/bench_orders.py [--orders 1000]``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

from bench_requests import CommitCounter, named

from csp_commerce import Checkout, HookManager
from csp_commerce.checkout.gather_facts import gather_facts
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.models import (
    AcceptanceSource,
    Address,
    CompanyProfile,
    Contact,
    Customer,
    McaAcceptance,
    Offer,
    Order,
    OrderLine,
)
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.provisioning.wire import (
    CartLineItem,
    CustomerBillingProfile,
    PCAddress,
    PrimaryContact,
)
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+14255550100"
)
ADDRESS = Address(
    country="US", state="WA", city="Redmond", postal_code="98052", address_line1="1 Microsoft Way"
)


def order(n: int, offer: Offer, tag: str) -> Order:
    customer = Customer(
        reference=f"{tag}-{n}",
        company=CompanyProfile(company_name=f"Bench {n}", domain=f"{tag}{n}.onmicrosoft.com"),
        address=ADDRESS,
        contact=CONTACT,
    )
    return Order(
        id=f"{tag}-{n}", customer=customer, lines=(OrderLine(id="1", offer=offer, quantity=3),)
    )


def client(sandbox: Sandbox) -> PartnerCenterClient:
    return PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client())


def place_orders(count: int, folder: Path, tag: str, commits: Counter[str] | None = None) -> float:
    """Seconds to validate and place ``count`` new-customer orders through the checkout, as a
    host does it; ``commits`` gets the ledger's durable commits by ledger method."""
    sandbox = Sandbox(seed=1)
    pc = client(sandbox)
    offer = next(o for o in sandbox.catalog.offers() if o.name == "Office 365 E3")
    log = McaEvidenceLog(folder / f"{tag}-mca.sqlite3")
    hooks = HookManager(entry_points=False)
    ledger = Ledger(folder / f"{tag}-ledger.sqlite3")  # the default durability
    counter = CommitCounter(ledger) if commits is not None else None
    checkout = Checkout(hooks=hooks, mca_log=log, provisioner=Provisioner(pc, ledger, hooks))
    started = time.perf_counter()
    for n in range(count):
        new = order(n, offer, tag)
        checkout.record_mca_acceptance(
            McaAcceptance(
                customer_reference=new.customer.reference,
                template_id=MCA_TEMPLATE_ID,
                contact=CONTACT,
                accepted_at=datetime.now(timezone.utc),
                source=AcceptanceSource.CUSTOMER,
                confirmed_by="ada",
            )
        )
        # The evidence log's acceptance counts before Partner Center has it: place() confirms it.
        facts = gather_facts(pc, new, cache=checkout.facts_cache)
        result = checkout.place(new, facts)
        assert result.outcome is not None, result.problems
        assert result.outcome.placed, result.outcome.failure
    elapsed = time.perf_counter() - started
    if counter is not None and commits is not None:
        commits.update(counter.take()[2])
    return elapsed


def floor(count: int) -> float:
    """Seconds for the same Partner Center calls made with the client alone."""
    sandbox = Sandbox(seed=1)
    pc = client(sandbox)
    offer = next(o for o in sandbox.catalog.offers() if o.name == "Office 365 E3")
    address = PCAddress(country="US", state="WA", city="Redmond", postal_code="98052",
                        address_line1="1 Microsoft Way", first_name="Ada", last_name="Lovelace",
                        phone_number="+14255550100")  # fmt: skip
    contact = PrimaryContact(first_name="Ada", last_name="Lovelace", email="ada@example.com",
                             phone_number="+14255550100")  # fmt: skip
    started = time.perf_counter()
    for n in range(count):
        domain = f"floor{n}.onmicrosoft.com"
        pc.customers.domain_available(domain)
        created = pc.customers.create(
            domain=domain,
            billing_profile=CustomerBillingProfile(
                email="ada@example.com", culture="en-US", language="en",
                company_name=f"Bench {n}", default_address=address,
            ),
        )  # fmt: skip
        pc.agreements.confirm(
            created.id,
            contact=contact,
            template_id=MCA_TEMPLATE_ID,
            date_agreed=datetime.now(timezone.utc),
        )
        cart = pc.carts.create(
            created.id,
            [CartLineItem(id=0, catalog_item_id=offer.id, quantity=3, billing_cycle="monthly",
                          term_duration="P1M")],
        )  # fmt: skip
        pc.carts.checkout(created.id, cart.id)
    return time.perf_counter() - started


_GROUPS = (
    ("sqlite3", "sqlite"),
    ("pydantic", "pydantic"),
    ("csp_commerce/sandbox", "our sandbox (the emulator)"),
    ("csp_commerce", "our code"),
    ("httpx", "httpx"),
    ("httpcore", "httpx"),
    ("pluggy", "pluggy"),
    ("tenacity", "tenacity"),
    ("json", "json"),
)


def group_of(filename: str, function: str) -> str:
    """The module group a profiled function belongs to (builtins by their owner's name)."""
    where = filename.replace("\\", "/") + " " + function
    for marker, name in _GROUPS:
        if marker in where:
            return name
    return "other (stdlib, builtins)"


def profile(count: int, folder: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    place_orders(count, folder, "prof")
    profiler.disable()
    stats = pstats.Stats(profiler)
    by_group: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        tottime = row[2]
        by_group[group_of(filename, function)] += tottime
        total += tottime
    print(f"\nwhere the time goes (cProfile, {count} orders, self time by module group):")
    for name, seconds in sorted(by_group.items(), key=lambda item: -item[1]):
        print(f"  {name:<28} {seconds:7.2f} s  {seconds / total:6.1%}")
    print("\ntop entries by self time:")
    stats.sort_stats("tottime").print_stats(12)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--profile-orders", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        commits: Counter[str] = Counter()
        ours = place_orders(args.orders, Path(folder), "bench", commits)
        bound = floor(args.orders)
        rate, floor_rate = args.orders / ours, args.orders / bound
        print(f"{'':<44} {'orders':>7} {'seconds':>8} {'orders/s':>9}")
        print(f"{'validate + place (facts, rules, ledger)':<44} {args.orders:>7} {ours:>8.2f} "
              f"{rate:>9.1f}")  # fmt: skip
        print(f"{'floor: the same calls, client only':<44} {args.orders:>7} {bound:>8.2f} "
              f"{floor_rate:>9.1f}")  # fmt: skip
        print(f"ratio to the floor: {ours / bound:.2f}x")
        per_order = Counter({method: n // args.orders for method, n in commits.items()})
        print(
            f"ledger commits per order (synchronous=FULL, each one synced):"
            f" {sum(commits.values()) / args.orders:.1f} = {named(per_order)}"
        )
        profile(args.profile_orders, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
