"""The storefront's back office: who may see which customer, and every action a page offers.

Everything here goes through the public API of ``csp_commerce``: a :class:`Checkout` judges and
places orders (with a :class:`Provisioner` on the step engine), the :class:`McaEvidenceLog`
keeps MCA acceptances, a :class:`SubscriptionManager` changes subscriptions, and a
:class:`PriceListPlugin` prices lines. The Partner Center is the built-in :class:`Sandbox`.

The storefront's own data (which customer belongs to which reseller, orders waiting for
approval or for a tenant relationship) is kept in memory: it is an example, not a product.
"""

from __future__ import annotations

import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from csp_commerce import (
    AcceptanceSource,
    Actor,
    ApprovalDecision,
    BillingCycle,
    Checkout,
    CheckoutPlan,
    CheckoutResult,
    CheckoutSettings,
    Customer,
    HookManager,
    Ledger,
    Markup,
    McaAcceptance,
    McaEvidenceLog,
    Offer,
    Order,
    OrderLine,
    PartnerCenterClient,
    PartnerCenterError,
    PriceEntry,
    PriceList,
    PriceListPlugin,
    Problem,
    Provisioner,
    Reseller,
    Sandbox,
    SandboxCredential,
    Segment,
    SubscriptionManager,
    TermDuration,
    gather_facts,
    hookimpl,
    offers_from_catalog,
)

#: The partner's own MPN-less id in the sandbox's settings (the invitation link names it).
PARTNER_ID = "11111111-2222-3333-4444-555555555555"
#: The partner's buy price is this share of Microsoft's list price in the example price sheet.
COST_SHARE = Decimal("0.85")
MONTHS = {
    (BillingCycle.MONTHLY, TermDuration.P1M): 1,
    (BillingCycle.MONTHLY, TermDuration.P1Y): 1,
    (BillingCycle.MONTHLY, TermDuration.P3Y): 1,
    (BillingCycle.ANNUAL, TermDuration.P1Y): 12,
    (BillingCycle.ANNUAL, TermDuration.P3Y): 12,
    (BillingCycle.TRIENNIAL, TermDuration.P3Y): 36,
}
#: Which segment each qualification opens (an offer of another segment needs it).
SEGMENT_QUALIFICATION = {
    Segment.EDUCATION: "education",
    Segment.GOVERNMENT: "governmentCommunityCloud",
    Segment.NONPROFIT: "nonprofit",
}
WAITING_CODES = {"tenant.needs_invitation"}


class Forbidden(Exception):
    """The signed-in user may not see or act on this (the page answers 403)."""


class UnknownCustomer(LookupError):
    """No such customer, told only to staff, who may see every one (the page answers 404).

    Others get :class:`Forbidden` for an unknown customer too, so a reference cannot be probed.
    """


@dataclass(frozen=True)
class User:
    """Who is signed in: the partner's staff, a lite reseller, or a customer self-serving."""

    key: str
    name: str
    role: str  # "staff" | "reseller" | "customer"
    reseller_id: str | None = None
    customer_reference: str | None = None

    @property
    def sees_margin(self) -> bool:
        """Staff and resellers see cost and margin; a customer never does."""
        return self.role != "customer"

    @property
    def actor(self) -> Actor:
        return {"staff": Actor.PARTNER, "reseller": Actor.RESELLER}.get(self.role, Actor.CUSTOMER)


@dataclass
class ShopCustomer:
    """A customer of the storefront, owned by one reseller."""

    customer: Customer
    reseller: Reseller
    segment: Segment = Segment.COMMERCIAL
    linked: bool = False  # an existing Microsoft tenant, linked by invitation

    @property
    def reference(self) -> str:
        return self.customer.reference


@dataclass
class OrderEntry:
    """An order as the storefront tracks it."""

    order: Order
    placed_by: str
    state: str  # problems | held | waiting | placed | failed | rejected
    result: CheckoutResult | None = None
    reason: str | None = None
    decided_by: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.result.problems if self.result is not None else ()

    @property
    def invitation_url(self) -> str | None:
        for problem in self.problems:
            url = problem.params.get("url")
            if problem.code in WAITING_CODES and url:
                return str(url)
        return None


class ApprovalPolicy:
    """The host's ``csp_approve_order``: a self-serving customer's order waits for the partner's
    staff; an order a person approved goes through."""

    def __init__(self) -> None:
        self.approved: dict[str, str] = {}

    @hookimpl
    def csp_approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision | None:
        who = self.approved.get(order.id)
        if who is not None:
            return ApprovalDecision(approved=True, reason=f"approved by {who}", held_by=None)
        if order.acting is Actor.CUSTOMER:
            return ApprovalDecision(
                approved=False,
                reason="a self-serving customer's order waits for the partner's approval",
                held_by="partner staff",
            )
        return None


