"""Discovery: import a partner's customers, subscriptions and invoices, incrementally.

How a run decides what to fetch (Partner Center has no "changed since" on these lists):

* **Customers** are listed in full every run (a few seek pages: 500 per page). Each one's
  content hash is compared with the one last handed to the host; only new or changed customers
  are handed again (``csp_discovered_customer``).
* **Subscriptions** are listed per customer, and only for customers that need it: new ones,
  ones whose listing a stopped or failed run left unfinished, changed ones, and ones the
  **activity log** (``GET /v1/auditrecords``) names since the last completed run started (an
  order, a subscription change, a new customer). A first run, or one whose cursor is older than
  the 90 days the log keeps, lists every customer's subscriptions. Only new or changed
  subscriptions (content hash, which includes the etag) are handed again.
* **Invoices** are listed every run (offset pages); line items are fetched only for invoices
  that are new or whose header changed, and handed with the invoice.

A run is recorded in the store with its state (in progress, stopped, error, completed). It
checks a stop flag (:meth:`Discovery.stop`, or SIGINT with ``stop_on_sigint``) between
customers; a later run resumes it, skipping the customers it finished. Each record's hash is
stored right after the record is handed, so stop and resume never hand a record twice; a crash
between the two can (delivery is at least once, exactly once across stop and resume).

Requests run concurrently (``max_concurrency`` customers at once) and are paced by a token
bucket at ``requests_per_minute`` on every attempt, so the partner's limit is never exceeded;
a 429 that still happens is retried by the client after ``Retry-After``. Records are streamed:
a bounded queue holds at most a few pages of customers at any time.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import signal
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from csp_commerce.errors import (
    InputError,
    LegacyInvoiceError,
    OperationNotSupportedError,
    ReconciliationExportError,
)
from csp_commerce.models.discovery import (
    DiscoveredCustomer,
    DiscoveredInvoice,
    DiscoveredInvoiceLine,
    DiscoveredSubscription,
    DiscoveryCounts,
    DiscoveryRun,
    DiscoveryState,
)
from csp_commerce.operations.invoice_lines import V1_CLOUD, V1_LEGACY, V2
from csp_commerce.provisioning.blobs import BadRow
from csp_commerce.provisioning.pacing import (
    DEFAULT_REQUESTS_PER_MINUTE,
    PacedTransport,
    TokenBucket,
)
from csp_commerce.store.discovery_store import (
    CUSTOMER,
    INVOICE,
    SUBSCRIPTION,
    DiscoveryStore,
    utcnow,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models.clouds import Cloud, CloudEndpoints
    from csp_commerce.provisioning import AsyncPartnerCenterClient
    from csp_commerce.provisioning.wire import Invoice, PCCustomer, PCModel, Subscription

log = logging.getLogger(__name__)

#: The activity log keeps 90 days; a cursor older than this (with a margin) means a full run.
AUDIT_HORIZON = timedelta(days=89)
_UNFINISHED = (DiscoveryState.IN_PROGRESS, DiscoveryState.STOPPED, DiscoveryState.ERROR)
_DONE = object()  # the end-of-customers marker on the queue


def fingerprint(data: Any) -> str:
    """The content hash of a record's JSON (key order does not matter)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Progress:
    """How far a run is: customers finished, and the total once the listing has ended."""

    customers_done: int
    customers_total: int | None
    counts: DiscoveryCounts


@dataclass
class _Tally:
    customers_seen: int = 0
    customers_handed: int = 0
    subscriptions_fetched_for: int = 0
    subscriptions_seen: int = 0
    subscriptions_handed: int = 0
    invoices_seen: int = 0
    invoices_handed: int = 0
    requests: int = 0

    def counts(self) -> DiscoveryCounts:
        return DiscoveryCounts(**self.__dict__)


@dataclass
class _RunContext:
    run: DiscoveryRun
    client: AsyncPartnerCenterClient
    bucket: TokenBucket
    active: set[str] | None  # customers with activity since the cursor (None: full run)
    done: set[str]
    tally: _Tally
    base_requests: int
    listed: int = 0
    total: int | None = None
    finished: int = field(default=0)


