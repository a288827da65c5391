"""A faithful, stateful Partner Center emulator, in process (httpx) and over HTTP.

It is an emulator of the service, not a mock of our client: it keeps state and enforces what
Partner Center enforces (country address rules, MCA before purchase, qualifications, offer
limits, relationships, MS-RequestId replay, throttling with Retry-After, injected faults)::

    sandbox = Sandbox(seed=7)
    with sandbox.httpx_client(token="sandbox-user") as client:
        client.get("/v1/countryvalidationrules/US")

The sandbox's own administration routes (``/sandbox/v1/...``) take only ``sandbox.admin_token``
(random unless given). With ``autosave=PATH`` every change is saved to PATH, atomically, before
its answer is returned, so a killed process never leaves a client believing in a change the
saved world does not have.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.sandbox import admin_routes, billing_export_routes, invoice_routes, webhook_routes
from csp_commerce.sandbox._http import Context, QueryParams
from csp_commerce.sandbox.app import App
from csp_commerce.sandbox.credential import AccessToken, SandboxCredential
from csp_commerce.sandbox.faults import Fault, FaultInjector, FaultPlan
from csp_commerce.sandbox.seed_catalog import Catalog, CatalogItem
from csp_commerce.sandbox.server import SandboxServer, serve
from csp_commerce.sandbox.state import JSON, World
from csp_commerce.sandbox.transport import SandboxTransport
from csp_commerce.sandbox.webhook_signer import Signer

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from csp_commerce.sandbox.exports import ExportBoard

#: The base URL the in-process clients use: the global cloud's, so client URLs work unchanged.
API_BASE = ENDPOINTS[Cloud.GLOBAL].api_base


@dataclass(frozen=True)
class WebhookDelivery:
    """One delivery attempt of a signed event: the receiver's status (None: unreachable)."""

    event_name: str
    url: str
    status: int | None
    message: str
    body: bytes


__all__ = [
    "API_BASE",
    "AccessToken",
    "Catalog",
    "CatalogItem",
    "Fault",
    "FaultInjector",
    "FaultPlan",
    "Sandbox",
    "SandboxCredential",
    "SandboxServer",
    "SandboxTransport",
    "WebhookDelivery",
    "World",
    "serve",
]


