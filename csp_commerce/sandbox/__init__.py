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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.sandbox import admin_routes, billing_export_routes, invoice_routes
from csp_commerce.sandbox._http import Context
from csp_commerce.sandbox.app import App
from csp_commerce.sandbox.credential import AccessToken, SandboxCredential
from csp_commerce.sandbox.faults import Fault, FaultInjector, FaultPlan
from csp_commerce.sandbox.seed_catalog import Catalog, CatalogItem
from csp_commerce.sandbox.server import SandboxServer, serve
from csp_commerce.sandbox.state import JSON, World
from csp_commerce.sandbox.transport import SandboxTransport

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from csp_commerce.sandbox.exports import ExportBoard

#: The base URL the in-process clients use: the global cloud's, so client URLs work unchanged.
API_BASE = ENDPOINTS[Cloud.GLOBAL].api_base

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

    def server(self, host: str = "127.0.0.1", port: int = 0) -> SandboxServer:
        """An HTTP server for this sandbox (not started; use it as a context manager)."""
        return SandboxServer(self, host, port)

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


def new_admin_token() -> str:
    """A fresh random sandbox admin token."""
    return f"sandbox-admin-{secrets.token_urlsafe(18)}"


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