class Discovery:
    """Discovery of one partner account: a sync facade (:meth:`run`) over an async core.

    :param partner: the partner account's name (records and runs are kept under it).
    :param credential: an app+user credential (e.g. :class:`RefreshTokenCredential` from
        onboarding; the sandbox's :class:`SandboxCredential`).
    :param store: the :class:`DiscoveryStore` holding runs and fingerprints.
    :param hooks: the host's :class:`HookManager`; records are handed through it.
    :param transport: the async httpx transport to send through (default: the network; the
        sandbox's ``transport()`` in process). Every attempt is paced before it is sent.
    :param requests_per_minute: the partner's limit (Partner Center documents 500 per tenant).
    :param max_concurrency: customers processed at once.
    :param progress: called after each customer with a :class:`Progress`.
    :param client_options: passed to :class:`AsyncPartnerCenterClient` (``max_retries``...).
    """

    def __init__(
        self,
        partner: str,
        credential: Any,
        store: DiscoveryStore,
        hooks: HookManager,
        *,
        cloud: Cloud | CloudEndpoints | None = None,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
        max_concurrency: int = 16,
        customer_page_size: int = 500,
        progress: Callable[[Progress], None] | None = None,
        stop_on_sigint: bool = False,
        bucket: TokenBucket | None = None,
        **client_options: Any,
    ) -> None:
        if max_concurrency < 1 or requests_per_minute < 1:
            raise InputError("max_concurrency and requests_per_minute must be at least 1")
        self.partner = partner
        self.store = store
        self.hooks = hooks
        self.requests_per_minute = requests_per_minute
        self.max_concurrency = max_concurrency
        self.customer_page_size = customer_page_size
        self._credential = credential
        self._cloud = cloud
        self._base_url = base_url
        self._transport = transport
        self.progress = progress
        self._stop_on_sigint = stop_on_sigint
        self._bucket = bucket
        self._client_options = client_options
        self._stop = threading.Event()

    # -- control -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the running discovery to stop after the customers in flight (thread-safe)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def run(self, *, restart: bool = False) -> DiscoveryRun:
        """Run discovery to completion (or until stopped) in a new event loop.

        Resumes the partner's unfinished run (stopped, failed or interrupted) unless
        ``restart``, which starts a new full run. Returns the run as recorded; an error is
        recorded (state ``error``) and raised.
        """
        return asyncio.run(self.run_async(restart=restart))

    async def run_async(self, *, restart: bool = False) -> DiscoveryRun:
        """The async core of :meth:`run`."""
        self._stop.clear()
        run, done = self._begin(restart)
        bucket = self._bucket or TokenBucket(self.requests_per_minute)
        inner = self._transport or httpx.AsyncHTTPTransport()
        http = httpx.AsyncClient(transport=PacedTransport(inner, bucket), timeout=None)
        client = self._client(http)
        tally = _Tally(**run.counts.model_dump())
        ctx = _RunContext(run, client, bucket, None, done, tally, tally.requests - bucket.acquired)
        loop = asyncio.get_running_loop()
        if self._stop_on_sigint:
            loop.add_signal_handler(signal.SIGINT, self.stop)
        try:
            ctx.active = await self._activity(ctx)
            await self._customers(ctx)
            if not self.stopping:
                await self._invoices(ctx)
        except BaseException as error:
            self._record(ctx, DiscoveryState.ERROR, error=_describe(error))
            raise
        finally:
            if self._stop_on_sigint:
                loop.remove_signal_handler(signal.SIGINT)
            await http.aclose()
        state = DiscoveryState.STOPPED if self.stopping else DiscoveryState.COMPLETED
        return self._record(ctx, state)

    # -- the steps ---------------------------------------------------------------------------

    def _begin(self, restart: bool) -> tuple[DiscoveryRun, set[str]]:
        latest = self.store.latest_run(self.partner)
        if latest is not None and latest.state in _UNFINISHED and not restart:
            log.info("discovery of %s: resuming run %d", self.partner, latest.id)
            self.store.update_run(latest.id, DiscoveryState.IN_PROGRESS, latest.counts)
            return latest, self.store.done_customers(latest.id)
        since: datetime | None = None
        previous = self.store.last_completed(self.partner)
        if previous is not None and not restart and previous.started_at > utcnow() - AUDIT_HORIZON:
            since = previous.started_at
        return self.store.start_run(self.partner, since), set()

    def _client(self, http: httpx.AsyncClient) -> AsyncPartnerCenterClient:
        from csp_commerce.provisioning import AsyncPartnerCenterClient

        options = dict(self._client_options)
        if self._cloud is not None:
            options["cloud"] = self._cloud
        if self._base_url is not None:
            options["base_url"] = self._base_url
        options.setdefault("application_name", "csp-commerce discovery")
        return AsyncPartnerCenterClient(self._credential, http_client=http, **options)

    async def _activity(self, ctx: _RunContext) -> set[str] | None:
        """Customers the activity log names in the run's window (None: list every customer)."""
        since = ctx.run.activity_since
        if since is None:
            return None
        active: set[str] = set()
        async for record in ctx.client.audit_records.list(since, ctx.run.started_at):
            if record.customer_id:
                active.add(record.customer_id)
        return active

    async def _customers(self, ctx: _RunContext) -> None:
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=2 * self.max_concurrency)
        workers = [asyncio.create_task(self._work(ctx, queue)) for _ in range(self.max_concurrency)]
        tasks = [asyncio.create_task(self._list_customers(ctx, queue)), *workers]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _list_customers(self, ctx: _RunContext, queue: asyncio.Queue[Any]) -> None:
        try:
            pages = ctx.client.customers.list(size=self.customer_page_size).pages()
            async for page in pages:
                for customer in page.items:
                    ctx.listed += 1
                    if customer.id in ctx.done:
                        ctx.finished += 1
                        continue
                    await queue.put(customer)
                if self.stopping:
                    break
            ctx.total = None if self.stopping else ctx.listed
        finally:
            for _ in range(self.max_concurrency):
                await queue.put(_DONE)

    async def _work(self, ctx: _RunContext, queue: asyncio.Queue[Any]) -> None:
        while True:
            customer = await queue.get()
            if customer is _DONE:
                return
            if self.stopping:
                continue  # left for the resumed run
            await self._customer(ctx, customer)
            ctx.finished += 1
            if ctx.finished % 100 == 0:
                self._record(ctx, DiscoveryState.IN_PROGRESS)
            if self.progress is not None:
                self.progress(Progress(ctx.finished, ctx.total, ctx.tally.counts()))

    async def _customer(self, ctx: _RunContext, customer: PCCustomer) -> None:
        """One unit of work: hand the customer if new or changed, then its subscriptions."""
        store, partner, tally = self.store, self.partner, ctx.tally
        tally.customers_seen += 1
        data = _wire(customer)
        digest = fingerprint(data)
        known = store.fingerprint(partner, CUSTOMER, customer.id)
        changed = known is None or known[0] != digest
        needs_subscriptions = (
            known is None
            or not known[1]
            or changed
            or ctx.active is None
            or customer.id in ctx.active
        )
        if changed:
            self.hooks.discovered_customer(_customer_record(partner, customer, data, digest))
            tally.customers_handed += 1
            store.remember(
                partner, CUSTOMER, [(customer.id, None, digest)], complete=not needs_subscriptions
            )
        elif needs_subscriptions and known is not None and known[1]:
            store.remember(partner, CUSTOMER, [(customer.id, None, digest)], complete=False)
        if needs_subscriptions:
            await self._subscriptions(ctx, customer.id)
            store.set_complete(partner, CUSTOMER, customer.id)
        store.mark_done(ctx.run.id, customer.id)

    async def _subscriptions(self, ctx: _RunContext, customer_id: str) -> None:
        store, partner, tally = self.store, self.partner, ctx.tally
        tally.subscriptions_fetched_for += 1
        previous = store.fingerprints(partner, SUBSCRIPTION, customer_id)
        async for subscription in ctx.client.subscriptions.list(customer_id):
            tally.subscriptions_seen += 1
            data = _wire(subscription)
            digest = fingerprint(data)
            if previous.get(subscription.id) == digest:
                continue
            record = _subscription_record(partner, customer_id, subscription, data, digest)
            self.hooks.discovered_subscription(record)
            tally.subscriptions_handed += 1
            store.remember(partner, SUBSCRIPTION, [(subscription.id, customer_id, digest)])

    async def _invoices(self, ctx: _RunContext) -> None:
        known = self.store.known_ids(self.partner, INVOICE)
        async for invoice in ctx.client.invoices.list(size=100):
            if self.stopping:
                return
            ctx.tally.invoices_seen += 1
            data = _wire(invoice)
            digest = fingerprint(data)
            if known.get(invoice.id) == digest:
                continue
            source, lines = await _invoice_lines(ctx.client, invoice)
            record = _invoice_record(self.partner, invoice, data, digest, lines)
            self.hooks.discovered_invoice(record.model_copy(update={"line_source": source}))
            ctx.tally.invoices_handed += 1
            self.store.remember(self.partner, INVOICE, [(invoice.id, None, digest)])

    def _record(
        self, ctx: _RunContext, state: DiscoveryState, *, error: str | None = None
    ) -> DiscoveryRun:
        ctx.tally.requests = ctx.base_requests + ctx.bucket.acquired
        self.store.update_run(ctx.run.id, state, ctx.tally.counts(), error=error)
        run = self.store.run(ctx.run.id)
        assert run is not None
        return run


