"""``csp-commerce demo``: the main job end to end on the embedded sandbox, narrated.

Every step builds an :class:`~csp_commerce.models.Order`, gathers its facts from the sandbox
through the real client (:func:`~csp_commerce.provisioning.gather_facts`), and places it with
:meth:`Checkout.place`; the data (ledger, MCA evidence, sandbox world) goes into a fresh
temporary directory unless ``--home`` keeps it.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from csp_commerce.cli import EXIT_INVALID, EXIT_OK, _env

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator

    from rich.console import Console

    from csp_commerce.checkout import Checkout
    from csp_commerce.cli._env import Environment
    from csp_commerce.models import CheckoutResult, Customer, Offer, Order, OrderLine, Reseller
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import WebhookDelivery

#: Orders placed in the throttled and faulty stretch.
FAULTY_ORDERS = 30
#: The longest a retry really sleeps in the demo (Retry-After is honoured, then shortened).
DEMO_MAX_SLEEP = 0.002

BUSINESS_STANDARD = "Microsoft 365 Business Standard"
E3 = "Office 365 E3"
EDUCATION = "Office 365 A1 for faculty"


def register(subparsers: Any) -> None:
    """Add ``demo`` to the ``csp-commerce`` command."""
    parser = subparsers.add_parser(
        "demo", help="run the main job against the built-in sandbox, narrated", description=__doc__
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="keep the data here (default: a fresh temporary directory, removed afterwards)",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=FAULTY_ORDERS,
        help=f"orders in the throttled and faulty stretch (default {FAULTY_ORDERS})",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo in ``--home`` or in a temporary directory."""
    if args.home is not None:
        return _run(args.home, args.orders, getattr(args, "database", None))
    with tempfile.TemporaryDirectory(prefix="csp-commerce-demo-") as folder:
        return _run(Path(folder), args.orders, getattr(args, "database", None))


@dataclass
class Tally:
    """What the demo did, for the summary."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)
    failures: int = 0

    def add(self, step: str, expected: str, got: str, ok: bool) -> None:
        self.rows.append((step, expected, got + ("" if ok else "  ✗")))
        if not ok:
            self.failures += 1


class RecordingSleep:
    """The client's retry sleep in the demo: records every wait asked for, sleeps a few ms."""

    def __init__(self, cap: float = DEMO_MAX_SLEEP) -> None:
        self.cap = cap
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(min(seconds, self.cap))


def _run(home: Path, faulty_orders: int, database: str | None = None) -> int:
    from csp_commerce.cli import _render

    out = _render.console()
    started = time.perf_counter()
    out.rule("[bold]csp-commerce demo[/bold]: the main job against the built-in sandbox")
    out.print(f"data directory: {home}")
    with _env.Environment(home, database=database) as env:
        demo = Demo(env, out)
        demo.run(faulty_orders)
        tally = demo.tally
    elapsed = time.perf_counter() - started
    from rich.table import Table

    summary = Table(title=f"Summary ({elapsed:.1f} s)", title_style="bold")
    for column in ("step", "expected", "got"):
        summary.add_column(column, overflow="fold")
    for row in tally.rows:
        summary.add_row(*row)
    out.print(summary)
    if tally.failures:
        out.print(f"[bold red]{tally.failures} step(s) did not go as expected[/bold red]")
        return EXIT_INVALID
    out.print("[bold green]every step went as expected[/bold green]")
    return EXIT_OK


