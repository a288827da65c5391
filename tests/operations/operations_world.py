"""A small world for the operations tests: a sandbox on a movable clock, a client that counts
its requests, and customers with subscriptions bought through Partner Center's API."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from csp_commerce.models.clouds import Cloud
from csp_commerce.models.offer import BillingCycle, TermDuration
from csp_commerce.money import PriceEntry, PriceList
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import API_BASE, Sandbox, SandboxCredential
from csp_commerce.sandbox.commerce_routes import CYCLE_MONTHS

MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"
DAY = 86_400.0


class Clock:
    """Epoch seconds that move only when a test says so (starting now: the client judges
    cancellation windows with the real time too)."""

    def __init__(self) -> None:
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Recorded:
    method: str
    path: str
    request_id: str | None


@dataclass
class CountingTransport(httpx.BaseTransport):
    """The sandbox's transport, remembering every request that reached it."""

    inner: httpx.BaseTransport
    requests: list[Recorded] = field(default_factory=list)
    #: ``(method, applied)``: lose the answer of the next such request, after the service
    #: applied it (True) or before it reached the service (False).
    lose_next: tuple[str, bool] | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(
            Recorded(request.method, request.url.path, request.headers.get("MS-RequestId"))
        )
        if self.lose_next is not None and self.lose_next[0] == request.method:
            applied = self.lose_next[1]
            self.lose_next = None
            if applied:
                self.inner.handle_request(request).read()
            raise httpx.ReadTimeout("answer lost", request=request)
        return self.inner.handle_request(request)

    def writes(self, method: str = "PATCH") -> list[Recorded]:
        return [r for r in self.requests if r.method == method]


@dataclass
class World:
    sandbox: Sandbox
    clock: Clock
    transport: CountingTransport
    client: PartnerCenterClient

    def raw(self) -> httpx.Client:
        return self.sandbox.httpx_client(token="sandbox-user")

    def customer(self, domain: str = "contoso") -> str:
        with self.raw() as http:
            body = {
                "companyProfile": {"domain": f"{domain}.onmicrosoft.com"},
                "billingProfile": {
                    "email": "ada@contoso.com",
                    "culture": "en-US",
                    "language": "en",
                    "companyName": domain.title(),
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
                "primaryContact": {
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "email": "ada@contoso.com",
                },
                "templateId": MCA_TEMPLATE,
                "dateAgreed": "2025-01-01T00:00:00Z",
                "type": "MicrosoftCustomerAgreement",
            }
            assert http.post(f"/v1/customers/{customer_id}/agreements", json=mca).is_success
        return customer_id

    def buy(
        self,
        customer_id: str,
        title: str,
        quantity: int = 5,
        billing_cycle: str = "monthly",
        term: str = "P1Y",
        parent: str | None = None,
    ) -> str:
        item = self.sandbox.catalog.find(title)
        line: dict[str, Any] = {
            "id": 0,
            "catalogItemId": item.catalog_item_id,
            "quantity": quantity,
            "billingCycle": billing_cycle,
            "termDuration": term,
        }
        if parent:
            line["provisioningContext"] = {"ParentSubscriptionId": parent}
        with self.raw() as http:
            cart = http.post(f"/v1/customers/{customer_id}/carts", json={"lineItems": [line]})
            assert cart.status_code == 201, cart.text
            done = http.post(f"/v1/customers/{customer_id}/carts/{cart.json()['id']}/checkout")
            assert done.status_code == 201, done.text
            orders = done.json()["orders"]
            assert orders, done.text
        return str(orders[0]["lineItems"][0]["subscriptionId"])


def make_world(cloud: Cloud = Cloud.GLOBAL) -> World:
    clock = Clock()
    sandbox = Sandbox(seed=11, clock=clock, sleep=clock.advance)
    transport = CountingTransport(sandbox.transport())
    http = httpx.Client(transport=transport, base_url=API_BASE)
    client = PartnerCenterClient(
        SandboxCredential(clock=clock),
        cloud=cloud,
        base_url=API_BASE,
        http_client=http,
        sleep=clock.advance,
        max_retries=0,
    )
    return World(sandbox, clock, transport, client)


def catalog_price_list(sandbox: Sandbox, *, markup: str = "1.20") -> PriceList:
    """A price list whose buy prices are exactly what the sandbox invoices."""
    entries = []
    for item in sandbox.catalog:
        for term, cycle in item.terms:
            cost = item.monthly_price(term, cycle) * CYCLE_MONTHS[cycle]
            entries.append(
                PriceEntry(
                    offer_id=item.catalog_item_id,
                    billing_cycle=BillingCycle(cycle),
                    term=TermDuration(term),
                    currency="USD",
                    unit_cost=cost,
                    unit_list_price=(cost * Decimal(markup)).quantize(Decimal("0.01")),
                )
            )
    return PriceList(name="sandbox", entries=tuple(entries))