# -- records ---------------------------------------------------------------------------------


def _wire(resource: PCModel) -> dict[str, Any]:
    return resource.to_wire()


def _customer_record(
    partner: str, customer: PCCustomer, data: dict[str, Any], digest: str
) -> DiscoveredCustomer:
    company = customer.company_profile
    return DiscoveredCustomer(
        partner=partner,
        id=customer.id,
        company_name=company.company_name if company is not None else None,
        domain=company.domain if company is not None else None,
        relationship_to_partner=customer.relationship_to_partner,
        associated_partner_id=customer.associated_partner_id,
        fingerprint=digest,
        data=data,
    )


def _subscription_record(
    partner: str, customer_id: str, subscription: Subscription, data: dict[str, Any], digest: str
) -> DiscoveredSubscription:
    return DiscoveredSubscription(
        partner=partner,
        customer_id=customer_id,
        id=subscription.id,
        offer_id=subscription.offer_id,
        offer_name=subscription.offer_name,
        friendly_name=subscription.friendly_name,
        quantity=subscription.quantity,
        status=subscription.status,
        billing_cycle=subscription.billing_cycle,
        term_duration=subscription.term_duration,
        auto_renew_enabled=subscription.auto_renew_enabled,
        etag=subscription.etag,
        fingerprint=digest,
        data=data,
    )