class Sandbox:
    """One emulated Partner Center account: its world, catalog, faults and front ends.

    ``seed`` makes ids and faults reproducible; ``clock`` (epoch seconds) drives timestamps,
    cancellation windows and throttle windows, so tests can move time without sleeping;
    ``sleep`` / ``async_sleep`` apply latency in process. ``admin_token`` is the bearer token
    the ``/sandbox/v1/...`` routes require (a random one when None: read it from
    :attr:`admin_token`); ``autosave`` is a file the world is saved to after every change,
    before the change is answered.
    """

    def __init__(
        self,
        seed: int = 0,
        faults: FaultPlan | None = None,
        *,
        clock: Callable[[], float] | None = None,
        world: World | None = None,
        catalog: Catalog | None = None,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        admin_token: str | None = None,
        autosave: str | Path | None = None,
    ) -> None:
        self.clock = clock or time.time
        self.catalog = catalog or Catalog()
        self.admin_token = admin_token or new_admin_token()
        self.autosave = None if autosave is None else Path(autosave)
        injector = FaultInjector(faults or FaultPlan(seed=seed), self.clock)
        self._ctx = Context(world or World(seed=seed), self.catalog, self.clock, injector)
        self.app = App(
            self._ctx,
            admin_token=self.admin_token,
            on_change=None if self.autosave is None else self._autosave,
        )
        self._sleep = sleep
        self._async_sleep = async_sleep
        #: Where receivers fetch the signing certificate (a server sets its own URL).
        self.webhook_base_url = API_BASE

    @property
    def world(self) -> World:
        """The current state (replaced wholesale by ``PUT /sandbox/v1/state``)."""
        return self._ctx.world

    @property
    def faults(self) -> FaultInjector:
        """The fault injector (``.configure(plan)``, ``.force(Fault.X)``)."""
        return self._ctx.injector

    def set_faults(self, plan: FaultPlan) -> None:
        """Switch to another fault plan (reseeds, forgets throttle windows)."""
        with self.app.lock:
            self._ctx.injector.configure(plan)

    # -- front ends ---------------------------------------------------------------------------

    def transport(self) -> SandboxTransport:
        """An httpx transport (sync and async) serving this sandbox in process."""
        return SandboxTransport(self.app, sleep=self._sleep, async_sleep=self._async_sleep)

    def httpx_client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        """An :class:`httpx.Client` on this sandbox; ``token`` sets a default Authorization."""
        return httpx.Client(
            transport=self.transport(), base_url=API_BASE, headers=_auth(token), **kwargs
        )

    def async_httpx_client(self, token: str | None = None, **kwargs: Any) -> httpx.AsyncClient:
        """An :class:`httpx.AsyncClient` on this sandbox."""
        return httpx.AsyncClient(
            transport=self.transport(), base_url=API_BASE, headers=_auth(token), **kwargs
        )

    def server(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        deliver_webhooks_every: float | None = None,
    ) -> SandboxServer:
        """An HTTP server for this sandbox (not started; use it as a context manager);
        ``deliver_webhooks_every`` (seconds) sends the queued webhook events that often."""
        return SandboxServer(self, host, port, deliver_webhooks_every=deliver_webhooks_every)

    # -- persistence --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the world to a JSON file (atomically: the old file or the new, never a part)."""
        with self.app.lock:
            self.world.save(path)

    def _autosave(self) -> None:
        assert self.autosave is not None
        self.world.save(self.autosave)

    @classmethod
    def load(cls, path: str | Path, **kwargs: Any) -> Sandbox:
        """A sandbox starting from a world written by :meth:`save`.

        Raises :class:`~csp_commerce.errors.ConfigurationError` for a missing or damaged file.
        """
        world = World.load(path)
        kwargs.setdefault("seed", world.seed)
        return cls(world=world, **kwargs)

    # -- administration (the world's other actors) ---------------------------------------------

    def add_existing_tenant(
        self, domain: str, company_name: str | None = None, country: str = "US"
    ) -> str:
        """A tenant the partner has no relationship with yet; returns its tenant id."""
        with self.app.lock:
            tenant = admin_routes.add_existing_tenant(self._ctx, domain, company_name, country)
            self.app.after_change()
            return tenant

    def accept_relationship(self, customer_id: str) -> None:
        """The tenant's admin accepts the partner's reseller invitation."""
        with self.app.lock:
            admin_routes.accept_relationship(self._ctx, customer_id)
            self.app.after_change()

    def add_reseller(self, mpn_id: str, name: str, mpa_signed: bool = True) -> str:
        """An indirect reseller related to the partner; returns its tenant id."""
        with self.app.lock:
            reseller = admin_routes.add_reseller(self._ctx, mpn_id, name, mpa_signed)
            self.app.after_change()
            return str(reseller["id"])

    def set_qualification(
        self, customer_id: str, qualification: str, vetting_status: str = "Approved"
    ) -> None:
        """Microsoft's vetting outcome for a customer's qualification (default: approved)."""
        with self.app.lock:
            admin_routes.set_qualification(self._ctx, customer_id, qualification, vetting_status)
            self.app.after_change()

    def generate_invoice(self, year: int, month: int) -> JSON:
        """Run the monthly invoice generator over every subscription; returns the invoice."""
        with self.app.lock:
            invoice = invoice_routes.generate_invoice(self._ctx, year, month)
            self.app.after_change()
            return invoice

    @property
    def exports(self) -> ExportBoard:
        """The reconciliation v2 exports and their settings (``.settings``: polls, blob size,
        SAS lifetime, and the faults tests give them: a missing blob, a truncated one...)."""
        return self._ctx.exports

    def generate_large_invoice(self, lines: int, *, year: int = 2026, month: int = 10) -> JSON:
        """An invoice of ``lines`` generated line items, made on demand when its v2 export is
        downloaded (benchmarks; v1 serves it without lines)."""
        with self.app.lock:
            return billing_export_routes.generate_large_invoice(
                self._ctx, lines, year=year, month=month
            )

    def approve_gdap(self, relationship_id: str, tenant_id: str | None = None) -> JSON:
        """The customer's Global Administrator approves a GDAP relationship pending approval
        (``tenant_id``: the approving tenant, for a relationship made without a customer)."""
        from csp_commerce.sandbox import gdap_routes
        from csp_commerce.sandbox._http import Request

        request = Request(
            "POST", "", QueryParams(), {}, {"tenantId": tenant_id}, (relationship_id,)
        )
        with self.app.lock:
            reply = gdap_routes.approve(self._ctx, request)
            self.app.after_change()
            body: JSON = reply.body
            return body

    def add_reseller_gdap(
        self,
        provider_tenant_id: str,
        customer_tenant_id: str,
        display_name: str | None = None,
        roles: list[str] | None = None,
    ) -> JSON:
        """An indirect provider made a GDAP relationship for this partner as its indirect
        reseller (awaiting the reseller's ``approve`` or ``reject``); returns it."""
        from csp_commerce.sandbox import gdap_routes
        from csp_commerce.sandbox._http import Request

        body = {
            "indirectProviderTenantId": provider_tenant_id,
            "customerTenantId": customer_tenant_id,
            "displayName": display_name,
            "roles": roles,
        }
        request = Request("POST", "", QueryParams(), {}, body, ())
        with self.app.lock:
            reply = gdap_routes.add_reseller_relationship(self._ctx, request)
            self.app.after_change()
            made: JSON = reply.body
            return made

    def request_transfer(
        self, customer_id: str, target_tenant_id: str, target_name: str = "Other Partner"
    ) -> JSON:
        """Another partner asks for this partner's subscriptions of the customer: an active
        outgoing transfer this partner can submit (``client.transfers.update``)."""
        from csp_commerce.sandbox import transfer_routes

        with self.app.lock:
            transfer = transfer_routes.request_outgoing(
                self._ctx, customer_id, target_tenant_id, target_name
            )
            self.app.after_change()
            return transfer

    # -- webhooks ------------------------------------------------------------------------------

    @property
    def webhook_certificate_url(self) -> str:
        """The ``X-MS-Certificate-Url`` the sandbox's events carry."""
        return self.webhook_base_url.rstrip("/") + webhook_routes.CERTIFICATE_PATH

    def webhook_root_pem(self) -> bytes:
        """The sandbox's root certificate (PEM): what ``WebhookTrust.sandbox`` trusts."""
        with self.app.lock:
            created = "signer" not in self.world.webhooks
            pem = str(webhook_routes.signer(self._ctx)["rootPem"]).encode()
            if created:
                self.app.after_change()
            return pem

    def webhook_certificate_pem(self) -> bytes:
        """The sandbox's signing certificate (PEM), as served at the certificate URL."""
        with self.app.lock:
            return str(webhook_routes.signer(self._ctx)["certificatePem"]).encode()

    def emit_webhook_event(self, name: str, resource_uri: str, resource_name: str = "") -> bool:
        """Queue event ``name`` as if it happened; False when the registration does not ask
        for it."""
        with self.app.lock:
            queued = webhook_routes.emit(self._ctx, name, resource_uri, resource_name)
            self.app.after_change()
            return queued is not None

    def deliver_webhooks(self, http_client: httpx.Client | None = None) -> list[WebhookDelivery]:
        """Send every queued event, signed, to the registered URL (one attempt each).

        An event a receiver refuses or cannot be reached for stays queued for the next call,
        up to 10 attempts in all. The requests go out without holding the sandbox's lock, so a
        receiver may call the sandbox (e.g. for the certificate) while it is being delivered to.
        """
        with self.app.lock:
            items = webhook_routes.pending(self._ctx)
            key = Signer.from_json(webhook_routes.signer(self._ctx)) if items else None
        if key is None:
            return []
        own = http_client is None
        http = http_client if http_client is not None else httpx.Client(timeout=10.0)
        results: list[WebhookDelivery] = []
        try:
            for item in items:
                body = item["body"].encode()
                headers = {
                    "Authorization": f"Signature {key.signature(body)}",
                    "X-MS-Certificate-Url": self.webhook_certificate_url,
                    "X-MS-Signature-Algorithm": "rsa-sha256",
                    "Content-Type": "application/json",
                }
                try:
                    response = http.post(item["url"], content=body, headers=headers)
                    status: int | None = response.status_code
                    message = response.text[:500]
                except httpx.HTTPError as error:
                    status, message = None, f"{type(error).__name__}: {error}"
                with self.app.lock:
                    webhook_routes.settle(self._ctx, item, status, message)
                    self.app.after_change()
                results.append(
                    WebhookDelivery(item["eventName"], item["url"], status, message, body)
                )
        finally:
            if own:
                http.close()
        return results


def new_admin_token() -> str:
    """A fresh random sandbox admin token."""
    return f"sandbox-admin-{secrets.token_urlsafe(18)}"


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