class Shop:
    """The storefront's state and actions on one sandboxed Partner Center."""

    def __init__(self, home: Path | None = None, *, seed: int = 2026) -> None:
        self._tmp = None
        if home is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="csp-storefront-")
            home = Path(self._tmp.name)
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        self.lock = threading.RLock()
        self.sandbox = Sandbox(seed=seed)
        self.client = PartnerCenterClient(
            SandboxCredential(),
            http_client=self.sandbox.httpx_client(),
            application_name="csp-storefront",
        )
        self.ledger = Ledger(home / "ledger.sqlite3")
        self.mca_log = McaEvidenceLog(home / "mca.sqlite3")
        self.offers: dict[str, list[Offer]] = {}
        self.price_list = self._price_list()
        self.approval = ApprovalPolicy()
        hooks = HookManager(
            plugins=[
                PriceListPlugin(
                    self.price_list,
                    [
                        Markup(percent=Decimal("12")),
                        Markup(percent=Decimal("15"), reseller_id="4100001"),
                    ],
                ),
                self.approval,
            ]
        )
        self.checkout = Checkout(
            hooks=hooks,
            settings=CheckoutSettings(partner_id=PARTNER_ID),
            mca_log=self.mca_log,
            provisioner=Provisioner(self.client, self.ledger, hooks),
        )
        self.template_id = next(iter(self.client.agreements.templates())).template_id
        self.resellers = {
            "4100001": Reseller(partner_id="4100001", name="Adatum IT"),
            "4100002": Reseller(partner_id="4100002", name="Litware Services"),
        }
        for reseller in self.resellers.values():
            self.sandbox.add_reseller(reseller.partner_id, reseller.name)
        self.customers: dict[str, ShopCustomer] = {}
        self.orders: dict[str, OrderEntry] = {}
        self.existing_tenant = self.sandbox.add_existing_tenant(
            "fourthcoffee.onmicrosoft.com", "Fourth Coffee"
        )

    def close(self) -> None:
        """Close the client and the stores (and remove a temporary home)."""
        self.client.close()
        self.ledger.close()
        self.mca_log.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    # -- catalog and prices -----------------------------------------------------------------

    def catalog(self, country: str) -> list[Offer]:
        """Every offer sold in ``country``, read from Partner Center's catalog once."""
        with self.lock:
            if country not in self.offers:
                self.offers[country] = list(offers_from_catalog(self.client, country))
            return self.offers[country]

    def offer(self, country: str, offer_id: str) -> Offer | None:
        return next((o for o in self.catalog(country) if o.id == offer_id), None)

    def _price_list(self) -> PriceList:
        """The example's price sheet: Microsoft's list price per billing period from the
        sandbox's catalog, bought at :data:`COST_SHARE` of it (a live host loads its own)."""
        entries = []
        for item in self.sandbox.catalog:
            offer = item.to_offer()
            for (cycle, term), months in MONTHS.items():
                if cycle not in offer.billing_cycles or term not in offer.term_durations:
                    continue
                if not item.supports(term.value, cycle.value):
                    continue
                listed = item.monthly_price(term.value, cycle.value) * months
                entries.append(
                    PriceEntry(
                        offer_id=item.catalog_item_id,
                        billing_cycle=cycle,
                        term=term,
                        currency="USD",
                        unit_cost=(listed * COST_SHARE).quantize(Decimal("0.01")),
                        unit_list_price=listed,
                    )
                )
        return PriceList(entries=tuple(entries))

    # -- users and access -------------------------------------------------------------------

    def users(self) -> list[User]:
        """Everyone who may sign in to the example (it has no passwords: a demo)."""
        people = [User("staff", "Partner staff", "staff")]
        people += [
            User(f"reseller:{r.partner_id}", r.name, "reseller", reseller_id=r.partner_id)
            for r in self.resellers.values()
        ]
        people += [
            User(
                f"customer:{c.reference}",
                c.customer.company.company_name,
                "customer",
                reseller_id=c.reseller.partner_id,
                customer_reference=c.reference,
            )
            for c in self.customers.values()
        ]
        return people

    def user(self, key: str | None) -> User | None:
        return next((u for u in self.users() if u.key == key), None)

    def visible_customers(self, user: User) -> list[ShopCustomer]:
        """Staff see every customer, a reseller its own, a customer itself."""
        return [c for c in self.customers.values() if self.may_see(user, c)]

    @staticmethod
    def may_see(user: User, customer: ShopCustomer) -> bool:
        if user.role == "staff":
            return True
        if user.role == "reseller":
            return customer.reseller.partner_id == user.reseller_id
        return customer.reference == user.customer_reference

    def customer_for(self, user: User, reference: str) -> ShopCustomer:
        """The customer ``reference`` if ``user`` may act on it, else :class:`Forbidden`
        (:class:`UnknownCustomer` to staff when there is no such customer)."""
        customer = self.customers.get(reference)
        if customer is None and user.role == "staff":
            raise UnknownCustomer(reference)
        if customer is None or not self.may_see(user, customer):
            raise Forbidden(reference)
        return customer

    # -- customers --------------------------------------------------------------------------

    def add_customer(
        self, customer: Customer, reseller_id: str, segment: Segment, *, linked: bool = False
    ) -> ShopCustomer:
        with self.lock:
            entry = ShopCustomer(customer, self.resellers[reseller_id], segment, linked)
            self.customers[customer.reference] = entry
            return entry

    def new_reference(self, company: str) -> str:
        stem = "".join(ch for ch in company.lower() if ch.isalnum())[:20] or "customer"
        return f"{stem}-{secrets.token_hex(3)}"

    # -- the MCA ----------------------------------------------------------------------------

    def record_mca(
        self, user: User, customer: ShopCustomer, contact: Any, accepted_at: datetime
    ) -> list[Problem]:
        """Record the customer's acceptance (who confirmed it, the contact, when)."""
        by_customer = user.role == "customer"
        acceptance = McaAcceptance(
            customer_reference=customer.reference,
            tenant_id=customer.customer.tenant_id,
            template_id=self.template_id,
            contact=contact,
            accepted_at=accepted_at,
            source=AcceptanceSource.CUSTOMER if by_customer else AcceptanceSource.RESELLER,
            confirmed_by=contact.email if by_customer else user.name,
            reseller_partner_id=None if by_customer else customer.reseller.partner_id,
        )
        return self.checkout.record_mca_acceptance(acceptance)

    def mca_evidence(self, customer: ShopCustomer) -> list[Any]:
        return list(self.mca_log.entries(customer.reference))

    # -- ordering ---------------------------------------------------------------------------

    def qualifications(self, customer: ShopCustomer) -> dict[str, str]:
        """Segment -> Microsoft's vetting status of the qualification it needs (Partner
        Center's answer; a segment missing here has no qualification on record)."""
        tenant = customer.customer.tenant_id
        if tenant is None or not self.tenant_ready(customer):
            return {}
        found = {
            q.qualification.lower(): (q.vetting_status or "approved").lower()
            for q in self.client.qualifications.get(tenant)
        }
        return {
            segment.value: found[name.lower()]
            for segment, name in SEGMENT_QUALIFICATION.items()
            if name.lower() in found
        }

    def tenant_ready(self, customer: ShopCustomer) -> bool:
        """Whether the partner may read the customer's tenant: always for a tenant it created,
        for a linked one once an order went through (the relationship exists then)."""
        if customer.customer.tenant_id is None:
            return False
        if not customer.linked:
            return True
        return any(entry.state == "placed" for entry in self.orders_of(customer))

    def offers_for(self, customer: ShopCustomer) -> list[Offer]:
        """The catalog offers this customer may be shown: commercial ones, and those of its own
        segment (education, government, nonprofit), whose qualification the checkout checks."""
        country = customer.customer.address.country
        return [
            offer
            for offer in self.catalog(country)
            if offer.segment in (Segment.COMMERCIAL, customer.segment)
        ]

    def subscriptions(self, user: User, customer: ShopCustomer) -> list[Any]:
        tenant = customer.customer.tenant_id
        if tenant is None or not self.tenant_ready(customer):
            return []
        return self.manager(user).list(tenant)

    def manager(self, user: User) -> SubscriptionManager:
        """A subscription manager acting for ``user`` (a reseller's changes only its own)."""
        reseller = user.reseller_id if user.role == "reseller" else None
        return SubscriptionManager(self.client, self.ledger, actor=user.name, reseller=reseller)

    def order_for(
        self, user: User, customer: ShopCustomer, offer: Offer, quantity: int, cycle: Any, term: Any
    ) -> Order:
        line = OrderLine(
            id="1", offer=offer, quantity=quantity, billing_cycle=cycle, term_duration=term
        )
        return Order(
            id=f"web-{secrets.token_hex(6)}",
            customer=customer.customer,
            lines=(line,),
            reseller=customer.reseller,
            acting=user.actor,
        )

    def price(self, order: Order) -> Any:
        """The line's price (and margin) from the price list, or None."""
        return self.checkout.hooks.price_line(order.lines[0], order)

    def submit(self, user: User, order: Order) -> OrderEntry:
        """Judge and place the order (a self-serving customer's waits for approval)."""
        entry = OrderEntry(order=order, placed_by=user.name, state="problems")
        with self.lock:
            self.orders[order.id] = entry
            self._place(entry)
        return entry

    def _place(self, entry: OrderEntry) -> None:
        order = entry.order
        facts = gather_facts(self.client, order, cache=self.checkout.facts_cache)
        result = self.checkout.place(order, facts)
        entry.result = result
        if result.problems:
            codes = {problem.code for problem in result.problems}
            entry.state = "waiting" if codes <= WAITING_CODES else "problems"
        elif result.approval is not None and not result.approval.approved:
            entry.state = "held"
        elif result.outcome is not None:
            entry.state = "placed" if result.outcome.placed else "failed"
            self._remember_tenant(entry)

    def _remember_tenant(self, entry: OrderEntry) -> None:
        outcome = entry.result.outcome if entry.result is not None else None
        shop_customer = self.customers.get(entry.order.customer.reference)
        if outcome is None or shop_customer is None or not outcome.customer_tenant_id:
            return
        if shop_customer.customer.tenant_id != outcome.customer_tenant_id:
            shop_customer.customer = shop_customer.customer.model_copy(
                update={"tenant_id": outcome.customer_tenant_id}
            )

    def retry(self, entry: OrderEntry) -> None:
        """Place an order that waited for the tenant's relationship again."""
        with self.lock:
            if entry.state == "waiting":
                self._place(entry)

    def approval_queue(self) -> list[OrderEntry]:
        return [entry for entry in self.orders.values() if entry.state == "held"]

    def approve(self, user: User, entry: OrderEntry) -> None:
        """Release a held order: it is judged again and placed.

        ``Checkout.approve(order_id)`` releases a held order where the library has it; until
        then the storefront's own approval plugin (``csp_approve_order``) approves the order id
        and the order is placed again.
        """
        with self.lock:
            if entry.state != "held":
                return
            entry.decided_by = user.name
            # Our csp_approve_order lets this order through from now on, whichever way it is
            # judged again (by the library's approve, or by placing it once more).
            self.approval.approved[entry.order.id] = user.name
            approve = getattr(self.checkout, "approve", None)
            if approve is not None:
                entry.result = approve(entry.order.id)
                outcome = entry.result.outcome if entry.result is not None else None
                entry.state = "placed" if outcome is not None and outcome.placed else "failed"
                self._remember_tenant(entry)
                return
            self._place(entry)

    def reject(self, user: User, entry: OrderEntry, reason: str) -> None:
        """Refuse a held order, with the reason the customer sees; nothing is placed."""
        with self.lock:
            if entry.state != "held":
                return
            reject = getattr(self.checkout, "reject", None)
            if reject is not None:
                reject(entry.order.id, reason)
            entry.state = "rejected"
            entry.reason = reason
            entry.decided_by = user.name

    def orders_of(self, customer: ShopCustomer) -> list[OrderEntry]:
        return [
            entry
            for entry in self.orders.values()
            if entry.order.customer.reference == customer.reference
        ]

    # -- subscriptions ----------------------------------------------------------------------

    def change_subscription(
        self, user: User, customer: ShopCustomer, subscription_id: str, action: str, seats: int
    ) -> list[Problem]:
        """Change seats, suspend, reactivate or cancel through the step engine."""
        tenant = customer.customer.tenant_id
        if tenant is None:
            raise Forbidden(subscription_id)
        manager = self.manager(user)
        try:
            if action == "seats":
                change = manager.set_quantity(tenant, subscription_id, seats)
            elif action == "suspend":
                change = manager.suspend(tenant, subscription_id)
            elif action == "reactivate":
                change = manager.reactivate(tenant, subscription_id)
            elif action == "cancel":
                change = manager.cancel(tenant, subscription_id)
            else:
                raise Forbidden(action)
        except PartnerCenterError as error:
            return [
                Problem(
                    code="storefront.partner_center_error",
                    field="subscription",
                    message=f"Partner Center refused the change: {error}",
                )
            ]
        return list(change.problems)
