"""Checkout and sandbox agree (issue 10): every Partner Center rule both enforce, one table.

For each rule a parametrized table of cases is built in a fresh sandbox (a Partner Center
emulator) and judged twice:

* by the checkout: ``Checkout.validate`` with the facts :func:`gather_facts` reads from that
  sandbox (for the cancellation window, the rule the subscription manager applies before it
  sends anything);
* by the sandbox: the request that order would become (``POST /v1/customers``, a cart and its
  checkout, ``PATCH`` of the subscription), sent over plain HTTP.

The two verdicts (accepted or refused) must agree, and must be the one the case expects. The
rules: tenant domain format, the Business plan limit, seat caps, qualifications, the MCA, the
cancellation window, the indirect reseller's MPA, the address (allocated postal ranges, VAT
numbers and tax ids); the new-commerce billing plans (issue 11): three-year SKUs, mid-term
term and frequency changes, refund windows by product kind and software seat reductions; and
co-terminated end dates (issue 12).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest

from csp_commerce import (
    Address,
    BillingCycle,
    Checkout,
    CheckoutResult,
    CheckoutSettings,
    CompanyProfile,
    Contact,
    Customer,
    DuplicatePolicy,
    HookManager,
    McaFacts,
    Offer,
    Order,
    OrderLine,
    Reseller,
    TermDuration,
)
from csp_commerce.checkout.gather_facts import gather_facts
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import API_BASE, Sandbox, SandboxCredential
from csp_commerce.validation.address_rules import validate_address
from csp_commerce.validation.billing_options import default_term
from csp_commerce.validation.postal import CountryRules, offline_rules
from csp_commerce.validation.subscription_changes import cancellation_deadline

START = 1_735_689_600.0  # 2025-01-01T00:00:00Z
DAY = 86_400.0
MCA_TEMPLATE = "117a77b0-9360-443b-8795-c6dedc750cf9"
MONTHLY, ANNUAL = BillingCycle.MONTHLY, BillingCycle.ANNUAL
RESELLER_MPN = "1234567"

REDMOND = Address(
    country="US", state="WA", city="Redmond", postal_code="98052", address_line1="1 Microsoft Way"
)
CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@contoso.com", phone_number="+14255550100"
)


class Clock:
    """Epoch seconds that move only when a case says so."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class World:
    """One sandbox, with a plain HTTP client (the sandbox's judge) and our client (the facts)."""

    def __init__(self) -> None:
        self.clock = Clock()
        self.sandbox = Sandbox(seed=3, clock=self.clock, sleep=lambda _: None)
        self.http = httpx.Client(
            transport=self.sandbox.transport(),
            base_url=API_BASE,
            headers={"Authorization": "Bearer sandbox-user"},
        )
        self.client = PartnerCenterClient(
            SandboxCredential(clock=self.clock),
            http_client=self.sandbox.httpx_client(),
            sleep=lambda _: None,
        )

    def offer(self, title: str) -> Offer:
        return self.sandbox.catalog.find(title).to_offer()

    # -- the world's state, made through the API ---------------------------------------------

    def customer(self, *, mca: bool = True, domain: str = "contoso") -> str:
        response = self.http.post("/v1/customers", json=customer_body(f"{domain}.onmicrosoft.com"))
        assert response.status_code == 201, response.text
        customer_id = str(response.json()["id"])
        if mca:
            response = self.http.post(f"/v1/customers/{customer_id}/agreements", json=MCA_BODY)
            assert response.status_code == 201, response.text
        return customer_id

    def own(self, customer_id: str, *lines: OrderLine, status: str = "active") -> list[str]:
        """Subscriptions the customer already has (bought now, then set to ``status``)."""
        response = self.checkout_cart(customer_id, lines, None)
        assert response.status_code == 201 and not response.json()["orderErrors"], response.text
        ids = [
            str(item["subscriptionId"])
            for order in response.json()["orders"]
            for item in order["lineItems"]
        ]
        if status != "active":
            for subscription_id in ids:
                patched = self.patch(customer_id, subscription_id, {"status": status})
                assert patched.status_code == 200, patched.text
        return ids

    # -- the sandbox's verdict ---------------------------------------------------------------

    def checkout_cart(
        self, customer_id: str, lines: tuple[OrderLine, ...], reseller: Reseller | None
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "lineItems": [cart_line(index, line, reseller) for index, line in enumerate(lines)]
        }
        if reseller is not None:
            body["partnerOnRecordAttestationAccepted"] = True
        cart = self.http.post(f"/v1/customers/{customer_id}/carts", json=body)
        if cart.status_code != 201:
            return cart
        cart_id = cart.json()["id"]
        return self.http.post(f"/v1/customers/{customer_id}/carts/{cart_id}/checkout")

    def patch(self, customer_id: str, subscription_id: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.patch(
            f"/v1/customers/{customer_id}/subscriptions/{subscription_id}", json=body
        )

    def sandbox_accepts(self, order: Order) -> bool:
        """Whether Partner Center (the sandbox) accepts every change ``order`` asks for."""
        customer_id = order.customer.tenant_id
        assert customer_id is not None
        new = tuple(line for line in order.lines if line.subscription_id is None)
        for line in order.lines:
            if line.subscription_id is not None:
                current = self.http.get(
                    f"/v1/customers/{customer_id}/subscriptions/{line.subscription_id}"
                ).json()["quantity"]
                quantity = current + line.quantity
                if self.patch(customer_id, line.subscription_id, {"quantity": quantity}).is_error:
                    return False
        if not new:
            return True
        response = self.checkout_cart(customer_id, new, order.reseller)
        return response.status_code == 201 and not response.json()["orderErrors"]

    # -- the checkout's verdict --------------------------------------------------------------

    def checkout_judges(self, order: Order, **settings: Any) -> CheckoutResult:
        facts = gather_facts(self.client, order)
        if order.customer.tenant_id is None:
            # A new customer's MCA comes from the host's evidence log, not Partner Center.
            facts = facts.model_copy(update={"mca": McaFacts(accepted=True)})
        checkout = Checkout(HookManager(entry_points=False), CheckoutSettings(**settings))
        return checkout.validate(order, facts)


MCA_BODY = {
    "primaryContact": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@contoso.com"},
    "templateId": MCA_TEMPLATE,
    "dateAgreed": "2025-01-01T00:00:00Z",
    "type": "MicrosoftCustomerAgreement",
}


def customer_body(domain: str, address: Address = REDMOND) -> dict[str, Any]:
    default_address: dict[str, Any] = {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "addressLine1": address.address_line1,
        "city": address.city,
        "state": address.state,
        "postalCode": address.postal_code,
        "country": address.country,
    }
    # Where Partner Center takes these is undocumented: the sandbox reads them here.
    if address.vat_id is not None:
        default_address["vatId"] = address.vat_id
    if address.tax_id is not None:
        default_address["taxId"] = address.tax_id
    return {
        "companyProfile": {"domain": domain},
        "billingProfile": {
            "email": "ada@contoso.com",
            "culture": "en-US",
            "language": "en",
            "companyName": "Contoso",
            "defaultAddress": default_address,
        },
    }


def cart_line(index: int, line: OrderLine, reseller: Reseller | None) -> dict[str, Any]:
    """The cart line the order line becomes (as the step engine sends it)."""
    term = line.term_duration or default_term(line.offer, line.billing_cycle)
    raw: dict[str, Any] = {
        "id": index,
        "catalogItemId": line.offer.id,
        "quantity": line.quantity,
        "billingCycle": line.billing_cycle.value,
        "termDuration": term.value if term is not None else "",
    }
    if line.parent_subscription_id is not None:
        raw["provisioningContext"] = {"parentSubscriptionId": line.parent_subscription_id}
    if reseller is not None:
        raw["participants"] = [{"key": "transaction_reseller", "value": reseller.partner_id}]
    if line.custom_term_end_date is not None:
        raw["customTermEndDate"] = f"{line.custom_term_end_date.isoformat()}T00:00:00"
    return raw


def order_for(
    customer_id: str | None,
    *lines: OrderLine,
    reseller: Reseller | None = None,
    domain: str | None = None,
    address: Address = REDMOND,
) -> Order:
    customer = Customer(
        reference="contoso",
        company=CompanyProfile(company_name="Contoso", domain=domain),
        address=address,
        contact=CONTACT,
        tenant_id=customer_id,
    )
    return Order(customer=customer, lines=lines, reseller=reseller)


def agree(world: World, order: Order, expected: bool, **settings: Any) -> None:
    """Judge ``order`` by both, checkout first (it only reads), and compare."""
    result = world.checkout_judges(order, **settings)
    by_checkout = result.ok
    by_sandbox = world.sandbox_accepts(order)
    assert by_checkout == by_sandbox, (
        f"checkout {'accepts' if by_checkout else 'refuses'} "
        f"({[p.code for p in result.problems]}), sandbox "
        f"{'accepts' if by_sandbox else 'refuses'}"
    )
    assert by_checkout is expected, [p.code for p in result.problems]


@pytest.fixture
def world() -> Iterator[World]:
    built = World()
    yield built
    built.http.close()


# -- tenant domain format ----------------------------------------------------------------------


@dataclass(frozen=True)
class DomainCase:
    domain: str
    accepted: bool
    taken: bool = False


SUFFIX = ".onmicrosoft.com"
DOMAIN_CASES = {
    "plain": DomainCase("contoso" + SUFFIX, True),
    "capitals and digits": DomainCase("Contoso2025" + SUFFIX, True),
    "surrounding spaces": DomainCase("  contoso" + SUFFIX + " ", True),
    "27 characters": DomainCase("a" * 27 + SUFFIX, True),
    "28 characters": DomainCase("a" * 28 + SUFFIX, False),
    "40 characters": DomainCase("a" * 40 + SUFFIX, False),
    "suffix-less": DomainCase("contoso", False),
    "suffix-less 40": DomainCase("a" * 40, False),
    "hyphen": DomainCase("con-toso" + SUFFIX, False),
    "underscore": DomainCase("con_toso" + SUFFIX, False),
    "dot in prefix": DomainCase("con.toso" + SUFFIX, False),
    "non-ASCII letter": DomainCase("contosö" + SUFFIX, False),
    "Kelvin sign (lower-cases to k)": DomainCase("\u212aontoso" + SUFFIX, False),
    "empty prefix": DomainCase(SUFFIX.lstrip("."), False),
    "custom domain": DomainCase("contoso.com", False),
    "suffix then more": DomainCase("contoso" + SUFFIX + ".evil.com", False),
    "21Vianet suffix": DomainCase("contoso.partner.onmschina.cn", False),
    "taken": DomainCase("contoso" + SUFFIX, False, taken=True),
}


@pytest.mark.parametrize("case", DOMAIN_CASES.values(), ids=DOMAIN_CASES.keys())
def test_tenant_domain_format(world: World, case: DomainCase) -> None:
    if case.taken:
        world.sandbox.add_existing_tenant(case.domain.strip())
    order = order_for(
        None, OrderLine(offer=world.offer("Office 365 E3"), quantity=1), domain=case.domain
    )
    result = world.checkout_judges(order)
    by_checkout = result.ok
    by_sandbox = (
        world.http.post("/v1/customers", json=customer_body(case.domain)).status_code == 201
    )
    assert by_checkout == by_sandbox, ([p.code for p in result.problems], by_sandbox)
    assert by_checkout is case.accepted


# -- Business plans: one subscription per plan and billing cycle --------------------------------


@dataclass(frozen=True)
class BusinessCase:
    held: tuple[tuple[BillingCycle, str], ...]  # (cycle, status) of the plan's subscriptions
    ordered: tuple[BillingCycle, ...]
    accepted: bool
    plan: str = "Microsoft 365 Business Standard"


BUSINESS_CASES = {
    "first monthly": BusinessCase((), (MONTHLY,), True),
    "second monthly": BusinessCase(((MONTHLY, "active"),), (MONTHLY,), False),
    "annual beside monthly": BusinessCase(((MONTHLY, "active"),), (ANNUAL,), True),
    "third": BusinessCase(((MONTHLY, "active"), (ANNUAL, "active")), (ANNUAL,), False),
    "suspended counts": BusinessCase(((MONTHLY, "suspended"),), (MONTHLY,), False),
    "cancelled does not count": BusinessCase(((MONTHLY, "deleted"),), (MONTHLY,), True),
    "two monthly lines": BusinessCase((), (MONTHLY, MONTHLY), False),
    "monthly and annual lines": BusinessCase((), (MONTHLY, ANNUAL), True),
    "another plan": BusinessCase(
        ((MONTHLY, "active"),), (MONTHLY,), True, plan="Microsoft 365 Business Premium"
    ),
}


@pytest.mark.parametrize("case", BUSINESS_CASES.values(), ids=BUSINESS_CASES.keys())
def test_business_plan_limit(world: World, case: BusinessCase) -> None:
    customer_id = world.customer()
    standard = world.offer("Microsoft 365 Business Standard")
    for cycle, status in case.held:
        world.own(
            customer_id, OrderLine(offer=standard, quantity=5, billing_cycle=cycle), status=status
        )
    lines = [
        OrderLine(offer=world.offer(case.plan), quantity=5, billing_cycle=c) for c in case.ordered
    ]
    # Refusing duplicates: the default (merge) turns them into more seats, which is no purchase.
    refuse = DuplicatePolicy.REFUSE
    agree(world, order_for(customer_id, *lines), case.accepted, business_duplicates=refuse)


# -- seat caps: per subscription, and 300 per customer across a Business plan --------------------


@dataclass(frozen=True)
class SeatCase:
    held: tuple[tuple[BillingCycle, int], ...]  # the Business plan's subscriptions (cycle, seats)
    new: tuple[tuple[BillingCycle, int], ...] = ()  # new subscriptions ordered
    added: tuple[tuple[int, int], ...] = ()  # (index into held, seats added)
    accepted: bool = True
    plan: str = "Microsoft 365 Business Standard"
    suspended: bool = False


SEAT_CASES = {
    "300 on one": SeatCase((), new=((MONTHLY, 300),)),
    "301 on one": SeatCase((), new=((MONTHLY, 301),), accepted=False),
    "up to the cap": SeatCase(((MONTHLY, 200),), new=((ANNUAL, 100),)),
    "past the cap": SeatCase(((MONTHLY, 200),), new=((ANNUAL, 101),), accepted=False),
    "two lines past the cap": SeatCase((), new=((MONTHLY, 200), (ANNUAL, 101)), accepted=False),
    "added up to the cap": SeatCase(((MONTHLY, 200), (ANNUAL, 50)), added=((0, 50),)),
    "added past the cap": SeatCase(
        ((MONTHLY, 200), (ANNUAL, 50)), added=((0, 51),), accepted=False
    ),
    "added to 300": SeatCase(((MONTHLY, 299),), added=((0, 1),)),
    "added past 300": SeatCase(((MONTHLY, 299),), added=((0, 2),), accepted=False),
    "added to a suspended one": SeatCase(
        ((MONTHLY, 10),), added=((0, 1),), accepted=False, suspended=True
    ),
    "enterprise 10000": SeatCase((), new=((MONTHLY, 10_000),), plan="Office 365 E3"),
    "enterprise 10001": SeatCase(
        (), new=((MONTHLY, 10_001),), accepted=False, plan="Office 365 E3"
    ),
    "enterprise added past 10000": SeatCase(
        ((MONTHLY, 9_999),), added=((0, 2),), accepted=False, plan="Office 365 E3"
    ),
}


@pytest.mark.parametrize("case", SEAT_CASES.values(), ids=SEAT_CASES.keys())
def test_seat_caps(world: World, case: SeatCase) -> None:
    customer_id = world.customer()
    offer = world.offer(case.plan)
    status = "suspended" if case.suspended else "active"
    held = [
        world.own(
            customer_id, OrderLine(offer=offer, quantity=seats, billing_cycle=cycle), status=status
        )[0]
        for cycle, seats in case.held
    ]
    lines = [
        OrderLine(offer=offer, quantity=seats, billing_cycle=cycle) for cycle, seats in case.new
    ]
    lines += [
        OrderLine(
            offer=offer,
            quantity=seats,
            billing_cycle=case.held[index][0],
            subscription_id=held[index],
        )
        for index, seats in case.added
    ]
    agree(world, order_for(customer_id, *lines), case.accepted)


# -- qualifications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QualificationCase:
    offer: str
    held: tuple[tuple[str, str], ...]  # (qualification, vetting status)
    accepted: bool


A3 = "Office 365 A3 for faculty"
NONPROFIT = "Microsoft 365 Business Basic for Nonprofits"
GCC = "Office 365 G3 GCC"
QUALIFICATION_CASES = {
    "commercial needs none": QualificationCase("Office 365 E3", (), True),
    "education approved": QualificationCase(A3, (("Education", "Approved"),), True),
    "education missing": QualificationCase(A3, (), False),
    "education in review": QualificationCase(A3, (("Education", "InReview"),), False),
    "education denied": QualificationCase(A3, (("Education", "Denied"),), False),
    "education with another one": QualificationCase(A3, (("Nonprofit", "Approved"),), False),
    "nonprofit approved": QualificationCase(NONPROFIT, (("Nonprofit", "Approved"),), True),
    "nonprofit in review": QualificationCase(NONPROFIT, (("Nonprofit", "InReview"),), False),
    "government approved": QualificationCase(
        GCC, (("GovernmentCommunityCloud", "Approved"),), True
    ),
    "government with state-owned": QualificationCase(
        GCC, (("StateOwnedEntity", "Approved"),), False
    ),
}


@pytest.mark.parametrize("case", QUALIFICATION_CASES.values(), ids=QUALIFICATION_CASES.keys())
def test_qualifications(world: World, case: QualificationCase) -> None:
    customer_id = world.customer()
    for qualification, status in case.held:
        world.sandbox.set_qualification(customer_id, qualification, status)
    offer = world.offer(case.offer)
    # Every offer of the table sells a one-year term billed annually.
    line = OrderLine(offer=offer, quantity=1, billing_cycle=ANNUAL, term_duration=TermDuration.P1Y)
    agree(world, order_for(customer_id, line), case.accepted)


# -- the Microsoft Customer Agreement ------------------------------------------------------------


MCA_CASES = {
    "accepted": ("self", True),
    "not accepted": (None, False),
    "another tenant's": ("other", False),
}


@pytest.mark.parametrize(("whose", "accepted"), MCA_CASES.values(), ids=MCA_CASES.keys())
def test_mca(world: World, whose: str | None, accepted: bool) -> None:
    customer_id = world.customer(mca=whose == "self")
    if whose == "other":
        world.customer(domain="fabrikam")  # has the MCA; ours does not
    line = OrderLine(offer=world.offer("Office 365 E3"), quantity=1)
    agree(world, order_for(customer_id, line), accepted)


# -- the cancellation window ---------------------------------------------------------------------


CANCELLATION_CASES = {
    "at once": (0.0, True),
    "a second before seven days": (7 * DAY - 1, True),
    "at seven days": (7 * DAY, True),
    "a second after seven days": (7 * DAY + 1, False),
    "a month later": (30 * DAY, False),
}


@pytest.mark.parametrize(
    ("after", "accepted"), CANCELLATION_CASES.values(), ids=CANCELLATION_CASES.keys()
)
def test_cancellation_window(world: World, after: float, accepted: bool) -> None:
    customer_id = world.customer()
    (subscription_id,) = world.own(
        customer_id, OrderLine(offer=world.offer("Office 365 E3"), quantity=3)
    )
    world.clock.now += after

    # The rule the subscription manager applies before it sends a cancellation.
    subscription = world.client.subscriptions.get(customer_id, subscription_id)
    deadline = cancellation_deadline(subscription)
    now = datetime.fromtimestamp(world.clock.now, timezone.utc)
    by_checkout = deadline is None or now <= deadline
    by_sandbox = not world.patch(customer_id, subscription_id, {"status": "deleted"}).is_error
    assert by_checkout == by_sandbox
    assert by_checkout is accepted


# -- the indirect reseller's Microsoft Partner Agreement ------------------------------------------


RESELLER_CASES = {
    "direct": (None, None, True),
    "signed": (RESELLER_MPN, True, True),
    "not signed": (RESELLER_MPN, False, False),
    "unknown": ("7654321", None, False),
    "not numeric": ("fabrikam", None, False),
}


@pytest.mark.parametrize(
    ("mpn", "signed", "accepted"), RESELLER_CASES.values(), ids=RESELLER_CASES.keys()
)
def test_reseller_mpa(world: World, mpn: str | None, signed: bool | None, accepted: bool) -> None:
    if mpn is not None and signed is not None:
        world.sandbox.add_reseller(mpn, "Fabrikam IT", mpa_signed=signed)
    customer_id = world.customer()
    reseller = Reseller(partner_id=mpn, name="Fabrikam IT") if mpn is not None else None
    line = OrderLine(offer=world.offer("Office 365 E3"), quantity=1)
    agree(world, order_for(customer_id, line, reseller=reseller), accepted)


# -- the address: allocated postal ranges, VAT numbers, tax ids -----------------------------------


def _address(country: str, postal_code: str, state: str | None = None, **ids: str) -> Address:
    return Address(
        country=country,
        state=state,
        city="Capital",
        postal_code=postal_code,
        address_line1="1 Main Street",
        **ids,
    )


ADDRESS_CASES = {
    "German code in range": (_address("DE", "01067"), True),
    "German highest code": (_address("DE", "99998"), True),
    "German 00xxx": (_address("DE", "00123"), False),
    "German unused region 05": (_address("DE", "05123"), False),
    "US all zeros": (_address("US", "00000", "NY"), False),
    "US unused prefix 213": (_address("US", "21301", "VA"), False),
    "US IRS Holtsville": (_address("US", "00501", "NY"), True),
    "Turkish province 82": (_address("TR", "82000"), False),
    "Canadian unused S1": (_address("CA", "S1A 1A1", "SK"), False),
    "Canadian Ottawa": (_address("CA", "K1A 0B1", "ON"), True),
    "German VAT number": (_address("DE", "10115", vat_id="DE 123 456 789"), True),
    "German VAT number too short": (_address("DE", "10115", vat_id="DE12345678"), False),
    "Austrian VAT number in Germany": (_address("DE", "10115", vat_id="ATU12345678"), False),
    "VAT number in the US": (_address("US", "98052", "WA", vat_id="US123456789"), False),
    "US tax id": (_address("US", "98052", "WA", tax_id="US123456"), True),
    "US tax id without prefix": (_address("US", "98052", "WA", tax_id="123456"), False),
    "Indian GSTIN": (_address("IN", "110001", "DL", tax_id="27AAPFU0939F1ZV"), True),
    "Indian GSTIN cut short": (_address("IN", "110001", "DL", tax_id="27AAPFU0939F1Z"), False),
    "Brazilian CNPJ bare": (_address("BR", "01310-100", "SP", tax_id="11222333000181"), True),
    "tax id in Germany": (_address("DE", "10115", tax_id="12345"), False),
}


@pytest.mark.parametrize(("address", "accepted"), ADDRESS_CASES.values(), ids=ADDRESS_CASES.keys())
def test_address(world: World, address: Address, accepted: bool) -> None:
    domain = "contoso" + SUFFIX
    line = OrderLine(offer=world.offer("Office 365 E3"), quantity=1)
    result = world.checkout_judges(order_for(None, line, domain=domain, address=address))
    by_checkout = result.ok
    created = world.http.post("/v1/customers", json=customer_body(domain, address))
    by_sandbox = created.status_code == 201
    assert by_checkout == by_sandbox, ([p.code for p in result.problems], created.text)
    assert by_checkout is accepted, [p.code for p in result.problems]


@pytest.mark.parametrize("country", ["US", "DE", "IN", "BR", "CH", "GB"])
def test_the_served_country_rules_judge_as_the_checkout_does(world: World, country: str) -> None:
    # The checkout's offline rules and the rules the sandbox serves are the same: rebuilt from
    # the served countryvalidationrules (as a host's PartnerCenterCountryRules would), every
    # address case of that country gets the same verdict.
    served = world.http.get(f"/v1/countryvalidationrules/{country}").json()
    offline = offline_rules(country)
    live = CountryRules.from_partner_center(served, fallback=offline)
    assert (live.vat_id_supported, live.tax_id_supported, live.tax_id_optional) == (
        offline.vat_id_supported,  # type: ignore[union-attr]
        offline.tax_id_supported,  # type: ignore[union-attr]
        offline.tax_id_optional,  # type: ignore[union-attr]
    )
    for address, _ in ADDRESS_CASES.values():
        if address.country == country:
            assert validate_address(address, live) == validate_address(address, offline)


# -- new-commerce billing plans (issue 11) ------------------------------------------------------

NO_TEAMS = "Microsoft 365 E3 (no Teams)"
P1M, P1Y, P3Y = TermDuration.P1M, TermDuration.P1Y, TermDuration.P3Y
TRIENNIAL = BillingCycle.TRIENNIAL


@dataclass(frozen=True)
class ThreeYearCase:
    quantity: int
    billing_cycle: BillingCycle
    term: TermDuration
    accepted: bool


THREE_YEAR_CASES = {
    "100 seats for three years": ThreeYearCase(100, ANNUAL, P3Y, True),
    "99 seats for three years": ThreeYearCase(99, ANNUAL, P3Y, False),
    "triennial billing": ThreeYearCase(150, TRIENNIAL, P3Y, True),
    "monthly billing for three years": ThreeYearCase(150, MONTHLY, P3Y, False),
    "a few seats for one year": ThreeYearCase(5, MONTHLY, P1Y, True),
}


@pytest.mark.parametrize("case", THREE_YEAR_CASES.values(), ids=THREE_YEAR_CASES.keys())
def test_three_year_skus(world: World, case: ThreeYearCase) -> None:
    customer_id = world.customer()
    line = OrderLine(
        offer=world.offer(NO_TEAMS),
        quantity=case.quantity,
        billing_cycle=case.billing_cycle,
        term_duration=case.term,
    )
    cycles = frozenset({MONTHLY, ANNUAL, TRIENNIAL})  # the host bills triennially too
    agree(world, order_for(customer_id, line), case.accepted, billing_cycles=cycles)


@dataclass(frozen=True)
class PlanChangeCase:
    title: str
    bought: tuple[TermDuration, BillingCycle]
    requested: tuple[TermDuration | None, BillingCycle | None]
    accepted: bool


PLAN_CHANGE_CASES = {
    "monthly term to a year": PlanChangeCase("Office 365 E3", (P1M, MONTHLY), (P1Y, ANNUAL), True),
    "a year to a monthly term": PlanChangeCase(
        "Office 365 E3", (P1Y, ANNUAL), (P1M, MONTHLY), False
    ),
    "a year to three years": PlanChangeCase("Microsoft 365 E3", (P1Y, ANNUAL), (P3Y, None), True),
    "annual to monthly billing": PlanChangeCase(
        "Office 365 E3", (P1Y, ANNUAL), (None, MONTHLY), True
    ),
    "triennial frequency": PlanChangeCase(
        "Microsoft 365 E3", (P3Y, ANNUAL), (None, TRIENNIAL), False
    ),
    "to a plan not sold": PlanChangeCase("Office 365 E3", (P1M, MONTHLY), (P3Y, None), False),
}


@pytest.mark.parametrize("case", PLAN_CHANGE_CASES.values(), ids=PLAN_CHANGE_CASES.keys())
def test_mid_term_plan_changes(world: World, case: PlanChangeCase) -> None:
    """The rule the subscription manager applies before it sends, and the sandbox's PATCH."""
    from csp_commerce.validation.billing_plan import check_plan_change

    customer_id = world.customer()
    term, cycle = case.bought
    line = OrderLine(offer=world.offer(case.title), quantity=3, billing_cycle=cycle,
                     term_duration=term)  # fmt: skip
    (subscription_id,) = world.own(customer_id, line)
    new_term, new_cycle = case.requested
    offered = set(world.sandbox.catalog.find(case.title).terms)
    by_rules = not check_plan_change(
        subscription_id,
        (term.value, cycle.value),
        (new_term.value if new_term else None, new_cycle.value if new_cycle else None),
        offered,
    )
    body = {"termDuration": (new_term or term).value, "billingCycle": (new_cycle or cycle).value}
    by_sandbox = world.patch(customer_id, subscription_id, body).status_code == 200
    assert by_rules == by_sandbox == case.accepted


@dataclass(frozen=True)
class RefundCase:
    title: str
    term: TermDuration
    cycle: BillingCycle
    hours: float
    accepted: bool


REFUND_CASES = {
    "licence-based after 167 h": RefundCase("Office 365 E3", P1M, MONTHLY, 167, True),
    "licence-based after 169 h": RefundCase("Office 365 E3", P1M, MONTHLY, 169, False),
    "SaaS after 71 h": RefundCase("Contoso Cloud Backup", P1M, MONTHLY, 71, True),
    "SaaS after 73 h": RefundCase("Contoso Cloud Backup", P1M, MONTHLY, 73, False),
    "software after 100 h": RefundCase(
        "Windows Server 2022 Standard - 2 Core License Pack", P1Y, ANNUAL, 100, True
    ),
}


@pytest.mark.parametrize("case", REFUND_CASES.values(), ids=REFUND_CASES.keys())
def test_refund_windows_by_product_kind(world: World, case: RefundCase) -> None:
    """The window by product kind (the rule) and the one the sandbox states and enforces."""
    from csp_commerce.models.offer import ProductKind
    from csp_commerce.validation.billing_plan import check_refund_window

    customer_id = world.customer()
    line = OrderLine(offer=world.offer(case.title), quantity=2, billing_cycle=case.cycle,
                     term_duration=case.term)  # fmt: skip
    (subscription_id,) = world.own(customer_id, line)
    bought = datetime.fromtimestamp(world.clock.now, timezone.utc)
    world.clock.now += case.hours * 3600
    now = datetime.fromtimestamp(world.clock.now, timezone.utc)
    kind = world.sandbox.catalog.find(case.title).kind
    assert kind is not ProductKind.AZURE
    by_rules = not check_refund_window(kind, subscription_id, bought, now)
    by_sandbox = world.patch(customer_id, subscription_id, {"status": "deleted"}).is_success
    assert by_rules == by_sandbox == case.accepted


@pytest.mark.parametrize(("quantity", "accepted"), [(5, True), (3, False)])
def test_software_seats_never_shrink(world: World, quantity: int, accepted: bool) -> None:
    from csp_commerce.models.offer import ProductKind
    from csp_commerce.validation.billing_plan import check_seat_reduction

    customer_id = world.customer()
    title = "Windows Server 2022 Standard - 2 Core License Pack"
    line = OrderLine(offer=world.offer(title), quantity=4, billing_cycle=ANNUAL, term_duration=P1Y)
    (subscription_id,) = world.own(customer_id, line)
    by_rules = not check_seat_reduction(
        ProductKind.SOFTWARE_SUBSCRIPTION, subscription_id, 4, quantity
    )
    by_sandbox = world.patch(customer_id, subscription_id, {"quantity": quantity}).is_success
    assert by_rules == by_sandbox == accepted


# -- co-terminated end dates (customTermEndDate) ---------------------------------------------------


COTERM_CASES = {
    # The customer's Office 365 E3 (one year, annual) was bought on 2025-01-01: it ends 2026-01-01.
    "an existing subscription's end": (date(2026, 1, 1), True),
    "the month end inside the term": (date(2025, 12, 31), True),
    "a day that is neither": (date(2025, 7, 15), False),
    "after the term": (date(2026, 6, 30), False),
}


@pytest.mark.parametrize(("end", "accepted"), COTERM_CASES.values(), ids=COTERM_CASES.keys())
def test_co_terminated_end_dates(world: World, end: date, accepted: bool) -> None:
    customer_id = world.customer()
    e3 = OrderLine(offer=world.offer("Office 365 E3"), quantity=1, billing_cycle=ANNUAL,
                   term_duration=TermDuration.P1Y)  # fmt: skip
    world.own(customer_id, e3)
    line = OrderLine(
        offer=world.offer("Microsoft 365 Business Basic"), quantity=1, billing_cycle=MONTHLY,
        term_duration=TermDuration.P1Y, custom_term_end_date=end,
    )  # fmt: skip
    agree(world, order_for(customer_id, line), accepted)
