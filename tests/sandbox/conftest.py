"""Fixtures: a sandbox on a fake clock, and plain httpx clients speaking Partner Center's JSON."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from csp_commerce.sandbox import API_BASE, Sandbox

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"


class FakeClock:
    """Epoch seconds that only move when a test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(seed=7, clock=clock, sleep=clock.advance)


def client_for(sandbox: Sandbox, token: str = "sandbox-user") -> httpx.Client:
    """A plain httpx client: the tests speak the wire format, not our provisioning client."""
    return httpx.Client(
        transport=sandbox.transport(),
        base_url=API_BASE,
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def user(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with client_for(sandbox, "sandbox-user") as client:
        yield client


@pytest.fixture
def app(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with client_for(sandbox, "sandbox-app") as client:
        yield client


def admin(sandbox: Sandbox) -> dict[str, str]:
    """The headers of a request to the sandbox's own ``/sandbox/v1/...`` routes."""
    return {"Authorization": f"Bearer {sandbox.admin_token}"}


def address(**changes: Any) -> dict[str, Any]:
    base = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "addressLine1": "1 Microsoft Way",
        "city": "Redmond",
        "state": "WA",
        "postalCode": "98052",
        "country": "US",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def customer_body(domain: str = "contoso", **address_changes: Any) -> dict[str, Any]:
    return {
        "companyProfile": {"domain": f"{domain}.onmicrosoft.com"},
        "billingProfile": {
            "email": "ada@contoso.com",
            "culture": "en-US",
            "language": "en",
            "companyName": "Contoso",
            "defaultAddress": address(**address_changes),
        },
    }


def request_id() -> dict[str, str]:
    return {"MS-RequestId": str(uuid.uuid4())}


def create_customer(client: httpx.Client, domain: str = "contoso", **changes: Any) -> str:
    response = client.post("/v1/customers", json=customer_body(domain, **changes))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def accept_mca(client: httpx.Client, customer_id: str, email: str = "ada@contoso.com") -> None:
    response = client.post(f"/v1/customers/{customer_id}/agreements", json=mca_body(email))
    assert response.status_code == 201, response.text


def mca_body(email: str = "ada@contoso.com") -> dict[str, Any]:
    return {
        "primaryContact": {"firstName": "Ada", "lastName": "Lovelace", "email": email},
        "templateId": MCA_TEMPLATE,
        "dateAgreed": "2025-01-01T00:00:00Z",
        "type": "MicrosoftCustomerAgreement",
    }


def ready_customer(client: httpx.Client, domain: str = "contoso") -> str:
    """A new customer with the MCA accepted."""
    customer_id = create_customer(client, domain)
    accept_mca(client, customer_id)
    return customer_id


def line(
    catalog_item_id: str,
    quantity: int = 1,
    billing_cycle: str = "monthly",
    term: str = "P1Y",
    index: int = 0,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": index,
        "catalogItemId": catalog_item_id,
        "quantity": quantity,
        "billingCycle": billing_cycle,
        "termDuration": term,
        **extra,
    }


def buy(
    client: httpx.Client,
    customer_id: str,
    *lines: dict[str, Any],
    attested: bool = False,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Create a cart with ``lines`` and check it out; returns the checkout response."""
    body: dict[str, Any] = {"lineItems": list(lines)}
    if attested:
        body["partnerOnRecordAttestationAccepted"] = True
    cart = client.post(f"/v1/customers/{customer_id}/carts", json=body)
    assert cart.status_code == 201, cart.text
    return client.post(
        f"/v1/customers/{customer_id}/carts/{cart.json()['id']}/checkout", headers=headers
    )
