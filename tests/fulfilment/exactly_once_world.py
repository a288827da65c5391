"""Tools for the exactly-once tests: a ledger that dies like a killed process, a wire that
loses answers or injects faults at a chosen request, a host that counts what it was told, and
customers set up straight through the sandbox's API (outside any ledger)."""

from __future__ import annotations

import asyncio
import inspect
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from fulfilment_world import customer

from csp_commerce import Order, OrderLine, hookimpl
from csp_commerce.fulfilment.order_saga import AsyncProvisioner, Provisioner
from csp_commerce.models import (
    BillingCycle,
    CheckoutPlan,
    LineAction,
    LinePlan,
    TenantAction,
    TenantResolution,
    TermDuration,
)
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.sandbox import API_BASE, Fault, Sandbox, SandboxCredential
from csp_commerce.store.ledger import Ledger

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path
    from types import FrameType

    from csp_commerce.models import CreatedTenant, ProvisioningOutcome
    from csp_commerce.store._db import Database, Result
    from csp_commerce.store.ledger import Step

#: A dead worker's lease and idle locks (300 s) have run out this much later.
LEASE_EXPIRED = 301.0

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class Killed(BaseException):
    """The process died here (SIGKILL): no clean-up after it writes anything."""


class LedgerClock:
    """Epoch seconds that a test moves on (a worker started after a dead one's lease ran out)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float = LEASE_EXPIRED) -> None:
        self.offset += seconds


def open_ledger(path: str | Path, clock: LedgerClock) -> Ledger:
    """A ledger on ``path`` for a later worker. Writes are not synced to disk (these tests
    simulate kills of the process, not of the machine, and run hundreds of orders)."""
    ledger = Ledger(path, clock=clock, synchronous="NORMAL")
    _no_sync(ledger)
    return ledger


def _no_sync(ledger: Ledger) -> None:
    if ledger._db.engine == "sqlite":  # PostgreSQL: synchronous="NORMAL" is commit-async
        ledger._db.execute("PRAGMA synchronous=OFF")


class _Watched:
    """The ledger's connection, telling its ledger of every write outside a transaction (a
    transaction is counted once, by :meth:`KillableLedger._transaction`)."""

    def __init__(self, inner: Database, ledger: KillableLedger) -> None:
        self._inner = inner
        self._ledger = ledger

    def execute(self, sql: str, parameters: Any = ()) -> Result:
        if sql.lstrip().split(None, 1)[0].upper() in _WRITES:
            self._ledger.write(_label(sys._getframe(1)))
        return self._inner.execute(sql, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _label(frame: FrameType) -> str:
    """``finish_step(tenant)``: the ledger method writing, and the step's key if it has one."""
    key = frame.f_locals.get("key")
    return f"{frame.f_code.co_name}({key})" if key else frame.f_code.co_name


