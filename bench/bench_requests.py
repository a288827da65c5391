"""Benchmark: Partner Center requests and ledger commits per order type, against the minimum.

Partner Center's budget (about 500 requests a minute per partner) is the real cost of an order.
Each order type is placed as a host would, through ``gather_facts`` (with the checkout's facts
cache) and ``Checkout.place``, against the in-process sandbox behind a transport that counts
every request. Per order type it prints:

* the requests the saga sends (``Provisioner.place``): those that change something (writes) and
  the reads it needs, next to the minimum Partner Center needs for that order, and the ratio;
* the fact reads (``gather_facts``), for the first order of the batch and for the later ones
  (the reseller's facts are cached within a batch), and the checkout's own reads over the run
  (Partner Center's country rules, cached per country);
* the ledger's SQLite commits per order (and the MCA evidence log's, when the host records an
  acceptance for the order).

The minimum: a new customer with a subscription is create customer, confirm MCA, create cart,
check out (4); a seat change is one GET and one PATCH (2); an add-on on an existing
subscription, or five new subscriptions for an existing customer whose MCA Partner Center has,
is one cart and its checkout (2); an indirect reseller's new customer is 4, like a direct one.

Run: ``python bench/bench_requests.py [--batch 5]``.
"""

from __future__ import annotations

import argparse
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

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
    Reseller,
)
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import API_BASE, Sandbox, SandboxCredential
from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID
from csp_commerce.store.ledger import Ledger
from csp_commerce.store.mca_log import McaEvidenceLog

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+14255550100"
)
ADDRESS = Address(
    country="US", state="WA", city="Redmond", postal_code="98052", address_line1="1 Microsoft Way"
)
RESELLER_MPN = "5100001"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_WRITE_VERBS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class CountingTransport(httpx.BaseTransport):
    """Counts every request by the phase the benchmark is in, and whether it changes
    something (POST, PUT, PATCH, DELETE) or reads."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.phase = "setup"
        self.counts: Counter[tuple[str, str]] = Counter()
        self.total: Counter[tuple[str, str]] = Counter()  # the whole run, setup included
        self.sent: list[str] = []  # the saga's requests since the last take()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        kind = "write" if request.method in _WRITES else "read"
        self.counts[self.phase, kind] += 1
        self.total[self.phase, kind] += 1
        if self.phase == "saga":
            self.sent.append(f"{request.method} {_ID.sub('{id}', request.url.path)}")
        return self.inner.handle_request(request)

    def take(self) -> tuple[Counter[tuple[str, str]], list[str]]:
        """The counts, and the saga's requests, since the last call."""
        counts, self.counts = self.counts, Counter()
        sent, self.sent = self.sent, []
        return counts, sent


class CommitCounter:
    """Counts the commits of a ledger or evidence log (wrapping its ``Database``): each
    ``transaction()`` block, and each write statement run outside one (autocommit). ``durable``
    counts those that changed a row, the ones that write to the WAL (and, at the default
    ``synchronous=FULL``, sync it). ``by_method`` names the store's method each durable commit
    came from (``begin_step``, ``finish_step``, ...)."""

    def __init__(self, store: Any) -> None:
        self.commits = 0
        self.durable = 0
        self.by_method: Counter[str] = Counter()
        self._depth = 0
        database = store._db
        connection: sqlite3.Connection = database._db
        execute, transaction = database.execute, database.transaction

        def counted_execute(sql: str, parameters: Any = ()) -> Any:
            if self._depth or sql.lstrip().split(None, 1)[0].upper() not in _WRITE_VERBS:
                return execute(sql, parameters)
            before = connection.total_changes
            result = execute(sql, parameters)
            self._count(connection.total_changes > before)
            return result

        @contextmanager
        def counted_transaction() -> Iterator[Any]:
            with transaction() as inner:
                before = connection.total_changes
                self._depth += 1
                try:
                    yield inner
                finally:
                    self._depth -= 1
                changed = connection.total_changes > before
            self._count(changed)  # reached only when the block committed

        database.execute = counted_execute
        database.transaction = counted_transaction

    def _count(self, changed: bool) -> None:
        self.commits += 1
        if changed:
            self.durable += 1
            self.by_method[_store_method()] += 1

    def take(self) -> tuple[int, int, Counter[str]]:
        """(commits, durable commits, durable commits by store method) since the last call."""
        taken = (self.commits, self.durable, self.by_method)
        self.commits = self.durable = 0
        self.by_method = Counter()
        return taken


_PLUMBING = ("csp_commerce.store._db", "csp_commerce.store._schema")


_PLUMBING = ("csp_commerce.store._db", "csp_commerce.store._schema")


def _store_method() -> str:
    """The name of the innermost store method (``csp_commerce.store.*``) on the call stack."""
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if module.startswith("csp_commerce.store.") and module not in _PLUMBING:
            return frame.f_code.co_name
        frame = frame.f_back  # type: ignore[assignment]
    return "?"


