"""A host storefront's checkout, end to end, with no network and no Microsoft account.

1. The customer accepts the MCA at the storefront: the acceptance goes into the evidence log.
2. An indirect reseller orders too many Business seats for an existing tenant the partner is
   not linked to yet: the checkout returns every Problem at once, with the invitation link.
3. With fewer seats, once the tenant accepted the invitation (the facts say so), the order gets
   its plan: the Business seats go onto the existing monthly subscription.

    python examples/host_checkout.py
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone
from pathlib import Path

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
    McaAcceptance,
    Offer,
    OfferFamily,
    Order,
    OrderLine,
    Relationship,
    Reseller,
    ResellerFacts,
    SubscriptionFact,
    TenantFacts,
    TermDuration,
)
from csp_commerce.store.mca_log import McaEvidenceLog

BUSINESS = Offer(
    id="CFQ7TTC0LDPB:0001",
    product_id="CFQ7TTC0LDPB",
    name="Microsoft 365 Business Standard",
    family=OfferFamily.BUSINESS,
    billing_cycles=frozenset({BillingCycle.MONTHLY, BillingCycle.ANNUAL}),
    term_durations=frozenset({TermDuration.P1M, TermDuration.P1Y}),
    max_quantity=300,
    max_seats_per_customer=300,
)
DYNAMICS = Offer(
    id="CFQ7TTC0LF8Q:0001",
    product_id="CFQ7TTC0LF8Q",
    name="Dynamics 365 Sales Enterprise",
    family=OfferFamily.DYNAMICS,
)


def show(title: str, result: CheckoutResult) -> None:
    """Print a checkout result the way a storefront would show it."""
    print(f"\n== {title}")
    for problem in result.problems:
        print(f"  problem {problem.code} [{problem.field or 'order'}]: {problem.message}")
    if result.plan is not None:
        tenant = result.plan.tenant
        print(f"  tenant: {tenant.action.value} {tenant.tenant_id or tenant.domain or ''}")
        for plan in result.plan.lines:
            target = f" on {plan.subscription_id}" if plan.subscription_id else ""
            print(
                f"  line {plan.offer_id}: {plan.action.value}{target}, {plan.quantity} seats, "
                f"{plan.billing_cycle.value}, partner of record {plan.partner_id_on_record}"
            )
    if result.approval is not None:
        verdict = "approved" if result.approval.approved else "held"
        print(f"  approval: {verdict} ({result.approval.reason})")


def main() -> None:
    contact = Contact(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@contoso.com",
        phone_number="+1 425 555 0100",
    )
    customer = Customer(
        reference="contoso",
        company=CompanyProfile(company_name="Contoso Ltd"),
        address=Address(
            country="US",
            state="WA",
            city="Redmond",
            postal_code="98052",
            address_line1="1 Microsoft Way",
        ),
        contact=contact,
        tenant_id="6e1c2a5e-0000-4000-8000-000000000001",
    )

    def order_for(business_seats: int) -> Order:
        return Order(
            customer=customer,
            reseller=Reseller(partner_id="1234567", name="Fabrikam IT"),
            lines=(
                OrderLine(offer=BUSINESS, quantity=business_seats),
                OrderLine(offer=DYNAMICS, quantity=5, instance_name="staging"),
            ),
        )

    settings = CheckoutSettings(partner_id="11111111-2222-3333-4444-555555555555")
    with tempfile.TemporaryDirectory() as folder:
        log = McaEvidenceLog(Path(folder) / "mca-evidence.sqlite3")
        checkout = Checkout(settings=settings, mca_log=log)

        problems = checkout.record_mca_acceptance(
            McaAcceptance(
                customer_reference="contoso",
                template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
                contact=contact,
                accepted_at=datetime.now(timezone.utc),
                source=AcceptanceSource.RESELLER,
                confirmed_by="admin@fabrikam.example",
                reseller_partner_id="1234567",
            )
        )
        print("MCA acceptance recorded" if not problems else f"MCA acceptance refused: {problems}")
        print(f"evidence log intact: {log.verify().ok}, head {log.head().hash[:16]}…")

        existing = (
            SubscriptionFact(
                id="sub-business-monthly",
                offer_id=BUSINESS.id,
                product_id=BUSINESS.product_id,
                billing_cycle=BillingCycle.MONTHLY,
                quantity=20,
                partner_id_on_record="1234567",
            ),
        )
        reseller = {"1234567": ResellerFacts(partner_id="1234567", mpn_valid=True, mpa_signed=True)}
        not_linked = CheckoutFacts(
            subscriptions=existing,
            mca=checkout.mca_facts("contoso"),
            tenant=TenantFacts(exists=True, tenant_id=customer.tenant_id),
            resellers=reseller,
        )
        show(
            "290 more Business seats, tenant not linked yet",
            checkout.validate(order_for(290), not_linked),
        )

        linked = not_linked.model_copy(
            update={
                "tenant": not_linked.tenant.model_copy(
                    update={"relationship": Relationship.RESELLER}
                )
            }
        )
        show(
            "10 more Business seats, after the tenant accepted the invitation",
            checkout.validate(order_for(10), linked),
        )
        log.close()


if __name__ == "__main__":
    main()
