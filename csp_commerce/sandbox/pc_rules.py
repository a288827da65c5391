"""What Partner Center enforces, as pure functions over the sandbox state.

Each check returns a :class:`Violation` (HTTP status, Partner Center code, description) or None.
Where Partner Center's behaviour or code is undocumented, the comment says so and the stricter
choice is made.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from csp_commerce.models.clouds import Cloud
from csp_commerce.models.offer import OfferFamily
from csp_commerce.sandbox.seed_catalog import SEGMENT_QUALIFICATION, CatalogItem
from csp_commerce.validation import billing_plan
from csp_commerce.validation.tenancy import DOMAIN_PREFIX_MAX_LENGTH, domain_is_valid

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON, CustomerState, World

MCA_TYPE = "MicrosoftCustomerAgreement"
LIVE_STATUSES = frozenset({"active", "pending", "suspended"})


@dataclass(frozen=True)
class Violation:
    """A rule Partner Center enforces, broken: answered as ``status`` with error ``code``."""

    status: int
    code: int
    description: str
    data: tuple[Any, ...] = ()


# -- relationship, agreements, qualifications ---------------------------------------------------


def relationship(customer: CustomerState) -> Violation | None:
    """Purchases need a reseller relationship between the partner and the tenant."""
    if customer.related:
        return None
    return Violation(403, 20002, "There is no commerce relationship between partner and customer.")


def mca_accepted(customer: CustomerState) -> Violation | None:
    """Purchases need the customer's Microsoft Customer Agreement on record (403 / 13605)."""
    if any(item.get("type") == MCA_TYPE for item in customer.agreements):
        return None
    return Violation(
        403,
        13605,
        "The partner confirmation of the customer's acceptance of the Microsoft Customer "
        "Agreement is required, or the customer must accept it in the Microsoft Admin Center.",
    )


def same_contact(first: JSON, second: JSON) -> bool:
    """Whether two agreement contacts are the same person (names, email and phone)."""
    keys = ("firstName", "lastName", "email", "phoneNumber")
    return all(
        str(first.get(key) or "").strip().lower() == str(second.get(key) or "").strip().lower()
        for key in keys
    )


def qualification(customer: CustomerState, item: CatalogItem) -> Violation | None:
    """Segment offers need the customer's matching qualification, approved.

    Partner Center's code for this is unconfirmed; 800086 ("customer tenant does not have the
    required tags for the offer") is the closest documented one.
    """
    needed = SEGMENT_QUALIFICATION.get(item.segment)
    if needed is None:
        return None
    for held in customer.qualifications:
        if held.get("qualification") == needed and held.get("vettingStatus") == "Approved":
            return None
    return Violation(
        400,
        800086,
        f"Customer tenant does not have the required tags for the offer {item.catalog_item_id}: "
        f"an approved {needed} qualification is needed.",
    )


# -- offer limits --------------------------------------------------------------------------------


@dataclass
class Holdings:
    """The customer's live subscriptions, counted the way the offer limits need them."""

    per_plan_cycle: Counter[tuple[str, str]] = field(default_factory=Counter)
    seats_per_plan: Counter[str] = field(default_factory=Counter)

    def add(self, product_id: str, billing_cycle: str, quantity: int) -> None:
        """Count one more subscription (or its seats)."""
        self.per_plan_cycle[(product_id, billing_cycle)] += 1
        self.seats_per_plan[product_id] += quantity


def holdings(customer: CustomerState, *, excluding: str | None = None) -> Holdings:
    """Count the customer's live subscriptions (optionally leaving one out)."""
    result = Holdings()
    for subscription in customer.subscriptions.values():
        if subscription["id"] == excluding or subscription["status"] not in LIVE_STATUSES:
            continue
        result.add(product_of(subscription), subscription["billingCycle"], subscription["quantity"])
    return result


def product_of(subscription: JSON) -> str:
    """The product id of a subscription (the first part of its catalog item ``offerId``)."""
    return str(subscription["offerId"]).split(":", 1)[0]


def is_live(subscription: JSON) -> bool:
    """Whether a subscription still counts (active, pending or suspended)."""
    return subscription["status"] in LIVE_STATUSES


def seat_cap(item: CatalogItem, held: Holdings, quantity: int) -> Violation | None:
    """The per-customer seat cap of a plan (300 for Business plans) across its subscriptions."""
    cap = item.max_seats_per_customer
    if cap is None:
        return None
    remaining = cap - held.seats_per_plan[item.product_id]
    if quantity <= remaining:
        return None
    return Violation(
        400,
        800088,
        f"The requested {quantity} seats exceed the remaining limit of {max(remaining, 0)} "
        f"seats per subscription for CatalogID {item.catalog_item_id}.",
    )


def business_limit(item: CatalogItem, held: Holdings, billing_cycle: str) -> Violation | None:
    """Business plans: at most one live subscription per plan and billing cycle.

    The rule (one monthly + one annual per Business plan) is not in Partner Center's docs; the
    sandbox enforces it, with 800066 (maximum subscriptions per customer reached).
    """
    if item.family is not OfferFamily.BUSINESS:
        return None
    if held.per_plan_cycle[(item.product_id, billing_cycle)] == 0:
        return None
    return Violation(
        400,
        800066,
        f"The customer already has the maximum number of {billing_cycle} subscriptions "
        f"allowed for CatalogID {item.catalog_item_id}.",
    )