class Demo:
    """The narrated steps, on one environment."""

    def __init__(self, env: Environment, out: Console) -> None:
        from csp_commerce.cli.checkout import make_checkout

        self.env = env
        self.out = out
        self.tally = Tally()
        self.checkout: Checkout = make_checkout(env)
        self.run_id = uuid.uuid4().hex[:6]
        self.offers = {offer.name: offer for offer in env.sandbox.catalog.offers()}
        self._orders = 0

    # -- the story ------------------------------------------------------------------------------

    def run(self, faulty_orders: int) -> None:
        """Every step, in order."""
        contoso = self.new_customer_orders()
        self.education_refused(contoso)
        self.existing_tenant()
        self.two_resellers()
        self.faulty_stretch(faulty_orders)

    def new_customer_orders(self) -> Customer:
        """A new customer: tenant, MCA, then monthly, annual and a merged monthly order."""
        from csp_commerce.models import BillingCycle, LineAction, TermDuration

        self.chapter("1. A new customer: a new tenant, MCA acceptance, Business Standard")
        contoso = self.customer("contoso", "Contoso Ltd")
        self.record_mca(contoso)
        first = self.place(
            "Business Standard, monthly, 10 seats",
            contoso,
            self.line(BUSINESS_STANDARD, 10, BillingCycle.MONTHLY, TermDuration.P1M),
        )
        outcome = first.outcome
        placed = outcome is not None and outcome.placed
        self.tally.add("new customer + tenant + MCA, monthly", "placed", _status(first), placed)
        if outcome is None or outcome.customer_tenant_id is None:
            return contoso
        contoso = contoso.model_copy(update={"tenant_id": outcome.customer_tenant_id})
        self.say(f"the tenant exists now: [bold]{outcome.customer_tenant_id}[/bold]")

        annual = self.place(
            "Business Standard, annual, 5 seats (a second subscription: the annual one)",
            contoso,
            self.line(BUSINESS_STANDARD, 5, BillingCycle.ANNUAL, TermDuration.P1Y),
        )
        self.tally.add("annual order", "placed", _status(annual), _placed(annual))

        merged = self.place(
            "Business Standard, monthly, 3 more seats (merged into the existing monthly)",
            contoso,
            self.line(BUSINESS_STANDARD, 3, BillingCycle.MONTHLY, TermDuration.P1M),
        )
        action = merged.plan.lines[0].action if merged.plan else None
        merged_ok = _placed(merged) and action is LineAction.ADD_QUANTITY
        self.tally.add("third order merged", "add_quantity", _status(merged, action), merged_ok)
        self.show_subscriptions(contoso.tenant_id, "Contoso's subscriptions now")
        return contoso

    def education_refused(self, contoso: Customer) -> None:
        """An education offer for a commercial customer: a Problem, nothing sent."""
        from csp_commerce.models import BillingCycle, TermDuration

        self.chapter("2. An education offer for a commercial customer")
        result = self.place(
            f"{EDUCATION} for Contoso (no Education qualification)",
            contoso,
            self.line(EDUCATION, 5, BillingCycle.MONTHLY, TermDuration.P1M),
        )
        codes = ", ".join(problem.code for problem in result.problems)
        self.tally.add("education offer", "refused", codes or _status(result), bool(codes))

    def existing_tenant(self) -> None:
        """An existing tenant: the order waits for the relationship; the signed event that the
        tenant accepted it arrives at the receiver, and the waiting order is placed."""
        from csp_commerce.checkout.waiting import waiting_orders
        from csp_commerce.models import BillingCycle, TermDuration

        self.chapter("3. An existing tenant: the order waits for the reseller relationship")
        sandbox = self.env.sandbox
        tenant_id = sandbox.add_existing_tenant(
            f"fabrikam{self.run_id}.onmicrosoft.com", "Fabrikam Inc"
        )
        fabrikam = self.customer("fabrikam", "Fabrikam Inc").model_copy(
            update={"tenant_id": tenant_id}
        )
        self.record_mca(fabrikam)
        line = self.line(E3, 20, BillingCycle.MONTHLY, TermDuration.P1M)
        before = self.place("Office 365 E3 for Fabrikam's existing tenant", fabrikam, line)
        link = next(
            (str(p.params.get("url")) for p in before.problems if p.params.get("url")), None
        )
        self.say(f"send the customer the invitation link: [link]{link}[/link]")
        waiting = waiting_orders(self.checkout, tenant_id)
        self.say(f"the order waits for the relationship in the ledger: {before.order_id}")
        self.tally.add(
            "existing tenant, no relationship",
            "invitation link, order waiting",
            _status(before),
            not _placed(before) and [order.id for order in waiting] == [before.order_id],
        )
        with self.receiver() as deliver:
            sandbox.accept_relationship(tenant_id)
            self.say("Fabrikam's admin accepted the invitation (sandbox.accept_relationship)")
            for delivery in deliver():
                self.say(f"Partner Center sent {delivery.event_name}, signed: {delivery.status}")
        after = self.checkout.place(waiting[0])  # the ledger's answer: placed by the event
        self.tally.add(
            "relationship accepted event", "waiting order placed", _status(after), _placed(after)
        )

    @contextmanager
    def receiver(self) -> Iterator[Callable[[], list[WebhookDelivery]]]:
        """A webhook receiver with the library's event handlers on a loopback socket,
        registered with the sandbox; yields what delivers the sandbox's queued events."""
        import httpx

        from csp_commerce.events import ReceiverServer, WebhookReceiver, WebhookTrust
        from csp_commerce.operations import EventHandlers
        from csp_commerce.operations.event_handlers import EVENT_HANDLERS_PLUGIN
        from csp_commerce.operations.webhook_registration import register_webhook

        sandbox, env = self.env.sandbox, self.env
        url, certificate = sandbox.webhook_certificate_url, sandbox.webhook_certificate_pem()
        hooks = self.checkout.hooks.with_plugins(
            {EVENT_HANDLERS_PLUGIN: EventHandlers(checkout=self.checkout)}
        )
        receiver = WebhookReceiver(
            hooks,
            trust=WebhookTrust.sandbox(sandbox.webhook_root_pem(), url),
            fetch=lambda asked: certificate if asked == url else b"",
        )
        with ReceiverServer(receiver, path="/events") as endpoint, httpx.Client() as http:
            events = ["reseller-relationship-accepted-by-customer"]
            register_webhook(env.client, env.ledger, endpoint.url, events)
            self.say(f"webhook receiver with the event handlers listening on {endpoint.url}")
            yield lambda: sandbox.deliver_webhooks(http)

    def two_resellers(self) -> None:
        """Two indirect resellers order for one tenant; each keeps its partner id on record."""
        from csp_commerce.models import BillingCycle, Reseller, TermDuration

        self.chapter("4. Two resellers ordering for the same tenant")
        sandbox = self.env.sandbox
        resellers = (
            Reseller(partner_id="4100001", name="Adatum IT"),
            Reseller(partner_id="4100002", name="Litware Services"),
        )
        for reseller in resellers:
            sandbox.add_reseller(reseller.partner_id, reseller.name)
        customer = self.customer("northwind", "Northwind Traders")
        self.record_mca(customer)
        ids = []
        for number, reseller in enumerate(resellers):
            line = self.line(E3, 5 + number, BillingCycle.MONTHLY, TermDuration.P1M)
            result = self.place(
                f"{reseller.name} ({reseller.partner_id}) orders {E3}",
                customer,
                line,
                reseller=reseller,
            )
            if result.outcome is not None and result.outcome.customer_tenant_id:
                customer = customer.model_copy(
                    update={"tenant_id": result.outcome.customer_tenant_id}
                )
            if result.outcome is not None:
                ids += [line.partner_id_on_record for line in result.outcome.lines]
        on_record = self.show_subscriptions(customer.tenant_id, "Northwind's subscriptions")
        expected = [reseller.partner_id for reseller in resellers]
        self.tally.add(
            "two resellers, one tenant",
            "partner ids " + " + ".join(expected),
            "partner ids " + " + ".join(sorted(p for p in on_record if p)),
            sorted(p for p in on_record if p) == expected and ids == expected,
        )

    def faulty_stretch(self, count: int) -> None:
        """Many orders through throttling and faults: each placed exactly once."""
        from rich.progress import Progress

        from csp_commerce.errors import ProvisioningInterrupted
        from csp_commerce.fulfilment.order_saga import Provisioner
        from csp_commerce.models import BillingCycle
        from csp_commerce.provisioning import RetryPolicy
        from csp_commerce.sandbox import Fault, FaultPlan

        self.chapter(f"5. {count} orders through throttling and faults")
        plan = FaultPlan(
            seed=7,
            throttle_rate=0.1,
            server_error_rate=0.05,
            commit_then_drop_rate=0.03,
            connection_reset_rate=0.02,
        )
        self.say(
            "fault plan: 10 % throttled (429, Retry-After 2 s), 5 % server errors, "
            "3 % committed then the answer lost, 2 % connection resets"
        )
        sleep = RecordingSleep()
        client = self.env.client.with_options(
            sleep=sleep, retry_policy=RetryPolicy(max_retries=8, initial_delay=0.01, max_delay=0.1)
        )
        checkout = self.checkout
        saved = checkout.provisioner
        checkout.provisioner = Provisioner(client, self.env.ledger, checkout.hooks)
        sandbox = self.env.sandbox
        sandbox.set_faults(plan)
        tenants: dict[str, str | None] = {}
        interrupted = 0
        faults: Counter[Fault] = Counter()
        try:
            with Progress(console=self.out, transient=False) as progress:
                task = progress.add_task("placing orders", total=count)
                for number in range(count):
                    customer = self.customer(f"batch{number}", f"Batch Customer {number}")
                    self.record_mca(customer, quiet=True)
                    order = self.order(
                        customer, self.line(E3, 1 + number % 5, BillingCycle.MONTHLY, None)
                    )
                    try:
                        result = checkout.place(order, self.facts(client, order))
                        outcome = result.outcome
                    except ProvisioningInterrupted:
                        interrupted += 1
                        outcome = None
                    tenants[order.id] = outcome.customer_tenant_id if outcome else None
                    progress.advance(task)
                resumed = checkout.resume()
                for outcome in resumed:
                    tenants[outcome.order_id] = outcome.customer_tenant_id
        finally:
            faults.update(sandbox.faults.counts)  # set_faults clears the counts
            sandbox.set_faults(FaultPlan())
            checkout.provisioner = saved
        subscriptions = sum(
            len(sandbox.world.customers[tenant].subscriptions)
            for tenant in tenants.values()
            if tenant is not None and tenant in sandbox.world.customers
        )
        placed = sum(1 for tenant in tenants.values() if tenant is not None)
        throttled = sum(1 for wait in sleep.waits if wait >= plan.injected_retry_after_seconds)
        self.say(
            f"{len(sleep.waits)} retries; Retry-After honoured {throttled} time(s) "
            f"({plan.injected_retry_after_seconds} s each, shortened to "
            f"{DEMO_MAX_SLEEP * 1000:.0f} ms for the demo); faults injected: "
            + ", ".join(f"{fault.value} {faults[fault]}" for fault in Fault if faults[fault])
        )
        if interrupted:
            self.say(f"{interrupted} order(s) interrupted and finished by Checkout.resume()")
        self.say(
            f"orders {count}, placed {placed}, subscriptions in the sandbox "
            f"[bold]{subscriptions}[/bold]"
        )
        ok = placed == count and subscriptions == count
        self.tally.add(
            f"{count} orders, faults",
            f"{count} subscriptions",
            f"{subscriptions} subscriptions, {len(sleep.waits)} retries",
            ok,
        )

    # -- helpers --------------------------------------------------------------------------------

    def chapter(self, title: str) -> None:
        """A new part of the story."""
        self.out.print()
        self.out.rule(f"[bold cyan]{title}[/bold cyan]", align="left")

    def say(self, text: str) -> None:
        """One line of narration."""
        self.out.print(f"  {text}")

    def customer(self, name: str, company: str) -> Customer:
        """A US customer with a fresh domain (unique per run, so ``--home`` can be reused)."""
        from csp_commerce.models import Address, CompanyProfile, Contact, Customer

        return Customer(
            reference=f"{name}-{self.run_id}",
            company=CompanyProfile(
                company_name=company, domain=f"{name}{self.run_id}.onmicrosoft.com"
            ),
            address=Address(
                country="US",
                state="WA",
                city="Redmond",
                postal_code="98052",
                address_line1="1 Microsoft Way",
            ),
            contact=Contact(
                first_name="Ada",
                last_name="Lovelace",
                email=f"ada@{name}.example",
                phone_number="+14255550100",
            ),
        )

    def record_mca(self, customer: Customer, *, quiet: bool = False) -> None:
        """The customer accepts the MCA at the storefront: into the evidence log."""
        from csp_commerce.models import AcceptanceSource, McaAcceptance
        from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID

        assert customer.contact is not None
        problems = self.checkout.record_mca_acceptance(
            McaAcceptance(
                customer_reference=customer.reference,
                tenant_id=customer.tenant_id,
                template_id=MCA_TEMPLATE_ID,
                contact=customer.contact,
                accepted_at=datetime.now(timezone.utc),
                source=AcceptanceSource.CUSTOMER,
                confirmed_by=customer.contact.email,
            )
        )
        if not quiet:
            entry = (
                self.checkout.mca_log.latest(customer.reference) if self.checkout.mca_log else None
            )
            self.say(
                f"{customer.company.company_name} accepted the MCA: evidence entry "
                f"#{entry.seq if entry else '?'} {problems or ''}"
            )

    def line(self, name: str, quantity: int, cycle: Any, term: Any, **extra: Any) -> OrderLine:
        """An order line for the catalog offer called ``name``."""
        from csp_commerce.models import OrderLine

        offer: Offer = self.offers[name]
        extra.setdefault("id", "1")
        return OrderLine(
            offer=offer, quantity=quantity, billing_cycle=cycle, term_duration=term, **extra
        )

    def order(
        self, customer: Customer, *lines: OrderLine, reseller: Reseller | None = None
    ) -> Order:
        """A new order with a readable id."""
        from csp_commerce.models import Actor, Order

        self._orders += 1
        return Order(
            id=f"demo-{self.run_id}-{self._orders}",
            customer=customer,
            lines=lines,
            reseller=reseller,
            acting=Actor.RESELLER if reseller is not None else Actor.CUSTOMER,
        )

    def facts(self, client: PartnerCenterClient, order: Order) -> Any:
        """The order's facts from the sandbox, through the client."""
        from csp_commerce.cli.checkout import facts_for

        return facts_for(client, self.checkout, order)

    def place(
        self, title: str, customer: Customer, *lines: OrderLine, reseller: Reseller | None = None
    ) -> CheckoutResult:
        """Build, judge and place one order, and show what happened."""
        from csp_commerce.cli.checkout import show_result

        order = self.order(customer, *lines, reseller=reseller)
        self.out.print(f"\n[bold]▸ {title}[/bold]  (order {order.id})")
        result = self.checkout.place(order, self.facts(self.env.client, order))
        show_result(result)
        return result

    def show_subscriptions(self, tenant_id: str | None, title: str) -> list[str | None]:
        """The tenant's subscriptions as Partner Center lists them; their partner ids."""
        from rich.table import Table

        if tenant_id is None:
            return []
        table = Table(title=title)
        for column in ("subscription", "offer", "qty", "billing", "partner id on record"):
            table.add_column(column, overflow="fold")
        partner_ids = []
        for sub in self.env.client.subscriptions.list(tenant_id):
            partner_ids.append(sub.partner_id or None)
            table.add_row(
                sub.id,
                sub.offer_name or sub.offer_id or "",
                str(sub.quantity),
                sub.billing_cycle or "",
                sub.partner_id or "-",
            )
        self.out.print(table)
        return partner_ids


def _placed(result: CheckoutResult) -> bool:
    return result.outcome is not None and result.outcome.placed


def _status(result: CheckoutResult, action: Any = None) -> str:
    if result.problems:
        return "problems: " + ", ".join(problem.code for problem in result.problems)
    if result.outcome is not None:
        text = result.outcome.status.value
        return f"{text} ({action.value})" if action is not None else text
    return "valid, not placed"
