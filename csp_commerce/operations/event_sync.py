"""Targeted discovery: re-read only what a webhook event names, and hand it as discovery does.

A ``subscription-updated`` event names one customer and one subscription; an ``invoice-ready``
event one invoice. Instead of a discovery run over every customer, :class:`TargetedDiscovery`
reads just those (the customer and the subscription: two requests; the invoice: its header,
then its billed lines through the reconciliation v2 export, v1 for a legacy invoice) and hands
what is new or changed through the same hooks and the same store as :class:`Discovery`
(``csp_discovered_customer``, ``csp_discovered_subscription``, ``csp_discovered_invoice``;
fingerprints in the :class:`~csp_commerce.store.discovery_store.DiscoveryStore`), so a
record handed here is not handed again by the next full run, and the reverse.

A customer first seen here is remembered as not complete: the next discovery run lists all
its subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from csp_commerce.errors import NotFoundError
from csp_commerce.operations.discovery_runner import (
    _customer_record,
    _invoice_lines,
    _invoice_record,
    _subscription_record,
    _wire,
    fingerprint,
)
from csp_commerce.provisioning.pacing import PacedTransport, TokenBucket
from csp_commerce.store.discovery_store import CUSTOMER, INVOICE, SUBSCRIPTION

if TYPE_CHECKING:
    from csp_commerce.operations.discovery_runner import Discovery
    from csp_commerce.provisioning import AsyncPartnerCenterClient

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TargetedSync:
    """What one targeted read handed to the host, and the Partner Center requests it sent."""

    customers_handed: int = 0
    subscriptions_handed: int = 0
    invoices_handed: int = 0
    requests: int = 0
    missing: tuple[str, ...] = ()  # what the event named but Partner Center no longer has


class TargetedDiscovery:
    """Re-reads one customer, subscription or invoice for the partner of ``discovery``.

    Uses ``discovery``'s partner name, store, hooks, credential, transport and request budget
    (the same token bucket when it was given one, so both together keep the partner's limit).
    """

    def __init__(self, discovery: Discovery) -> None:
        self.discovery = discovery

    # -- sync facades (a webhook hook runs in a worker thread without an event loop) --------

    def customer(self, customer_id: str, subscription_id: str | None = None) -> TargetedSync:
        """Re-read ``customer_id`` and ``subscription_id`` (all its subscriptions when None)."""
        return asyncio.run(self.customer_async(customer_id, subscription_id))

    def invoice(self, invoice_id: str) -> TargetedSync:
        """Re-read invoice ``invoice_id`` with its billed line items."""
        return asyncio.run(self.invoice_async(invoice_id))

    # -- the async core --------------------------------------------------------------------

    async def customer_async(
        self, customer_id: str, subscription_id: str | None = None
    ) -> TargetedSync:
        """The async core of :meth:`customer`."""
        async with self._session() as (client, bucket):
            start = bucket.acquired
            missing: list[str] = []
            customers = await self._customer(client, customer_id, missing)
            subscriptions = 0
            if not missing:
                subscriptions = await self._subscriptions(
                    client, customer_id, subscription_id, missing
                )
            return TargetedSync(
                customers_handed=customers,
                subscriptions_handed=subscriptions,
                requests=bucket.acquired - start,
                missing=tuple(missing),
            )

    async def invoice_async(self, invoice_id: str) -> TargetedSync:
        """The async core of :meth:`invoice`."""
        discovery = self.discovery
        store, partner = discovery.store, discovery.partner
        async with self._session() as (client, bucket):
            start = bucket.acquired
            try:
                invoice = await client.invoices.get(invoice_id)
            except NotFoundError:
                return TargetedSync(requests=bucket.acquired - start, missing=(invoice_id,))
            data = _wire(invoice)
            # Read alone, an invoice carries its statement's link, which the listing a full
            # run reads has not: without it both hash alike (it is no billing data).
            data.pop("pdfDownloadLink", None)
            digest = fingerprint(data)
            handed = 0
            known = store.fingerprint(partner, INVOICE, invoice.id)
            if known is None or known[0] != digest:
                source, lines = await _invoice_lines(client, invoice)
                record = _invoice_record(partner, invoice, data, digest, lines)
                discovery.hooks.discovered_invoice(
                    record.model_copy(update={"line_source": source})
                )
                store.remember(partner, INVOICE, [(invoice.id, None, digest)])
                handed = 1
            return TargetedSync(invoices_handed=handed, requests=bucket.acquired - start)

    # -- the steps -------------------------------------------------------------------------

    async def _customer(
        self, client: AsyncPartnerCenterClient, customer_id: str, missing: list[str]
    ) -> int:
        store, partner = self.discovery.store, self.discovery.partner
        try:
            customer = await client.customers.get(customer_id)
        except NotFoundError:
            missing.append(customer_id)
            return 0
        data = _wire(customer)
        digest = fingerprint(data)
        known = store.fingerprint(partner, CUSTOMER, customer.id)
        if known is not None and known[0] == digest:
            return 0
        record = _customer_record(partner, customer, data, digest)
        self.discovery.hooks.discovered_customer(record)
        # New here: its other subscriptions are unread, so the next run lists them all.
        complete = known[1] if known is not None else False
        store.remember(partner, CUSTOMER, [(customer.id, None, digest)], complete=complete)
        return 1

    async def _subscriptions(
        self,
        client: AsyncPartnerCenterClient,
        customer_id: str,
        subscription_id: str | None,
        missing: list[str],
    ) -> int:
        store, partner = self.discovery.store, self.discovery.partner
        previous = store.fingerprints(partner, SUBSCRIPTION, customer_id)
        if subscription_id is None:
            subscriptions = [s async for s in client.subscriptions.list(customer_id)]
        else:
            try:
                subscriptions = [await client.subscriptions.get(customer_id, subscription_id)]
            except NotFoundError:
                missing.append(subscription_id)
                return 0
        handed = 0
        for subscription in subscriptions:
            data = _wire(subscription)
            digest = fingerprint(data)
            if previous.get(subscription.id) == digest:
                continue
            record = _subscription_record(partner, customer_id, subscription, data, digest)
            self.discovery.hooks.discovered_subscription(record)
            store.remember(partner, SUBSCRIPTION, [(subscription.id, customer_id, digest)])
            handed += 1
        if subscription_id is None and store.fingerprint(partner, CUSTOMER, customer_id):
            store.set_complete(partner, CUSTOMER, customer_id)
        return handed

    def _session(self) -> _Session:
        return _Session(self.discovery)


class _Session:
    """An async client over the discovery's paced transport, closed on exit."""

    def __init__(self, discovery: Discovery) -> None:
        self._discovery = discovery
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> tuple[AsyncPartnerCenterClient, TokenBucket]:
        discovery = self._discovery
        bucket = discovery._bucket or TokenBucket(discovery.requests_per_minute)
        inner = discovery._transport or httpx.AsyncHTTPTransport()
        self._http = httpx.AsyncClient(transport=PacedTransport(inner, bucket), timeout=None)
        return discovery._client(self._http), bucket

    async def __aexit__(self, *exc: object) -> None:
        assert self._http is not None
        await self._http.aclose()


__all__ = ["TargetedDiscovery", "TargetedSync"]