class KillableLedger(Ledger):
    """A ledger whose process dies at a chosen write, and stays dead.

    ``kill_at=N``: the N-th write (1-based) is not made; it raises :class:`Killed`, and so does
    every later write on this object, so ``finally`` and ``except BaseException`` clean-up can
    not write either, just as after a real SIGKILL. ``kill_at_write=label``: the process dies
    at the first write so labelled (``finish_step(seats:1)``: after the step's request was
    answered, before its outcome is written). ``kill_after_record=key``: it dies right after
    the step ``key`` is recorded, before its request is sent. A test then opens a fresh
    :class:`Ledger` on the same file.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: LedgerClock,
        kill_at: int | None = None,
        kill_after_record: str | None = None,
        kill_at_write: str | None = None,
    ) -> None:
        super().__init__(path, clock=clock, synchronous="NORMAL")
        _no_sync(self)
        self.kill_at = kill_at
        self.kill_after_record = kill_after_record
        self.kill_at_write = kill_at_write
        self.writes: list[str] = []
        self.killed_at: str | None = None
        self.dead = False
        self._db = _Watched(self._db, self)  # type: ignore[assignment]

    def write(self, label: str) -> None:
        if (
            self.dead
            or label == self.kill_at_write
            or (self.kill_at is not None and len(self.writes) + 1 >= self.kill_at)
        ):
            self._die(label)
        self.writes.append(label)

    def _die(self, label: str) -> None:
        self.dead = True
        if self.killed_at is None:
            self.killed_at = label
        raise Killed(label)

    def _transaction(self) -> AbstractContextManager[Database]:
        self.write(_label(sys._getframe(1)))
        return super()._transaction()

    def begin_step(self, operation_id: str, key: str, *args: Any, **kwargs: Any) -> Step:
        step = super().begin_step(operation_id, key, *args, **kwargs)
        if key == self.kill_after_record:
            self._die(f"after begin_step({key})")
        return step


@dataclass
class Sent:
    method: str
    path: str
    request_id: str | None


@dataclass
class Wire(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The sandbox's transport, remembering every request, with trouble at chosen requests.

    ``trouble`` maps a request's index (0-based, every request counted) to what happens to it:
    ``"drop"`` Partner Center applies it and the answer is lost; ``"lose"`` it never reaches
    Partner Center; a :class:`Fault`, the sandbox injects that fault into it. ``next=(method,
    path ending, trouble)`` troubles the next request that matches.
    """

    sandbox: Sandbox
    trouble: dict[int, str | Fault] = field(default_factory=dict)
    next: tuple[str, str, str | Fault] | None = None
    sent: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._inner = self.sandbox.transport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        index = len(self.sent)
        self.sent.append(
            Sent(request.method, request.url.path, request.headers.get("MS-RequestId"))
        )
        trouble = self.trouble.get(index)
        if self.next is not None:
            method, ending, what = self.next
            if request.method == method and request.url.path.endswith(ending):
                self.next, trouble = None, what
        if trouble == "lose":
            raise httpx.ConnectError("lost on the way", request=request)
        if trouble == "drop":
            self._inner.handle_request(request).read()
            raise httpx.ReadTimeout("answer lost", request=request)
        if isinstance(trouble, Fault):
            self.sandbox.faults.force(trouble)
        return self._inner.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The same, for the async client (the sandbox answers in process either way)."""
        await request.aread()
        return self.handle_request(request)

    def to(self, method: str, ending: str) -> list[Sent]:
        return [s for s in self.sent if s.method == method and s.path.endswith(ending)]


def client_on(wire: Wire, **options: Any) -> PartnerCenterClient:
    """A client on ``wire`` that gives up at once (``max_retries=0``) unless told otherwise."""
    options.setdefault("max_retries", 0)
    return PartnerCenterClient(
        SandboxCredential(),
        http_client=httpx.Client(transport=wire, base_url=API_BASE),
        sleep=lambda _: None,
        **options,
    )


def async_client_on(wire: Wire, **options: Any) -> AsyncPartnerCenterClient:
    """:func:`client_on`'s async twin."""
    options.setdefault("max_retries", 0)

    async def no_sleep(_: float) -> None:
        return None

    return AsyncPartnerCenterClient(
        SandboxCredential(),
        http_client=httpx.AsyncClient(transport=wire, base_url=API_BASE),
        sleep=no_sleep,
        **options,
    )


