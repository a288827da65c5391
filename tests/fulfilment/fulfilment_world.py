"""A small world for the provisioning tests: a sandbox, a client on it, orders and plans."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

from csp_commerce import (
    AcceptanceSource,
    Address,
    Checkout,
    CheckoutFacts,
    CompanyProfile,
    Contact,
    Customer,
    HookManager,
    McaAcceptance,
    McaFacts,
    Offer,
    Order,
    OrderLine,
    ProvisioningOutcome,
    TenantFacts,
    hookimpl,
)
from csp_commerce.models import CheckoutPlan
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+14255550100"
)


class Recorder:
    """A host plugin counting the notifications per order."""

    def __init__(self) -> None:
        self.provisioned: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.outcomes: dict[str, ProvisioningOutcome] = {}

    @hookimpl
    def csp_order_provisioned(self, order: Order, outcome: ProvisioningOutcome) -> None:
        self.provisioned[order.id] += 1
        self.outcomes[order.id] = outcome

    @hookimpl
    def csp_order_failed(self, order: Order, outcome: ProvisioningOutcome) -> None:
        self.failed[order.id] += 1
        self.outcomes[order.id] = outcome


def offer(sandbox: Sandbox, name: str) -> Offer:
    return next(item for item in sandbox.catalog.offers() if item.name == name)


def customer(n: int) -> Customer:
    return Customer(
        reference=f"customer-{n}",
        company=CompanyProfile(company_name=f"Contoso {n}", domain=f"contoso{n}.onmicrosoft.com"),
        address=Address(
            country="US",
            state="WA",
            city="Redmond",
            postal_code="98052",
            address_line1="1 Microsoft Way",
        ),
        contact=CONTACT,
    )


def new_customer_order(n: int, *lines: OrderLine) -> Order:
    return Order(id=f"order-{n}", customer=customer(n), lines=lines)


def acceptance(order: Order) -> McaAcceptance:
    return McaAcceptance(
        customer_reference=order.customer.reference,
        template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
        contact=CONTACT,
        accepted_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        source=AcceptanceSource.CUSTOMER,
        confirmed_by="ada@example.com",
    )


def plan_for(checkout: Checkout, order: Order) -> CheckoutPlan:
    """The plan for a new customer's order (facts: a free domain, MCA accepted)."""
    facts = CheckoutFacts(
        mca=McaFacts(accepted=True),
        tenant=TenantFacts(domain=order.customer.company.domain, domain_available=True),
    )
    result = checkout.validate(order, facts)
    assert result.plan is not None, result.problems
    return result.plan


def client_for(sandbox: Sandbox, **options: object) -> PartnerCenterClient:
    return PartnerCenterClient(
        SandboxCredential(), http_client=sandbox.httpx_client(), sleep=lambda _: None, **options
    )


def hooks_with(recorder: Recorder) -> HookManager:
    return HookManager(entry_points=False, plugins=[recorder])
