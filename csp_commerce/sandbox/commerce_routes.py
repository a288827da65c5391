"""Handlers: catalog, legacy orders, carts and checkout, subscriptions and add-ons.

Provisioning is synchronous in the sandbox: an order is ``completed`` and its subscriptions are
``active`` when the response is sent (Partner Center may take minutes; that delay is not
emulated).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox import pc_rules, promotion_routes, term_end, webhook_routes
from csp_commerce.sandbox._http import (
    Context,
    Reply,
    Request,
    bad_request,
    collection,
    not_found,
    parse_timestamp,
    refusal,
    timestamp,
)
from csp_commerce.sandbox.customer_routes import customer_of
from csp_commerce.sandbox.seed_catalog import SEGMENT_WIRE, CatalogItem
from csp_commerce.validation.billing_plan import PRODUCT_TYPES, REFUND_WINDOWS

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON, CustomerState

CANCELLATION_WINDOW = timedelta(days=7)
CART_LIFETIME = timedelta(days=7)
BILLING_CYCLES = frozenset({"monthly", "annual", "triennial"})
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
CYCLE_MONTHS = {"monthly": 1, "annual": 12, "triennial": 36}
TERM_TEXT = {"P1M": "One-Month", "P1Y": "One-Year", "P3Y": "Three-Year"}
PARTICIPANT_KEYS = frozenset(
    {"transaction_reseller", "additional_transaction_reseller", "consumption_reseller"}
)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus whole calendar months (the day clamped to the month's length)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# -- catalog -------------------------------------------------------------------------------------


def _country(req: Request) -> str:
    country = req.query.get("country")
    if not country or len(country) != 2:
        raise bad_request("country is required (ISO 3166 alpha-2).")
    return country.upper()


def _visible(ctx: Context, req: Request) -> list[CatalogItem]:
    country = _country(req)
    segment = (req.query.get("targetSegment") or "").lower()
    return [
        item
        for item in ctx.catalog
        if (item.countries is None or country in item.countries)
        and (not segment or SEGMENT_WIRE[item.segment].lower() == segment)
    ]


def _product_wire(item: CatalogItem) -> JSON:
    return {
        "id": item.product_id,
        "title": item.title,
        "description": item.description,
        "productType": {"id": PRODUCT_TYPES[item.kind], "displayName": PRODUCT_TYPES[item.kind]},
        "links": {
            "skus": {"uri": f"/v1/products/{item.product_id}/skus", "method": "GET", "headers": []}
        },
        "attributes": {"objectType": "Product"},
    }


def _sku_wire(item: CatalogItem) -> JSON:
    return {
        "id": item.sku_id,
        "productId": item.product_id,
        "title": item.title,
        "description": item.description,
        "minimumQuantity": item.min_quantity,
        "maximumQuantity": item.max_quantity,
        "isTrial": False,
        "supportedBillingCycles": sorted({cycle for _, cycle in item.terms}),
        "purchasePrerequisites": [],
        "provisioningVariables": [],
        "consumptionType": "None",
        "attestationProperties": {"enforceAttestation": False},
        "dynamicAttributes": {
            "isAddon": item.is_addon,
            "prerequisiteProducts": sorted(item.parent_product_ids),
            "maxSeatsPerCustomer": item.max_seats_per_customer,
        },
        "attributes": {"objectType": "Sku"},
    }


def _availability_wire(item: CatalogItem, country: str) -> JSON:
    terms = [
        {
            "duration": duration,
            "description": f"{TERM_TEXT[duration]} commitment for {cycle} billing",
            "billingCycle": cycle,
            "cancellationPolicies": [
                {"refundOptions": [{"sequenceId": 1, "type": "Full", "expiresAfter": "P7D"}]}
            ],
        }
        for duration, cycle in item.terms
    ]
    return {
        "id": item.availability_id,
        "productId": item.product_id,
        "skuId": item.sku_id,
        "catalogItemId": item.catalog_item_id,
        "defaultCurrency": {"code": "USD", "symbol": "$"},
        "segment": SEGMENT_WIRE[item.segment],
        "country": country,
        "isPurchasable": True,
        "isRenewable": True,
        "terms": terms,
        "attributes": {"objectType": "Availability"},
    }


def list_products(ctx: Context, req: Request) -> Reply:
    """``GET /v1/products?country=CC&targetView=OnlineServices``."""
    view = req.query.get("targetView")
    if not view:
        raise bad_request("targetView is required.")
    items = _visible(ctx, req)
    if view.lower() != "onlineservices":
        items = []  # the sandbox sells licence-based online services only
    seen: dict[str, JSON] = {}
    for item in items:
        seen.setdefault(item.product_id, _product_wire(item))
    return Reply(200, collection(list(seen.values())))


def get_product(ctx: Context, req: Request) -> Reply:
    """``GET /v1/products/{p}?country=``."""
    items = [i for i in _visible(ctx, req) if i.product_id == req.params[0]]
    if not items:
        raise not_found(f"Product {req.params[0]}")
    return Reply(200, _product_wire(items[0]))


def list_skus(ctx: Context, req: Request) -> Reply:
    """``GET /v1/products/{p}/skus?country=``."""
    items = [_sku_wire(i) for i in _visible(ctx, req) if i.product_id == req.params[0]]
    return Reply(200, collection(items))


def list_availabilities(ctx: Context, req: Request) -> Reply:
    """``GET /v1/products/{p}/skus/{s}/availabilities?country=``."""
    product, sku = req.params
    country = _country(req)
    items = [
        _availability_wire(i, country)
        for i in _visible(ctx, req)
        if i.product_id == product and i.sku_id == sku
    ]
    return Reply(200, collection(items))


def get_sku(ctx: Context, req: Request) -> Reply:
    """``GET /v1/products/{p}/skus/{s}?country=``."""
    product, sku = req.params
    for item in _visible(ctx, req):
        if item.product_id == product and item.sku_id == sku:
            return Reply(200, _sku_wire(item))
    raise not_found(f"Sku {product}/{sku}")


def get_availability(ctx: Context, req: Request) -> Reply:
    """``GET /v1/products/{p}/skus/{s}/availabilities/{a}?country=``."""
    product, sku, availability = req.params
    country = _country(req)
    for item in _visible(ctx, req):
        if (item.product_id, item.sku_id, item.availability_id) == (product, sku, availability):
            return Reply(200, _availability_wire(item, country))
    raise not_found(f"Availability {product}/{sku}/{availability}")


# -- placing orders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line to buy, parsed from a cart line or a legacy order line."""

    number: int
    item: CatalogItem
    quantity: int
    billing_cycle: str
    term_duration: str
    reseller_mpn: str | None = None
    parent_id: str | None = None
    friendly_name: str | None = None
    promotion_id: str | None = None
    custom_term_end_date: str | None = None  # YYYY-MM-DD


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{what} must be an integer.")
    return value