class World:
    """One sandbox, one counting client, one checkout with its ledger and evidence log."""

    def __init__(self, folder: Path) -> None:
        self.sandbox = Sandbox(seed=1)
        self.sandbox.add_reseller(RESELLER_MPN, "Reseller One")
        self.transport = CountingTransport(self.sandbox.transport())
        self.client = PartnerCenterClient(
            SandboxCredential(),
            http_client=httpx.Client(transport=self.transport, base_url=API_BASE),
        )
        self.log = McaEvidenceLog(folder / "mca.sqlite3")
        self.ledger = Ledger(folder / "ledger.sqlite3")
        hooks = HookManager(entry_points=False)
        provisioner = Provisioner(self.client, self.ledger, hooks)
        # As a host makes it: with the provisioner, Partner Center's country rules judge too.
        self.checkout = Checkout(hooks=hooks, mca_log=self.log, provisioner=provisioner)
        self.ledger_commits = CommitCounter(self.ledger)
        self.log_commits = CommitCounter(self.log)
        place = provisioner.place

        def counted_place(*args: Any, **kwargs: Any) -> Any:
            before, self.transport.phase = self.transport.phase, "saga"
            try:
                return place(*args, **kwargs)
            finally:
                self.transport.phase = before

        provisioner.place = counted_place  # type: ignore[method-assign]
        self.offers = {offer.name: offer for offer in self.sandbox.catalog.offers()}

    def offer(self, name: str) -> Offer:
        return self.offers[name]

    def record_mca(self, order: Order) -> None:
        problems = self.checkout.record_mca_acceptance(
            McaAcceptance(
                customer_reference=order.customer.reference,
                template_id=MCA_TEMPLATE_ID,
                contact=CONTACT,
                accepted_at=datetime.now(timezone.utc),
                source=AcceptanceSource.CUSTOMER,
                confirmed_by="ada",
            )
        )
        assert not problems, problems

    def place(self, order: Order) -> dict[str, Any]:
        """Place ``order`` as a host would; returns its subscriptions by line id."""
        self.transport.phase = "facts"
        facts = gather_facts(self.client, order, cache=self.checkout.facts_cache)
        self.transport.phase = "checkout"
        result = self.checkout.place(order, facts)
        self.transport.phase = "setup"
        assert result.outcome is not None, result.problems
        assert result.outcome.placed, result.outcome.failure
        return {
            "tenant_id": result.outcome.customer_tenant_id,
            "lines": {line.line_id: line.subscription_id for line in result.outcome.lines},
        }


def customer(tag: str, n: int, tenant_id: str | None = None) -> Customer:
    return Customer(
        reference=f"{tag}-{n}",
        company=CompanyProfile(company_name=f"Bench {tag} {n}", domain=f"{tag}{n}.onmicrosoft.com"),
        address=ADDRESS,
        contact=CONTACT,
        tenant_id=tenant_id,
    )


@dataclass
class Figures:
    """What one order type cost, over a batch."""

    name: str
    minimum: int
    orders: int = 0
    writes: int = 0
    saga_reads: int = 0
    fact_reads: list[int] = field(default_factory=list)
    ledger_commits: int = 0
    ledger_durable: int = 0
    log_commits: int = 0
    sent: list[str] = field(default_factory=list)  # the last order's saga requests
    commits: Counter[str] = field(default_factory=Counter)  # the last order's, by method

    def add(
        self,
        taken: tuple[Counter[tuple[str, str]], list[str]],
        ledger: tuple[int, int, Counter[str]],
        log: tuple[int, int, Counter[str]],
    ) -> None:
        counts, self.sent = taken
        self.commits = ledger[2]
        self.orders += 1
        self.writes += counts["saga", "write"]
        self.saga_reads += counts["saga", "read"]
        assert counts["facts", "write"] == counts["checkout", "write"] == 0, counts
        self.fact_reads.append(counts["facts", "read"])
        self.ledger_commits += ledger[0]
        self.ledger_durable += ledger[1]
        self.log_commits += log[1]

    def per_order(self, value: int) -> float:
        return value / self.orders


def existing_customers(world: World, tag: str, count: int) -> list[tuple[Customer, str]]:
    """``count`` customers with an Office 365 E3 subscription and the MCA on record."""
    made = []
    for n in range(count):
        order = Order(
            id=f"{tag}-setup-{n}",
            customer=customer(tag, n),
            lines=(OrderLine(id="base", offer=world.offer("Office 365 E3"), quantity=10),),
        )
        world.record_mca(order)
        placed = world.place(order)
        existing = customer(tag, n, tenant_id=placed["tenant_id"])
        made.append((existing, str(placed["lines"]["base"])))
    return made


def new_customer(world: World, n: int, tag: str) -> Order:
    order = Order(
        id=f"{tag}-{n}",
        customer=customer(tag, n),
        lines=(OrderLine(id="1", offer=world.offer("Office 365 E3"), quantity=3),),
    )
    world.record_mca(order)
    return order