_LINE_FIELDS = (
    "customer_id",
    "subscription_id",
    "order_id",
    "product_id",
    "sku_id",
    "charge_type",
    "quantity",
    "unit_price",
    "subtotal",
    "total_for_customer",
    "currency",
)


def _line_record(data: dict[str, Any]) -> DiscoveredInvoiceLine:
    values = {name: data.get(_camel(name)) for name in _LINE_FIELDS}
    return DiscoveredInvoiceLine.model_validate({**values, "data": data})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _invoice_record(
    partner: str,
    invoice: Invoice,
    data: dict[str, Any],
    digest: str,
    lines: list[DiscoveredInvoiceLine],
) -> DiscoveredInvoice:
    return DiscoveredInvoice(
        partner=partner,
        id=invoice.id,
        invoice_date=invoice.invoice_date,
        billing_period_start_date=invoice.billing_period_start_date,
        billing_period_end_date=invoice.billing_period_end_date,
        total_charges=invoice.total_charges,
        currency_code=invoice.currency_code,
        line_items=tuple(lines),
        fingerprint=digest,
        data=data,
    )


async def _invoice_lines(
    client: AsyncPartnerCenterClient, invoice: Invoice
) -> tuple[str, list[DiscoveredInvoiceLine]]:
    """The invoice's lines: reconciliation v2, or v1 for a legacy invoice (or a cloud without
    v2). An unreadable line fails the invoice (it is not remembered, so the next run retries)."""
    try:
        manifest = await client.reconciliation.export_billed(invoice.id)
    except (LegacyInvoiceError, OperationNotSupportedError) as why:
        source = V1_LEGACY if isinstance(why, LegacyInvoiceError) else V1_CLOUD
        lines = []
        for provider, kind in _line_sources(invoice):
            pager = client.invoices.line_items(invoice.id, provider=provider, line_item_type=kind)
            async for line in pager:
                lines.append(_line_record(_wire(line)))
        return source, lines
    lines = []
    async for item in client.reconciliation.line_items(manifest):
        if isinstance(item, BadRow):
            raise ReconciliationExportError(
                f"invoice {invoice.id}: blob {item.blob} line {item.line} is unreadable "
                f"({item.error}); the invoice is not handed over",
                request_id=manifest.id or "",
            )
        lines.append(_line_record(_wire(item)))
    return V2, lines


def _line_sources(invoice: Invoice) -> list[tuple[str, str]]:
    """The (provider, line item type) pairs an invoice's details name (modern: onetime)."""
    sources: list[tuple[str, str]] = []
    for detail in invoice.invoice_details or []:
        provider = str(detail.get("billingProvider") or "").replace("_", "").lower()
        kind = str(detail.get("invoiceLineItemType") or "").replace("_", "").lower()
        if provider and kind and (provider, kind) not in sources:
            sources.append((provider, kind))
    return sources or [("onetime", "billinglineitems")]


def _describe(error: BaseException) -> str:
    if isinstance(error, (KeyboardInterrupt, asyncio.CancelledError)):
        return "interrupted"
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}"[:500]


__all__ = ["AUDIT_HORIZON", "Discovery", "Progress", "fingerprint"]