def purchase_line(
    customer: CustomerState,
    held: Holdings,
    item: CatalogItem,
    *,
    quantity: int,
    billing_cycle: str,
    term_duration: str,
    parent: JSON | None,
) -> Violation | None:
    """Every rule one purchased line must pass, in Partner Center's order (first failure)."""
    country = customer.customer["billingProfile"]["defaultAddress"].get("country", "")
    if item.countries is not None and country not in item.countries:
        return Violation(
            400, 800070, f"Offer {item.catalog_item_id} is not available in country {country}."
        )
    if not item.supports(term_duration, billing_cycle):
        return Violation(
            400,
            10013,
            f"Term {term_duration} with billing cycle {billing_cycle} is not supported by "
            f"{item.catalog_item_id}.",
        )
    if quantity < item.min_quantity:
        return Violation(
            400, 2002, f"Quantity {quantity} is below the minimum of {item.min_quantity}."
        )
    if quantity > item.max_quantity:
        return Violation(
            400,
            800067,
            f"Quantity {quantity} exceeds the maximum of {item.max_quantity} seats per "
            "subscription.",
        )
    violation = three_year_minimum(item, quantity, term_duration)
    if violation is None:
        violation = qualification(customer, item)
    if violation is None and item.is_addon:
        violation = addon_parent(item, parent)
    if violation is None:
        violation = business_limit(item, held, billing_cycle)
    if violation is None:
        violation = seat_cap(item, held, quantity)
    return violation


def three_year_minimum(item: CatalogItem, quantity: int, term_duration: str) -> Violation | None:
    """Three-year SKUs that set a minimum (100 seats for M365 E3/E5 without Teams) refuse
    fewer seats on a three-year term. Partner Center's code is undocumented: 2002 (quantity
    out of range)."""
    minimum = item.three_year_min_quantity
    if term_duration != billing_plan.THREE_YEARS or minimum is None or quantity >= minimum:
        return None
    return Violation(
        400, 2002, f"A three-year term of {item.catalog_item_id} needs at least {minimum} seats."
    )


def plan_change(
    item: CatalogItem, subscription: JSON, term_duration: str, billing_cycle: str
) -> Violation | None:
    """A mid-term change of term or billing frequency: only to a longer term, never the
    frequency of a triennial term (from 1 April 2025), only to a plan the offer sells.

    Partner Center's codes for these refusals are undocumented: the sandbox answers 400 / 2054
    (the billing cycle or term cannot change) and 10013 (plan not sold), the stricter reading.
    """
    problems = billing_plan.check_plan_change(
        str(subscription["id"]),
        (subscription["termDuration"], subscription["billingCycle"]),
        (term_duration, billing_cycle),
        item.terms,
    )
    if not problems:
        return None
    code = 10013 if problems[0].code == "billing_plan.not_offered" else 2054
    return Violation(400, code, problems[0].message)


def seat_reduction(item: CatalogItem, subscription: JSON, quantity: int) -> Violation | None:
    """Software subscriptions never reduce seats (800090: the quantity cannot decrease)."""
    problems = billing_plan.check_seat_reduction(
        item.kind, str(subscription["id"]), int(subscription["quantity"]), quantity
    )
    if not problems:
        return None
    return Violation(400, 800090, "The quantity of a software subscription cannot decrease.")


def addon_parent(item: CatalogItem, parent: JSON | None) -> Violation | None:
    """An add-on needs a live parent subscription of one of its parent products."""
    if parent is not None and is_live(parent) and product_of(parent) in item.parent_product_ids:
        return None
    return Violation(
        400,
        800029,
        f"The add-on {item.catalog_item_id} is not related to the parent subscription.",
    )


# -- indirect resellers --------------------------------------------------------------------------


def reseller_on_record(world: World, mpn_id: str) -> Violation | None:
    """An indirect reseller on record must be known to the provider and have signed the MPA."""
    reseller = world.reseller_by_mpn(mpn_id)
    if reseller is None:
        return Violation(404, 800015, f"MPN Id {mpn_id} is not found.")
    if not reseller.get("mpaSigned", False):
        return Violation(
            403,
            900123,
            f"The indirect reseller {mpn_id} has not accepted the Microsoft Partner Agreement.",
        )
    return None


# -- customer creation ---------------------------------------------------------------------------


def domain(domain_name: str, world: World) -> Violation | None:
    """The initial domain must be well formed and not taken (case-insensitively).

    The format is the checkout's own rule (:func:`csp_commerce.validation.tenancy.domain_is_valid`,
    global cloud): ASCII letters and digits, at most 27, then ``.onmicrosoft.com``. It is judged
    before lower-casing, so no non-ASCII letter passes as its ASCII lower case. Partner Center's
    code for a taken domain is undocumented: the sandbox answers 409 / 2000
    (``HEAD /v1/domains/{domain}`` is the documented way to check first).
    """
    if not domain_is_valid(domain_name, Cloud.GLOBAL):
        return Violation(
            400,
            2000,
            "companyProfile.domain must be '<letters and digits>.onmicrosoft.com' "
            f"(at most {DOMAIN_PREFIX_MAX_LENGTH} characters before the suffix).",
        )
    if domain_name.lower() in world.domains:
        return Violation(409, 2000, f"The domain {domain_name} is already in use.")
    return None


def registration_and_phone(
    country: str,
    *,
    registration_required: bool,
    phone_required: bool,
    registration_number: str | None,
    phone: str | None,
) -> Violation | None:
    """Registration number and phone: required where the country's rules say so (11 countries),
    and a registration number is refused elsewhere (600049 / 600051 / 600002)."""
    listed = registration_required
    if listed and not registration_number:
        return Violation(
            400, 600049, f"An organization registration number is required for {country}."
        )
    if not listed and registration_number:
        return Violation(
            400,
            600002,
            f"An organization registration number is not supported for {country}.",
        )
    if phone_required and not phone:
        return Violation(400, 600051, f"A phone number is required for {country}.")
    return None