def _item(ctx: Context, catalog_item_id: object, code: int) -> CatalogItem:
    item = ctx.catalog.get(str(catalog_item_id)) if isinstance(catalog_item_id, str) else None
    if item is None:
        raise EmulatedError(400, code, f"The catalog item id {catalog_item_id} is not valid.")
    return item


def _parent_id(raw: JSON) -> str | None:
    context = raw.get("provisioningContext") or {}
    if not isinstance(context, dict):
        raise bad_request("provisioningContext must be an object.")
    parent = context.get("ParentSubscriptionId") or context.get("parentSubscriptionId")
    parent = parent or raw.get("parentSubscriptionId")
    return str(parent) if parent else None


def check_lines(
    ctx: Context, customer: CustomerState, lines: list[Line], held: pc_rules.Holdings
) -> pc_rules.Violation | None:
    """Judge lines in order against the customer's holdings (which this updates as it goes)."""
    for line in lines:
        if line.reseller_mpn is not None:
            violation = pc_rules.reseller_on_record(ctx.world, line.reseller_mpn)
            if violation is not None:
                return violation
        parent = customer.subscriptions.get(line.parent_id) if line.parent_id else None
        violation = pc_rules.purchase_line(
            customer,
            held,
            line.item,
            quantity=line.quantity,
            billing_cycle=line.billing_cycle,
            term_duration=line.term_duration,
            parent=parent,
        )
        if violation is not None:
            return violation
        held.add(line.item.product_id, line.billing_cycle, line.quantity)
    return None


def _copy(held: pc_rules.Holdings) -> pc_rules.Holdings:
    return replace(
        held, per_plan_cycle=held.per_plan_cycle.copy(), seats_per_plan=held.seats_per_plan.copy()
    )


