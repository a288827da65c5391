"""Properties of the order model and the checkout, over generated input."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from csp_commerce import (
    Actor,
    Address,
    BillingCycle,
    Checkout,
    CheckoutFacts,
    CheckoutResult,
    CheckoutSettings,
    Cloud,
    CompanyProfile,
    Contact,
    Customer,
    DuplicatePolicy,
    DynamicsPolicy,
    HookManager,
    McaFacts,
    Offer,
    OfferFamily,
    Order,
    OrderLine,
    Qualification,
    QualificationFact,
    Relationship,
    Reseller,
    ResellerFacts,
    Segment,
    SubscriptionFact,
    TenantFacts,
    TermDuration,
)
from csp_commerce.models import VettingStatus

HOOKS = HookManager(entry_points=False)


def made(model: type[Any]) -> Any:
    """A builder taking field names (hypothesis would otherwise also fill the camelCase aliases)."""
    return lambda **fields: model.model_validate(fields)


PRODUCTS = st.sampled_from(["P1", "P2", "P3"])
SUBSCRIPTION_IDS = st.sampled_from(["s1", "s2", "s3", "s4"])
PARTNER_IDS = st.sampled_from(["1234567", "7654321", "fabrikam"])
CYCLES = st.sampled_from(BillingCycle)
TERMS = st.sampled_from(TermDuration)

# -- arbitrary input for Order.model_validate ----------------------------------------------

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
FIELD_NAMES = st.sampled_from(
    [
        "id",
        "customer",
        "lines",
        "reseller",
        "acting",
        "offer",
        "quantity",
        "billingCycle",
        "billing_cycle",
        "termDuration",
        "subscription_id",
        "reference",
        "company",
        "address",
        "country",
        "postalCode",
        "companyName",
        "productId",
        "name",
        "family",
        "partnerId",
        "minQuantity",
        "maxQuantity",
        "billingCycles",
    ]
)
NEAR_ORDERS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELD_NAMES, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, NEAR_ORDERS, st.dictionaries(FIELD_NAMES, NEAR_ORDERS, max_size=5)))
def test_order_model_validate_raises_only_validation_error(data: Any) -> None:
    try:
        order = Order.model_validate(data)
    except ValidationError:
        return  # the only exception allowed
    assert isinstance(order, Order) and order.lines


# -- valid orders and facts -----------------------------------------------------------------

OFFERS = st.builds(
    made(Offer),
    id=st.sampled_from(["O1", "O2", "O3", "O4"]),
    product_id=PRODUCTS,
    name=st.sampled_from(["Business Basic", "E3", "Dynamics Sales", "Audio Conferencing"]),
    family=st.sampled_from(OfferFamily),
    segment=st.sampled_from(Segment),
    billing_cycles=st.frozensets(CYCLES, min_size=1),
    term_durations=st.frozensets(TERMS),
    min_quantity=st.integers(0, 5),
    max_quantity=st.integers(5, 400),
    max_seats_per_customer=st.none() | st.integers(1, 500),
    parent_product_ids=st.frozensets(PRODUCTS, max_size=2),
)
LINES = st.builds(
    made(OrderLine),
    offer=OFFERS,
    quantity=st.integers(1, 600),
    billing_cycle=CYCLES,
    term_duration=st.none() | TERMS,
    parent_subscription_id=st.none() | SUBSCRIPTION_IDS,
    instance_name=st.none() | st.sampled_from(["prod", "Prod", "test"]),
    subscription_id=st.none() | SUBSCRIPTION_IDS,
)
ADDRESSES = st.builds(
    made(Address),
    country=st.sampled_from(["US", "DE", "GB", "CN", "XX", "us", ""]),
    state=st.none() | st.sampled_from(["WA", "CA", "ZZ", ""]),
    city=st.none() | st.sampled_from(["Redmond", "Berlin", ""]),
    postal_code=st.none() | st.sampled_from(["98052", "10115", "SW1A 1AA", "!!", ""]),
    address_line1=st.none() | st.just("1 Microsoft Way"),
)
CONTACTS = st.builds(
    made(Contact),
    first_name=st.just("Ada"),
    last_name=st.just("Lovelace"),
    email=st.just("ada@contoso.com"),
    phone_number=st.none() | st.just("+1 425 555 0100"),
)
CUSTOMERS = st.builds(
    made(Customer),
    reference=st.sampled_from(["cust-1", "cust-2"]),
    company=st.builds(
        made(CompanyProfile),
        company_name=st.just("Contoso"),
        domain=st.none()
        | st.sampled_from(["contoso", "contoso.onmicrosoft.com", "bad domain", ""]),
    ),
    address=ADDRESSES,
    contact=st.none() | CONTACTS,
    tenant_id=st.none() | st.just("t-1"),
)
RESELLERS = st.builds(made(Reseller), partner_id=PARTNER_IDS, name=st.just("Fabrikam"))


@st.composite
def orders(draw: st.DrawFn) -> Order:
    reseller = draw(st.none() | RESELLERS)
    actors = [Actor.CUSTOMER, Actor.PARTNER] + ([Actor.RESELLER] if reseller else [])
    return Order(
        customer=draw(CUSTOMERS),
        lines=tuple(draw(st.lists(LINES, min_size=1, max_size=6))),
        reseller=reseller,
        acting=draw(st.sampled_from(actors)),
    )


SUBSCRIPTIONS = st.builds(
    made(SubscriptionFact),
    id=SUBSCRIPTION_IDS,
    offer_id=st.sampled_from(["O1", "O2", "O3", "O4"]),
    product_id=PRODUCTS,
    billing_cycle=CYCLES,
    quantity=st.integers(0, 400),
    status=st.sampled_from(["active", "pending", "suspended", "deleted", "expired", "Active"]),
    partner_id_on_record=st.none() | PARTNER_IDS,
    instance_name=st.none() | st.sampled_from(["prod", "test"]),
)
FACTS = st.builds(
    made(CheckoutFacts),
    subscriptions=st.lists(SUBSCRIPTIONS, max_size=6).map(tuple),
    qualifications=st.lists(
        st.builds(
            made(QualificationFact),
            qualification=st.sampled_from(Qualification),
            vetting_status=st.sampled_from(VettingStatus),
            vetting_reason=st.none() | st.just("reason"),
        ),
        max_size=3,
    ).map(tuple),
    mca=st.builds(made(McaFacts), accepted=st.booleans()),
    tenant=st.builds(
        made(TenantFacts),
        exists=st.booleans(),
        tenant_id=st.none() | st.just("t-1"),
        domain=st.none() | st.just("contoso"),
        domain_available=st.none() | st.booleans(),
        relationship=st.sampled_from(Relationship),
        relationship_request_url=st.none() | st.just("https://example.invalid/invite"),
    ),
    resellers=st.dictionaries(
        PARTNER_IDS,
        st.builds(
            made(ResellerFacts),
            partner_id=PARTNER_IDS,
            mpn_valid=st.booleans(),
            mpa_signed=st.booleans(),
            related=st.booleans(),
        ),
        max_size=2,
    ),
)
SETTINGS = st.builds(
    made(CheckoutSettings),
    cloud=st.sampled_from(Cloud),
    business_duplicates=st.sampled_from(DuplicatePolicy),
    dynamics_policy=st.sampled_from(DynamicsPolicy),
    dynamics_policy_by_offer=st.dictionaries(
        st.sampled_from(["O1", "P2"]), st.sampled_from(DynamicsPolicy), max_size=2
    ),
    billing_cycles=st.frozensets(CYCLES),
    require_mca=st.booleans(),
    partner_id=st.none() | st.just("partner-tenant"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orders(), FACTS, SETTINGS)
def test_validate_raises_nothing_on_a_valid_order(
    order: Order, facts: CheckoutFacts, checkout_settings: CheckoutSettings
) -> None:
    result = Checkout(HOOKS, checkout_settings).validate(order, facts)
    assert isinstance(result, CheckoutResult)
    if result.problems:
        assert result.plan is None
    else:
        assert result.plan is not None and len(result.plan.lines) == len(order.lines)
        assert result.approval is not None
