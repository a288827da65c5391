"""The customers the example starts with: one per reseller, and a school to show eligibility."""

from __future__ import annotations

from datetime import datetime, timezone

from csp_commerce import (
    Address,
    BillingCycle,
    CompanyProfile,
    Contact,
    Customer,
    Segment,
    TermDuration,
)
from csp_storefront.shop import Shop, User

STAFF = User("staff", "Partner staff", "staff")


def _customer(reference: str, company: str, address: Address, email: str) -> Customer:
    return Customer(
        reference=reference,
        company=CompanyProfile(company_name=company, domain=f"{reference}shop.onmicrosoft.com"),
        address=address,
        contact=Contact(
            first_name="Ada", last_name="Lovelace", email=email, phone_number="+14255550100"
        ),
    )


def seed(shop: Shop) -> None:
    """Northwind (Adatum IT, with a Business Standard subscription), Tailspin (Litware, in
    Germany) and Contoso School (Adatum IT, education, not qualified yet)."""
    us = Address(
        country="US", state="WA", city="Redmond", postal_code="98052",
        address_line1="1 Microsoft Way",
    )  # fmt: skip
    de = Address(
        country="DE", city="Berlin", postal_code="10115", address_line1="Unter den Linden 1"
    )
    northwind = shop.add_customer(
        _customer("northwind", "Northwind Traders", us, "ada@northwind.example"),
        "4100001",
        Segment.COMMERCIAL,
    )
    tailspin = shop.add_customer(
        _customer("tailspin", "Tailspin Toys", de, "ada@tailspin.example"),
        "4100002",
        Segment.COMMERCIAL,
    )
    school = shop.add_customer(
        _customer("contososchool", "Contoso School", us, "ada@school.example"),
        "4100001",
        Segment.EDUCATION,
    )
    now = datetime.now(timezone.utc)
    for entry in (northwind, tailspin, school):
        assert entry.customer.contact is not None
        shop.record_mca(STAFF, entry, entry.customer.contact, now)
    business = next(
        offer for offer in shop.catalog("US") if offer.name == "Microsoft 365 Business Standard"
    )
    order = shop.order_for(STAFF, northwind, business, 10, BillingCycle.MONTHLY, TermDuration.P1M)
    shop.submit(STAFF, order)