class Awaited:
    """An async object's coroutine methods run to completion, each in a fresh event loop, so a
    sync test drives the async twin exactly as it drives the sync one."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(value):
            return value

        def run(*args: Any, **kwargs: Any) -> Any:
            return asyncio.run(value(*args, **kwargs))

        return run


#: The two drivers of the one saga: tests taking ``twin`` run on both.
TWINS = ("sync", "async")


def provisioner_on(twin: str, wire: Wire, ledger: Ledger, hooks: Any, **options: Any) -> Any:
    """A :class:`Provisioner` on ``wire`` (``twin="sync"``), or an :class:`AsyncProvisioner`
    with the async client on the same wire, its methods awaited (``"async"``)."""
    if twin == "sync":
        return Provisioner(client_on(wire), ledger, hooks, **options)
    return Awaited(AsyncProvisioner(async_client_on(wire), ledger, hooks, **options))


class Host:
    """A host plugin recording what it is told: tenants created, orders ended."""

    def __init__(self) -> None:
        self.provisioned: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.tenants: list[CreatedTenant] = []
        self.outcomes: dict[str, ProvisioningOutcome] = {}

    @hookimpl
    def csp_order_provisioned(self, order: Order, outcome: ProvisioningOutcome) -> None:
        self.provisioned[order.id] += 1
        self.outcomes[order.id] = outcome

    @hookimpl
    def csp_order_failed(self, order: Order, outcome: ProvisioningOutcome) -> None:
        self.failed[order.id] += 1
        self.outcomes[order.id] = outcome

    @hookimpl
    def csp_tenant_created(self, order: Order, tenant: CreatedTenant) -> None:
        self.tenants.append(tenant)


# -- the world as it stands before an order (set up through the API, not through a ledger) --


def existing_customer(sandbox: Sandbox, name: str = "fabrikam") -> str:
    """A customer the partner already serves, with the MCA accepted; its tenant id."""
    with sandbox.httpx_client(token="sandbox-user") as http:
        body = {
            "companyProfile": {"domain": f"{name}.onmicrosoft.com"},
            "billingProfile": {
                "email": f"ada@{name}.com",
                "culture": "en-US",
                "language": "en",
                "companyName": name.title(),
                "defaultAddress": {
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "addressLine1": "1 Microsoft Way",
                    "city": "Redmond",
                    "state": "WA",
                    "postalCode": "98052",
                    "country": "US",
                },
            },
        }
        created = http.post("/v1/customers", json=body)
        assert created.status_code == 201, created.text
        customer_id = str(created.json()["id"])
        mca = {
            "primaryContact": {"firstName": "Ada", "lastName": "Lovelace", "email": "a@b.com"},
            "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
            "dateAgreed": "2025-01-01T00:00:00Z",
            "type": "MicrosoftCustomerAgreement",
        }
        assert http.post(f"/v1/customers/{customer_id}/agreements", json=mca).is_success
    return customer_id


def bought(
    sandbox: Sandbox, customer_id: str, title: str, quantity: int, parent: str | None = None
) -> str:
    """A subscription bought through the API (monthly, one year); its id."""
    line: dict[str, Any] = {
        "id": 0,
        "catalogItemId": sandbox.catalog.find(title).catalog_item_id,
        "quantity": quantity,
        "billingCycle": "monthly",
        "termDuration": "P1Y",
    }
    if parent:
        line["provisioningContext"] = {"ParentSubscriptionId": parent}
    with sandbox.httpx_client(token="sandbox-user") as http:
        cart = http.post(f"/v1/customers/{customer_id}/carts", json={"lineItems": [line]})
        assert cart.status_code == 201, cart.text
        done = http.post(f"/v1/customers/{customer_id}/carts/{cart.json()['id']}/checkout")
        assert done.status_code == 201, done.text
    return str(done.json()["orders"][0]["lineItems"][0]["subscriptionId"])


def subscriptions_of(sandbox: Sandbox, customer_id: str) -> dict[str, dict[str, Any]]:
    """The customer's subscriptions as the sandbox holds them, by id."""
    return dict(sandbox.world.customers[customer_id].subscriptions)


def applied(sandbox: Sandbox) -> Counter[str]:
    """The changes Partner Center made (not replayed), by kind: ``update_subscription``,
    ``create_order`` (a checkout), ``add_customer``, from the sandbox's audit log."""
    return Counter(str(record["operationType"]) for record in sandbox.world.audit_records)


def all_subscriptions(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [
        sub
        for customer in sandbox.world.customers.values()
        for sub in customer.subscriptions.values()
    ]


def carrier(sandbox: Sandbox, n: int) -> Order:
    """An order of an existing customer (its plan, not its lines, says what is provisioned)."""
    e3 = next(item for item in sandbox.catalog.offers() if item.name == "Office 365 E3")
    return Order(id=f"order-{n}", customer=customer(n), lines=(OrderLine(offer=e3, quantity=1),))


# -- plans for orders of an existing customer (what checkout would have planned) ----------------


def for_existing(order_id: str, tenant_id: str, *lines: LinePlan) -> CheckoutPlan:
    tenant = TenantResolution(action=TenantAction.USE_EXISTING, tenant_id=tenant_id)
    return CheckoutPlan(order_id=order_id, tenant=tenant, lines=lines)


def line(
    sandbox: Sandbox,
    line_id: str,
    title: str,
    quantity: int,
    *,
    action: LineAction = LineAction.NEW_SUBSCRIPTION,
    subscription_id: str | None = None,
) -> LinePlan:
    return LinePlan(
        line_id=line_id,
        action=action,
        offer_id=sandbox.catalog.find(title).catalog_item_id,
        quantity=quantity,
        billing_cycle=BillingCycle.MONTHLY,
        term_duration=TermDuration.P1Y,
        subscription_id=subscription_id,
    )


def seats(sandbox: Sandbox, line_id: str, subscription_id: str, more: int) -> LinePlan:
    """``more`` seats on an existing (Office 365 E3) subscription."""
    return line(
        sandbox,
        line_id,
        "Office 365 E3",
        more,
        action=LineAction.ADD_QUANTITY,
        subscription_id=subscription_id,
    )
