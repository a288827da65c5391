"""Builders for orders, offers and facts shared by the checkout tests."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from csp_commerce import (
    AcceptanceSource,
    Address,
    BillingCycle,
    Checkout,
    CheckoutFacts,
    CheckoutResult,
    CheckoutSettings,
    CompanyProfile,
    Contact,
    Customer,
    HookManager,
    McaAcceptance,
    McaFacts,
    Offer,
    OfferFamily,
    Order,
    OrderLine,
    Reseller,
    ResellerFacts,
    SubscriptionFact,
    TenantFacts,
    TermDuration,
)

MONTHLY, ANNUAL = BillingCycle.MONTHLY, BillingCycle.ANNUAL

#: A valid address under any postal rules (so tests pass with or without address validation).
REDMOND = Address(
    country="US",
    state="WA",
    city="Redmond",
    postal_code="98052",
    address_line1="1 Microsoft Way",
)

CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@contoso.com", phone_number="+1 425 555 0100"
)

BUSINESS = Offer(
    id="CFQ7TTC0LDPB:0001",
    product_id="CFQ7TTC0LDPB",
    name="Microsoft 365 Business Standard",
    family=OfferFamily.BUSINESS,
    billing_cycles=frozenset({MONTHLY, ANNUAL}),
    term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y}),
    max_quantity=300,
    max_seats_per_customer=300,
)
ENTERPRISE = Offer(
    id="CFQ7TTC0LFLX:0002",
    product_id="CFQ7TTC0LFLX",
    name="Microsoft 365 E3",
    family=OfferFamily.ENTERPRISE,
    billing_cycles=frozenset({MONTHLY, ANNUAL}),
    term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y, TermDuration.P3Y}),
)
DYNAMICS = Offer(
    id="CFQ7TTC0LF8Q:0001",
    product_id="CFQ7TTC0LF8Q",
    name="Dynamics 365 Sales Enterprise",
    family=OfferFamily.DYNAMICS,
    billing_cycles=frozenset({MONTHLY, ANNUAL}),
    term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y}),
)
ADDON = Offer(
    id="CFQ7TTC0LHWM:0001",
    product_id="CFQ7TTC0LHWM",
    name="Microsoft Teams Audio Conferencing",
    family=OfferFamily.ADDON,
    parent_product_ids=frozenset({"CFQ7TTC0LFLX"}),
)


def offer(**changes: Any) -> Offer:
    """An Enterprise-like offer with ``changes``."""
    return ENTERPRISE.model_copy(update=changes)


def line(offer: Offer = ENTERPRISE, quantity: int = 5, **fields: Any) -> OrderLine:
    """One order line."""
    return OrderLine(offer=offer, quantity=quantity, **fields)


def order(
    *lines: OrderLine,
    reseller: Reseller | None = None,
    domain: str | None = "contoso.onmicrosoft.com",
    tenant_id: str | None = None,
    reference: str = "cust-1",
) -> Order:
    """An order for the Contoso customer in Redmond (one E3 line unless ``lines`` are given)."""
    customer = Customer(
        reference=reference,
        company=CompanyProfile(company_name="Contoso Ltd", domain=domain),
        address=REDMOND,
        contact=CONTACT,
        tenant_id=tenant_id,
    )
    return Order(customer=customer, lines=lines or (line(),), reseller=reseller)


def acceptance(**changes: Any) -> McaAcceptance:
    """A complete MCA acceptance by the customer."""
    fields: dict[str, Any] = {
        "customer_reference": "cust-1",
        "template_id": "117a77b0-9360-443b-8795-c6dedc750cf9",
        "contact": CONTACT,
        "accepted_at": datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc),
        "source": AcceptanceSource.CUSTOMER,
        "confirmed_by": "ada@contoso.com",
    }
    fields.update(changes)
    return McaAcceptance(**fields)


def facts(**changes: Any) -> CheckoutFacts:
    """Facts under which the default order is clean: MCA on record, the domain free."""
    fields: dict[str, Any] = {
        "mca": McaFacts(accepted=True, acceptance=acceptance()),
        "tenant": TenantFacts(exists=False, domain_available=True),
    }
    fields.update(changes)
    return CheckoutFacts(**fields)


def subscription(
    id: str, offer: Offer = ENTERPRISE, quantity: int = 10, **fields: Any
) -> SubscriptionFact:
    """An existing subscription of ``offer``."""
    fields.setdefault("billing_cycle", MONTHLY)
    return SubscriptionFact(
        id=id, offer_id=offer.id, product_id=offer.product_id, quantity=quantity, **fields
    )


RESELLER = Reseller(partner_id="1234567", name="Fabrikam IT")
GOOD_RESELLER = ResellerFacts(partner_id="1234567", mpn_valid=True, mpa_signed=True, related=True)


def checkout(**settings: Any) -> Checkout:
    """A checkout with the built-ins only (no installed plugins), under ``settings``."""
    return Checkout(HookManager(entry_points=False), CheckoutSettings(**settings))


def codes(result: CheckoutResult) -> list[str]:
    """The Problem codes of ``result``, in order."""
    return [problem.code for problem in result.problems]