def _subscription(
    ctx: Context, customer: CustomerState, line: Line, order_id: str, now: datetime
) -> JSON:
    world = ctx.world
    item = line.item
    end = add_months(now, TERM_MONTHS[line.term_duration])
    if line.custom_term_end_date is not None:  # co-terminated: the end date the cart chose
        end = datetime.fromisoformat(line.custom_term_end_date).replace(tzinfo=now.tzinfo)
    cancel_until = now + REFUND_WINDOWS.get(item.kind, CANCELLATION_WINDOW)
    product_type = PRODUCT_TYPES[item.kind]
    subscription_id = world.next_id()
    subscription: JSON = {
        "id": subscription_id,
        "entitlementId": world.next_id(),
        "offerId": item.catalog_item_id,
        "offerName": item.title,
        "friendlyName": line.friendly_name or item.title,
        "productType": {"id": product_type, "displayName": product_type},
        "quantity": line.quantity,
        "unitType": "Licenses",
        "parentSubscriptionId": line.parent_id,
        "creationDate": timestamp(now),
        "effectiveStartDate": timestamp(now),
        "commitmentEndDate": timestamp(end),
        "cancellationAllowedUntilDate": timestamp(cancel_until),
        "billingCycleEndDate": timestamp(add_months(now, CYCLE_MONTHS[line.billing_cycle])),
        "status": "active",
        "autoRenewEnabled": True,
        "billingType": "license",
        "billingCycle": line.billing_cycle,
        "termDuration": line.term_duration,
        "renewalTermDuration": line.term_duration,
        "isTrial": False,
        "isMicrosoftProduct": True,
        "publisherName": "Microsoft Corporation",
        "hasPurchasableAddons": ctx.catalog.has_addons(item.product_id),
        "partnerId": line.reseller_mpn or "",
        "contractType": "subscription",
        "orderId": order_id,
        # Nothing scheduled for the term end yet; not migrated from a legacy subscription.
        "migratedFromSubscriptionId": None,
        "scheduledNextTermInstructions": None,
        "scheduledActions": None,
        "refundableQuantity": {
            "totalQuantity": line.quantity,
            "details": [
                {"quantity": line.quantity, "allowedUntilDateTime": timestamp(cancel_until)}
            ],
        },
        "actions": ["edit", "cancel"],
        # The reference lists neither field's values; Partner Center's SDK carries a flag and
        # the action taken on it. A subscription the sandbox provisions needs no attention.
        "attentionNeeded": False,
        "actionTaken": None,
        "links": {
            "self": {
                "uri": f"/v1/customers/{customer.id}/subscriptions/{subscription_id}",
                "method": "GET",
                "headers": [],
            }
        },
        "attributes": {"etag": world.next_etag(), "objectType": "Subscription"},
    }
    if line.promotion_id is not None:
        subscription["promotionId"] = line.promotion_id
    return subscription


def place_order(
    ctx: Context, customer: CustomerState, lines: list[Line], billing_cycle: str, attested: bool
) -> JSON:
    """Create the order and its (already provisioned) subscriptions; returns the order."""
    world = ctx.world
    now = ctx.now()
    order_id = world.next_id()
    total = Decimal(0)
    line_items: list[JSON] = []
    for line in lines:
        subscription = _subscription(ctx, customer, line, order_id, now)
        customer.subscriptions[subscription["id"]] = subscription
        if line.reseller_mpn is not None:
            tenant = world.resellers_by_mpn[line.reseller_mpn]
            if tenant not in customer.resellers:
                customer.resellers.append(tenant)
        price = line.item.monthly_price(line.term_duration, line.billing_cycle)
        price -= price * promotion_routes.discount_of(line.promotion_id)
        total += price * line.quantity * CYCLE_MONTHS[line.billing_cycle]
        base = f"/v1/customers/{customer.id}"
        line_items.append(
            {
                "lineItemNumber": line.number,
                "offerId": line.item.catalog_item_id,
                "subscriptionId": subscription["id"],
                "parentSubscriptionId": line.parent_id,
                "friendlyName": subscription["friendlyName"],
                "quantity": line.quantity,
                "termDuration": line.term_duration,
                "transactionType": "New",
                "partnerIdOnRecord": line.reseller_mpn,
                "promotionId": line.promotion_id,
                "customTermEndDate": line.custom_term_end_date,
                "links": {
                    "subscription": {
                        "uri": f"{base}/subscriptions/{subscription['id']}",
                        "method": "GET",
                        "headers": [],
                    }
                },
            }
        )
    order = {
        "id": order_id,
        "alternateId": order_id.replace("-", "")[:12],
        "referenceCustomerId": customer.id,
        "billingCycle": billing_cycle,
        "currencyCode": "USD",
        "currencySymbol": "$",
        "lineItems": line_items,
        "creationDate": timestamp(now),
        "status": "completed",
        "transactionType": "UserPurchase",
        "totalPrice": float(total.quantize(Decimal("0.01"))),
        "partnerOnRecordAttestationAccepted": attested,
        "links": {
            "self": {
                "uri": f"/v1/customers/{customer.id}/orders/{order_id}",
                "method": "GET",
                "headers": [],
            },
            "provisioningStatus": {
                "uri": f"/v1/customers/{customer.id}/orders/{order_id}/provisioningstatus",
                "method": "GET",
                "headers": [],
            },
        },
        "attributes": {"objectType": "Order"},
    }
    customer.orders[order_id] = order
    return order


