"""A faithful, stateful Partner Center emulator, in process (httpx) and over HTTP.

It is an emulator of the service, not a mock of our client: it keeps state and enforces what
Partner Center enforces (country address rules, MCA before purchase, qualifications, offer
limits, relationships, MS-RequestId replay, throttling with Retry-After, injected faults)::

    sandbox = Sandbox(seed=7)
    with sandbox.httpx_client(token="sandbox-user") as client:
        client.get("/v1/countryvalidationrules/US")
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import httpx

from csp_commerce.models.clouds import ENDPOINTS, Cloud
from csp_commerce.sandbox import admin_routes, invoice_routes
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
    from pathlib import Path

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
    ``sleep`` / ``async_sleep`` apply latency in process.
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
    ) -> None:
        self.clock = clock or time.time
        self.catalog = catalog or Catalog()
        injector = FaultInjector(faults or FaultPlan(seed=seed), self.clock)
        self._ctx = Context(world or World(seed=seed), self.catalog, self.clock, injector)
        self.app = App(self._ctx)
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
        """Write the world to a JSON file."""
        with self.app.lock:
            self.world.save(path)

    @classmethod
    def load(cls, path: str | Path, **kwargs: Any) -> Sandbox:
        """A sandbox starting from a world written by :meth:`save`."""
        world = World.load(path)
        kwargs.setdefault("seed", world.seed)
        return cls(world=world, **kwargs)

    # -- administration (the world's other actors) ---------------------------------------------

    def add_existing_tenant(
        self, domain: str, company_name: str | None = None, country: str = "US"
    ) -> str:
        """A tenant the partner has no relationship with yet; returns its tenant id."""
        with self.app.lock:
            return admin_routes.add_existing_tenant(self._ctx, domain, company_name, country)

    def accept_relationship(self, customer_id: str) -> None:
        """The tenant's admin accepts the partner's reseller invitation."""
        with self.app.lock:
            admin_routes.accept_relationship(self._ctx, customer_id)

    def add_reseller(self, mpn_id: str, name: str, mpa_signed: bool = True) -> str:
        """An indirect reseller related to the partner; returns its tenant id."""
        with self.app.lock:
            return str(admin_routes.add_reseller(self._ctx, mpn_id, name, mpa_signed)["id"])

    def set_qualification(
        self, customer_id: str, qualification: str, vetting_status: str = "Approved"
    ) -> None:
        """Microsoft's vetting outcome for a customer's qualification (default: approved)."""
        with self.app.lock:
            admin_routes.set_qualification(self._ctx, customer_id, qualification, vetting_status)

    def generate_invoice(self, year: int, month: int) -> JSON:
        """Run the monthly invoice generator over every subscription; returns the invoice."""
        with self.app.lock:
            return invoice_routes.generate_invoice(self._ctx, year, month)


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