def reseller_customer(world: World, n: int, tag: str) -> Order:
    order = new_customer(world, n, tag)
    return order.model_copy(update={"reseller": Reseller(partner_id=RESELLER_MPN, name="One")})


FIVE = (
    "Office 365 E1",
    "Office 365 E5",
    "Microsoft 365 E3",
    "Microsoft 365 E5",
    "Exchange Online (Plan 1)",
)


def run(world: World, batch: int) -> list[Figures]:
    seats_for = existing_customers(world, "seats", batch)
    addon_for = existing_customers(world, "addon", batch)
    five_for = existing_customers(world, "five", batch)

    def seat_change(n: int, tag: str) -> Order:
        who, subscription = seats_for[n]
        line = OrderLine(
            id="1", offer=world.offer("Office 365 E3"), quantity=2, subscription_id=subscription
        )
        return Order(id=f"{tag}-{n}", customer=who, lines=(line,))

    def add_on(n: int, tag: str) -> Order:
        who, subscription = addon_for[n]
        line = OrderLine(
            id="1",
            offer=world.offer("Microsoft Teams Phone Standard"),
            quantity=2,
            parent_subscription_id=subscription,
        )
        return Order(id=f"{tag}-{n}", customer=who, lines=(line,))

    def five_new(n: int, tag: str) -> Order:
        who, _ = five_for[n]
        lines = tuple(
            OrderLine(id=str(i), offer=world.offer(name), quantity=2) for i, name in enumerate(FIVE)
        )
        return Order(id=f"{tag}-{n}", customer=who, lines=lines)

    types: list[tuple[str, int, Callable[[int, str], Order]]] = [
        ("new customer + subscription", 4, lambda n, tag: new_customer(world, n, tag)),
        ("seat change", 2, seat_change),
        ("add-on on an existing subscription", 2, add_on),
        ("five new subscriptions, existing customer", 2, five_new),
        ("indirect reseller's new customer", 4, lambda n, tag: reseller_customer(world, n, tag)),
    ]
    results = []
    for index, (name, minimum, make) in enumerate(types):
        figures = Figures(name, minimum)
        tag = f"t{index}"
        for n in range(batch):
            world.transport.take()
            world.ledger_commits.take()
            world.log_commits.take()
            order = make(n, tag)  # records the MCA acceptance for a new customer
            log = world.log_commits.take()
            world.place(order)
            figures.add(world.transport.take(), world.ledger_commits.take(), log)
        results.append(figures)
    return results


def report(results: list[Figures], batch: int, rules_reads: int) -> None:
    print(f"requests per order type, {batch} orders of each (in-process sandbox)\n")
    header = (
        f"{'order type':<42} {'writes':>6} {'reads':>5} {'total':>5} {'min':>4} {'ratio':>6}"
        f" {'facts 1st':>9} {'facts later':>11} {'commits':>7} {'durable':>7}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for f in results:
        total = f.per_order(f.writes + f.saga_reads)
        ratio = total / f.minimum
        worst = max(worst, ratio)
        later = f.fact_reads[1:] or [0]
        print(
            f"{f.name:<42} {f.per_order(f.writes):>6.1f} {f.per_order(f.saga_reads):>5.1f}"
            f" {total:>5.1f} {f.minimum:>4} {ratio:>5.2f}x {f.fact_reads[0]:>9}"
            f" {sum(later) / len(later):>11.1f}"
            f" {f.per_order(f.ledger_commits):>7.1f} {f.per_order(f.ledger_durable):>7.1f}"
        )
    print(
        "\nwrites/reads/total: requests the saga sends per order (reads: those it needs to"
        " compute a change);\nfacts 1st/later: gather_facts reads for the batch's first order"
        " and per later order;\ncommits: ledger commits per order (write transactions);"
        " durable: those that changed a row (each a WAL write, synced at synchronous=FULL)."
    )
    logged = [f for f in results if f.log_commits]
    for f in logged:
        print(
            f"MCA evidence log: {f.per_order(f.log_commits):.1f} durable commits per recorded"
            f" acceptance ({f.name})"
        )
    print(
        f"the checkout's own reads (Partner Center's country rules, cached per country):"
        f" {rules_reads} over the whole run"
    )
    print("\nthe saga's requests, one order of each type:")
    for f in results:
        print(f"  {f.name}: {', '.join(f.sent)}")
    print("\nthe ledger's durable commits, one order of each type:")
    for f in results:
        print(f"  {f.name}: {named(f.commits)}")
    print(f"\nworst ratio to the minimum: {worst:.2f}x (target <= 1.10x)")


def named(commits: Counter[str]) -> str:
    """``9 (record_order 1, begin_step 3, ...)``, in the order the methods first committed."""
    parts = ", ".join(f"{method} {count}" for method, count in commits.items())
    return f"{sum(commits.values())} ({parts})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=5, help="orders of each type")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        world = World(Path(folder))
        results = run(world, args.batch)
    report(results, args.batch, world.transport.total["checkout", "read"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