def _purchase_gate(customer: CustomerState) -> None:
    """What every purchase needs first: a relationship (checked on lookup) and the MCA."""
    violation = pc_rules.mca_accepted(customer)
    if violation is not None:
        raise refusal(violation)


def create_order(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/orders`` (legacy orders; ``offerId`` = a catalog item id)."""
    customer = customer_of(ctx, req.params[0])
    body = req.json_object()
    if body.get("referenceCustomerId") not in (None, customer.id):
        raise bad_request("referenceCustomerId does not match the customer in the path.")
    cycle = str(body.get("billingCycle") or "").lower()
    if cycle not in BILLING_CYCLES:
        raise bad_request(f"billingCycle must be one of {sorted(BILLING_CYCLES)}.")
    raw_lines = body.get("lineItems")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise bad_request("lineItems must be a non-empty list.")
    lines: list[Line] = []
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            raise bad_request("Each line item must be an object.")
        if raw.get("lineItemNumber") != index:
            raise bad_request("lineItemNumber must run from 0 to count - 1.", code=800071)
        item = _item(ctx, raw.get("offerId"), 800004)
        term = raw.get("termDuration")
        if term is None:
            term = next((d for d, c in item.terms if c == cycle), "")
        reseller = raw.get("partnerIdOnRecord")
        lines.append(
            Line(
                number=index,
                item=item,
                quantity=_int(raw.get("quantity"), "quantity"),
                billing_cycle=cycle,
                term_duration=str(term),
                reseller_mpn=str(reseller) if reseller else None,
                parent_id=_parent_id(raw),
                friendly_name=raw.get("friendlyName"),
            )
        )
    _purchase_gate(customer)
    violation = check_lines(ctx, customer, lines, pc_rules.holdings(customer))
    if violation is not None:
        raise refusal(violation)
    attested = any(line.reseller_mpn for line in lines)
    return Reply(201, place_order(ctx, customer, lines, cycle, attested))


def list_orders(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/orders``."""
    customer = customer_of(ctx, req.params[0])
    return Reply(200, collection(list(customer.orders.values())))


def _order(customer: CustomerState, order_id: str) -> JSON:
    order = customer.orders.get(order_id)
    if order is None:
        raise not_found(f"Order {order_id}", code=20000)
    return order


def get_order(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/orders/{o}``."""
    return Reply(200, _order(customer_of(ctx, req.params[0]), req.params[1]))


def provisioning_status(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/orders/{o}/provisioningstatus``: always fulfilled."""
    order = _order(customer_of(ctx, req.params[0]), req.params[1])
    items = [
        {
            "lineItemNumber": line["lineItemNumber"],
            "status": "fulfilled",
            "quantityProvisioningInformation": [
                {"quantity": line["quantity"], "status": "fulfilled"}
            ],
        }
        for line in order["lineItems"]
    ]
    return Reply(200, collection(items))


# -- carts ---------------------------------------------------------------------------------------


def _cart_lines(ctx: Context, body: JSON, customer: CustomerState) -> list[JSON]:
    raw_lines = body.get("lineItems")
    if not isinstance(raw_lines, list) or not raw_lines:
        raise bad_request("lineItems must be a non-empty list.", code=10010)
    attested = body.get("partnerOnRecordAttestationAccepted") is True
    groups: dict[str, str] = {}
    lines: list[JSON] = []
    for index, raw in enumerate(raw_lines):
        if not isinstance(raw, dict):
            raise bad_request("Each line item must be an object.", code=10010)
        item = _item(ctx, raw.get("catalogItemId"), 10001)
        cycle = str(raw.get("billingCycle") or "").lower()
        term = str(raw.get("termDuration") or "")
        if not item.supports(term, cycle):
            raise bad_request(
                f"Term {term!r} billed {cycle!r} is not available for {item.catalog_item_id}.",
                code=10013,
            )
        quantity = _int(raw.get("quantity"), "quantity")
        participants = raw.get("participants") or []
        if not isinstance(participants, list) or not all(
            isinstance(p, dict) and p.get("key") in PARTICIPANT_KEYS and p.get("value")
            for p in participants
        ):
            raise bad_request("participants must be a list of {key, value}.", code=10010)
        if participants and not attested:
            raise bad_request(
                "partnerOnRecordAttestationAccepted must be true when participants are sent.",
                code=10010,
            )
        # Partner Center's grouping of lines into orders is undocumented: one per billing cycle.
        group = groups.setdefault(cycle, str(len(groups)))
        line: JSON = {
            "id": _int(raw.get("id", index), "id"),
            "catalogItemId": item.catalog_item_id,
            "quantity": quantity,
            "billingCycle": cycle,
            "termDuration": term,
            "currencyCode": "USD",
            "orderGroup": group,
            "participants": participants,
            "provisioningContext": raw.get("provisioningContext") or {},
        }
        if raw.get("friendlyName"):
            line["friendlyName"] = raw["friendlyName"]
        line.update(_line_terms(ctx, customer, raw, item, quantity, term, cycle))
        lines.append(line)
    return lines


def _line_terms(
    ctx: Context,
    customer: CustomerState,
    raw: JSON,
    item: CatalogItem,
    quantity: int,
    term: str,
    cycle: str,
) -> JSON:
    """A cart line's ``promotionId`` and ``customTermEndDate``, judged as Partner Center does:
    10014 for a promotion the customer cannot have on the line, 10017 for an end date that is
    not one of the customer's allowed dates (``customTermEndDates``)."""
    from csp_commerce.sandbox import coterm_routes

    terms: JSON = {}
    promotion_id = raw.get("promotionId")
    if promotion_id:
        error = promotion_routes.cart_promotion_error(
            customer, str(promotion_id), item, quantity, term, cycle
        )
        if error is not None:
            raise error
        terms["promotionId"] = str(promotion_id)
    end = raw.get("customTermEndDate")
    if end:
        if not coterm_routes.is_allowed(customer, term, ctx.now().date(), str(end)):
            raise bad_request(
                f"The custom term end date {end} is not allowed for term {term}.", code=10017
            )
        terms["customTermEndDate"] = str(end)[:10]
    return terms


def create_cart(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/carts`` → 201 Active cart (expires after 7 days)."""
    customer = customer_of(ctx, req.params[0])
    body = req.json_object()
    lines = _cart_lines(ctx, body, customer)
    now = ctx.now()
    cart: JSON = {
        "id": ctx.world.next_id(),
        "creationTimestamp": timestamp(now),
        "lastModifiedTimestamp": timestamp(now),
        "expirationTimestamp": timestamp(now + CART_LIFETIME),
        "lastModifiedUser": "sandbox-user" if req.user else "sandbox-app",
        "status": "Active",
        "partnerOnRecordAttestationAccepted": body.get("partnerOnRecordAttestationAccepted")
        is True,
        "lineItems": lines,
        "attributes": {"objectType": "Cart"},
    }
    customer.carts[cart["id"]] = cart
    return Reply(201, cart)


def _cart(customer: CustomerState, cart_id: str) -> JSON:
    cart = customer.carts.get(cart_id)
    if cart is None:
        raise not_found(f"Cart {cart_id}")
    return cart


def get_cart(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/carts/{cart}``."""
    return Reply(200, _cart(customer_of(ctx, req.params[0]), req.params[1]))


def _submitted(cart: JSON) -> EmulatedError:
    return EmulatedError(400, 800065, f"Cannot check out an already submitted cart {cart['id']}.")


def update_cart(ctx: Context, req: Request) -> Reply:
    """``PUT /v1/customers/{c}/carts/{cart}`` (the full cart)."""
    customer = customer_of(ctx, req.params[0])
    cart = _cart(customer, req.params[1])
    if cart["status"] != "Active":
        raise _submitted(cart)
    body = req.json_object()
    cart["lineItems"] = _cart_lines(ctx, body, customer)
    cart["partnerOnRecordAttestationAccepted"] = (
        body.get("partnerOnRecordAttestationAccepted") is True
    )
    cart["lastModifiedTimestamp"] = timestamp(ctx.now())
    return Reply(200, cart)


def _cart_line(ctx: Context, raw: JSON) -> Line:
    reseller = next(
        (p["value"] for p in raw["participants"] if p["key"] == "transaction_reseller"), None
    )
    return Line(
        number=raw["id"],
        item=_item(ctx, raw["catalogItemId"], 10001),
        quantity=raw["quantity"],
        billing_cycle=raw["billingCycle"],
        term_duration=raw["termDuration"],
        reseller_mpn=str(reseller) if reseller else None,
        parent_id=_parent_id(raw),
        friendly_name=raw.get("friendlyName"),
        promotion_id=raw.get("promotionId"),
        custom_term_end_date=raw.get("customTermEndDate"),
    )


def checkout(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/carts/{cart}/checkout`` → 201 ``{orders, orderErrors}``.

    Each order group succeeds or fails as a whole; a failed group is an ``orderErrors`` entry
    (partial success, as Partner Center documents). The MCA is checked for the whole cart.
    """
    customer = customer_of(ctx, req.params[0])
    cart = _cart(customer, req.params[1])
    if cart["status"] != "Active":
        raise _submitted(cart)
    if parse_timestamp(cart["expirationTimestamp"]) <= ctx.now():
        raise bad_request(f"The cart {cart['id']} has expired.", code=10010)
    _purchase_gate(customer)
    groups: dict[str, list[Line]] = {}
    for raw in cart["lineItems"]:
        groups.setdefault(raw["orderGroup"], []).append(_cart_line(ctx, raw))
    held = pc_rules.holdings(customer)
    orders: list[JSON] = []
    errors: list[JSON] = []
    attested = bool(cart.get("partnerOnRecordAttestationAccepted"))
    for group, lines in groups.items():
        tentative = _copy(held)
        violation = check_lines(ctx, customer, lines, tentative)
        if violation is not None:
            errors.append(
                {
                    "orderGroupId": group,
                    "code": violation.code,
                    "description": violation.description,
                }
            )
            continue
        held = tentative
        orders.append(place_order(ctx, customer, lines, lines[0].billing_cycle, attested))
    cart["status"] = "Ordered"
    cart["lastModifiedTimestamp"] = timestamp(ctx.now())
    return Reply(201, {"orders": orders, "orderErrors": errors})


# -- subscriptions -------------------------------------------------------------------------------


def list_subscriptions(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/subscriptions[?order_id=o][&mpn_id=m]``."""
    customer = _settled(ctx, req.params[0])
    order_id, mpn_id = req.query.get("order_id"), req.query.get("mpn_id")
    if order_id:
        order = _order(customer, order_id)
        items = [customer.subscriptions[line["subscriptionId"]] for line in order["lineItems"]]
    else:
        items = list(customer.subscriptions.values())
    if mpn_id:
        items = [s for s in items if s["partnerId"] == mpn_id]
    return Reply(200, collection(items))


def _settled(ctx: Context, customer_id: str) -> CustomerState:
    """The customer, with every term end up to now applied to its subscriptions."""
    customer = customer_of(ctx, customer_id)
    term_end.settle(ctx, customer, add_months)
    return customer


def _sub(customer: CustomerState, subscription_id: str) -> JSON:
    subscription = customer.subscriptions.get(subscription_id)
    if subscription is None:
        raise not_found(f"Subscription {subscription_id}", code=20003)
    return subscription


def get_subscription(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/subscriptions/{s}``."""
    return Reply(200, _sub(_settled(ctx, req.params[0]), req.params[1]))


def subscription_provisioning_status(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/subscriptions/{s}/provisioningstatus``:
    ``{skuId, status, quantity, endDate}``.

    The sandbox provisions at checkout, so the status is ``success`` for every subscription it
    holds (a cancelled one too: it was provisioned). ``skuId`` is the product SKU's id (the one
    licences are assigned by); the offer id when the catalog no longer has the item.
    """
    subscription = _sub(customer_of(ctx, req.params[0]), req.params[1])
    item = ctx.catalog.get(subscription["offerId"])
    return Reply(
        200,
        {
            "skuId": item.sku_guid if item is not None else subscription["offerId"],
            "status": "success",
            "quantity": subscription["quantity"],
            "endDate": subscription.get("commitmentEndDate"),
            "attributes": {"objectType": "SubscriptionProvisioningStatus"},
        },
    )


def list_addons(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/subscriptions/{s}/addons``."""
    customer = _settled(ctx, req.params[0])
    parent = _sub(customer, req.params[1])
    items = [
        s for s in customer.subscriptions.values() if s.get("parentSubscriptionId") == parent["id"]
    ]
    return Reply(200, collection(items))


def update_subscription(ctx: Context, req: Request) -> Reply:
    """``PATCH /v1/customers/{c}/subscriptions/{s}``: quantity, status, auto-renew, name.

    The etag may come two ways. The ``If-Match`` header is what the reference documents
    (DOCS ``test-and-debug``: etag from ``attributes.etag`` of a fresh GET, stale → 400 / 2055).
    The body's ``attributes.etag`` is what Microsoft's .NET SDK sends (it PATCHes the resource
    as read, without the header); no page in the reference confirms that Partner Center checks
    it, so that path is unconfirmed. The sandbox takes the stricter reading: every etag sent,
    header or body, must be current, or 400 / 2055. A request with neither is accepted (Partner
    Center documents ``If-Match`` only for some updates).
    """
    customer = _settled(ctx, req.params[0])
    subscription = _sub(customer, req.params[1])
    body = req.json_object()
    current = subscription["attributes"]["etag"]
    sent: list[str] = []
    header = req.headers.get("if-match")
    if header is not None:
        sent.append(header.strip().strip('"'))
    attributes = body.get("attributes")
    if isinstance(attributes, dict) and attributes.get("etag") is not None:
        sent.append(str(attributes["etag"]).strip().strip('"'))
    if any(etag != current for etag in sent):
        raise bad_request("The ETag is no longer valid; read the subscription again.", code=2055)
    if subscription["status"] == "deleted":
        raise bad_request("A deleted subscription cannot be updated.", code=2011)
    item = ctx.catalog.get(subscription["offerId"])
    if item is None:  # pragma: no cover - subscriptions only come from the catalog
        raise bad_request("The subscription's offer is no longer in the catalog.")
    term = body.get("termDuration", subscription["termDuration"])
    cycle = body.get("billingCycle", subscription["billingCycle"])
    changing_plan = (term, cycle) != (subscription["termDuration"], subscription["billingCycle"])
    if changing_plan:
        violation = pc_rules.plan_change(item, subscription, str(term), str(cycle))
        if violation is not None:
            raise refusal(violation)
    end_of_term: JSON = {
        key: body[key]
        for key in ("scheduledActions", "scheduledNextTermInstructions", "autoRenewEnabled")
        if key in body
    }
    if "scheduledActions" in body and body["scheduledActions"] is not None:
        if not isinstance(body["scheduledActions"], list):
            raise bad_request("scheduledActions must be a list.", code=10010)
        # Only scheduledActions is honoured when both are sent.
        end_of_term["scheduledNextTermInstructions"] = None
    reason = term_end.check_end_of_term_choice(ctx, item, subscription, end_of_term)
    if reason is not None:
        raise bad_request(reason, code=800093)
    status = body.get("status", subscription["status"])
    quantity = body.get("quantity", subscription["quantity"])
    quantity = _int(quantity, "quantity")
    now = ctx.now()
    in_window = now <= parse_timestamp(subscription["cancellationAllowedUntilDate"])
    changing_quantity = quantity != subscription["quantity"]
    if status not in ("active", "suspended", "deleted"):
        raise bad_request("status must be active, suspended or deleted.")
    if changing_quantity and status == "suspended":
        raise bad_request("The quantity cannot change while suspending.", code=2001)
    if changing_quantity and subscription["status"] == "suspended":
        raise bad_request("A suspended subscription cannot be updated.", code=800091)
    if status == "deleted" and not in_window:
        raise EmulatedError(400, 900117, "You have passed your 7-day cancellation window.")
    if changing_quantity:
        _check_quantity(ctx, customer, subscription, quantity, now)
        violation = pc_rules.seat_reduction(item, subscription, quantity)
        if violation is not None:
            raise refusal(violation)
    auto_renew = body.get("autoRenewEnabled", subscription["autoRenewEnabled"])
    if not isinstance(auto_renew, bool):
        raise bad_request("autoRenewEnabled must be true or false.")
    if changing_quantity:
        _track_refundable(subscription, quantity - subscription["quantity"], now)
    subscription["quantity"] = quantity
    subscription["status"] = status
    subscription["autoRenewEnabled"] = auto_renew and status != "deleted"
    for key in ("scheduledActions", "scheduledNextTermInstructions"):
        if key in end_of_term:
            subscription[key] = end_of_term[key]
    if changing_plan:
        _change_plan(subscription, str(term), str(cycle), now)
    if isinstance(body.get("friendlyName"), str) and body["friendlyName"].strip():
        subscription["friendlyName"] = body["friendlyName"].strip()[:128]
    subscription["attributes"]["etag"] = ctx.world.next_etag()
    webhook_routes.emit(
        ctx,
        "subscription-updated",
        f"/v1/customers/{customer.id}/subscriptions/{subscription['id']}",
        "subscription",
    )
    return Reply(200, subscription)


def _change_plan(subscription: JSON, term: str, cycle: str, now: datetime) -> None:
    """A mid-term change of term (a new, longer term from today) or billing frequency (from the
    next billing cycle). An immediate change deletes every scheduled change."""
    if term != subscription["termDuration"]:
        subscription["effectiveStartDate"] = timestamp(now)
        subscription["commitmentEndDate"] = timestamp(add_months(now, TERM_MONTHS[term]))
    subscription["termDuration"] = term
    subscription["renewalTermDuration"] = term
    subscription["billingCycle"] = cycle
    subscription["scheduledNextTermInstructions"] = None
    for action in subscription.get("scheduledActions") or []:
        if isinstance(action, dict):
            action.pop("instructions", None)


def _refundable(subscription: JSON, now: datetime) -> int:
    """Seats that may still be taken back: each purchase or increase has its own window."""
    details = subscription.get("refundableQuantity", {}).get("details", [])
    return sum(
        int(detail["quantity"])
        for detail in details
        if parse_timestamp(detail["allowedUntilDateTime"]) >= now
    )


def _track_refundable(subscription: JSON, change: int, now: datetime) -> None:
    """Record a seat change: an increase opens its own refund window; a decrease uses up the
    newest refundable seats first (Partner Center's behaviour is documented only loosely)."""
    refundable = subscription.setdefault("refundableQuantity", {"details": []})
    details: list[JSON] = [
        detail
        for detail in refundable.get("details", [])
        if parse_timestamp(detail["allowedUntilDateTime"]) >= now
    ]
    if change > 0:
        until = timestamp(now + CANCELLATION_WINDOW)
        details.append({"quantity": change, "allowedUntilDateTime": until})
    remaining = -change
    for detail in reversed(details):
        if remaining <= 0:
            break
        taken = min(int(detail["quantity"]), remaining)
        detail["quantity"] = int(detail["quantity"]) - taken
        remaining -= taken
    refundable["details"] = [detail for detail in details if int(detail["quantity"]) > 0]
    refundable["totalQuantity"] = sum(int(detail["quantity"]) for detail in refundable["details"])


def _check_quantity(
    ctx: Context, customer: CustomerState, subscription: JSON, quantity: int, now: datetime
) -> None:
    item = ctx.catalog.get(subscription["offerId"])
    if item is None:  # pragma: no cover - subscriptions only come from the catalog
        raise bad_request("The subscription's offer is no longer in the catalog.")
    removing = subscription["quantity"] - quantity
    if removing > 0 and removing > _refundable(subscription, now):
        raise bad_request(
            "Seats can only be reduced within their refund window (7 days after each purchase "
            "or increase).",
            code=800090,
        )
    if quantity < item.min_quantity:
        raise bad_request(f"Quantity must be at least {item.min_quantity}.", code=2002)
    if quantity > item.max_quantity:
        raise bad_request(
            f"Quantity exceeds the maximum of {item.max_quantity} seats per subscription.",
            code=800067,
        )
    held = pc_rules.holdings(customer, excluding=subscription["id"])
    violation = pc_rules.seat_cap(item, held, quantity)
    if violation is not None:
        raise refusal(violation)
