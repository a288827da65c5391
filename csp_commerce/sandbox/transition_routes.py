"""Upgrades (new-commerce transitions): eligibilities, transitions made, a new transition.

The sandbox's upgrade paths are the product ladders Microsoft sells (Business Basic →
Standard → Premium, Office 365 E1 → E3 → E5, Microsoft 365 E3 → E5). A target is eligible
when the subscription is active, sold in the same segment, not held by an active transfer,
and (``eligibilityType=scheduled``) set to renew.

A transition of every seat ends the source (Microsoft's pages say it stops; its exact status is
not documented: the sandbox marks it ``expired``) and creates the target subscription; a
partial one moves some seats into a new subscription. The new subscription keeps the source's
term end when the term is the same, and inherits the source's refund window (Microsoft's
cancellation policy says so for partial upgrades; the sandbox applies it to full ones too, the
stricter reading). Eligibility error codes are not listed in the reference: the sandbox names
them (``SubscriptionNotActive``...). A refused transition is 400 with code 2002 (more seats
than the subscription has) or 2000 (not eligible, with the reason), and 409 / 900102 while an
active transfer holds the customer (a code of the transfer family the reference lists without
meanings).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox import seed_catalog as sc
from csp_commerce.sandbox import webhook_routes
from csp_commerce.sandbox._http import (
    Context,
    Reply,
    Request,
    bad_request,
    collection,
    timestamp,
)
from csp_commerce.sandbox.commerce_routes import (
    TERM_MONTHS,
    Line,
    _settled,
    _sub,
    _subscription,
    _track_refundable,
)
from csp_commerce.sandbox.transfer_routes import transfer_holds

if TYPE_CHECKING:
    from csp_commerce.sandbox.seed_catalog import CatalogItem
    from csp_commerce.sandbox.state import JSON, CustomerState

#: Product → the products it may be upgraded to.
UPGRADE_PATHS: dict[str, tuple[str, ...]] = {
    sc.BUSINESS_BASIC: (sc.BUSINESS_STANDARD, sc.BUSINESS_PREMIUM),
    sc.BUSINESS_STANDARD: (sc.BUSINESS_PREMIUM,),
    sc.O365_E1: (sc.O365_E3, sc.O365_E5),
    sc.O365_E3: (sc.O365_E5,),
    sc.M365_E3: (sc.M365_E5,),
}
TRANSITION_TYPES = ("transition_only", "transition_with_license_transfer")
TRANSFER_IN_PROGRESS = 900102


def _targets(ctx: Context, item: CatalogItem) -> list[CatalogItem]:
    found: list[CatalogItem] = []
    for product in UPGRADE_PATHS.get(item.product_id, ()):
        found.extend(t for t in ctx.catalog.product(product) if t.segment is item.segment)
    return found


def _errors(
    ctx: Context, customer: CustomerState, subscription: JSON, scheduled: bool
) -> list[JSON]:
    """Why no target is eligible now (empty: every target on the path is)."""
    errors: list[JSON] = []
    if subscription["status"] != "active":
        errors.append(
            {
                "code": "SubscriptionNotActive",
                "description": f"The subscription is {subscription['status']}.",
            }
        )
    if transfer_holds(ctx, customer.id):
        errors.append(
            {
                "code": "TransferInProgress",
                "description": "An active partner transfer holds the customer's subscriptions.",
            }
        )
    if scheduled and not subscription["autoRenewEnabled"]:
        errors.append(
            {
                "code": "AutoRenewDisabled",
                "description": "A scheduled transition needs the subscription to renew.",
            }
        )
    return errors


def eligibilities(ctx: Context, req: Request) -> Reply:
    """``GET .../subscriptions/{s}/transitionEligibilities?eligibilityType=immediate|scheduled``."""
    customer = _settled(ctx, req.params[0])
    subscription = _sub(customer, req.params[1])
    kind = req.query.get("eligibilityType") or "immediate"
    if kind not in ("immediate", "scheduled"):
        raise bad_request("eligibilityType must be immediate or scheduled.")
    item = ctx.catalog.get(subscription["offerId"])
    errors = _errors(ctx, customer, subscription, kind == "scheduled")
    items = [
        {
            "catalogItemId": target.catalog_item_id,
            "title": target.title,
            "description": target.description,
            "quantity": subscription["quantity"],
            "eligibilities": [
                {"isEligible": not errors, "transitionType": kind_, "errors": errors}
                for kind_ in TRANSITION_TYPES
            ],
        }
        for target in (_targets(ctx, item) if item is not None else [])
    ]
    return Reply(200, collection(items))


def _body(req: Request) -> tuple[str, int, str]:
    body = req.json_object()
    target = body.get("toCatalogItemId")
    if not isinstance(target, str) or not target:
        raise bad_request("toCatalogItemId is required.")
    quantity = body.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise bad_request("quantity must be a whole number of at least 1.", code=2002)
    kind = body.get("transitionType") or "transition_only"
    if kind not in TRANSITION_TYPES:
        raise bad_request(f"transitionType must be one of {', '.join(TRANSITION_TYPES)}.")
    return target, quantity, str(kind)


def create(ctx: Context, req: Request) -> Reply:
    """``POST .../subscriptions/{s}/transitions``: move seats to an eligible target."""
    customer = _settled(ctx, req.params[0])
    source = _sub(customer, req.params[1])
    target_id, quantity, kind = _body(req)
    body = req.json_object()
    item = ctx.catalog.get(source["offerId"])
    target = ctx.catalog.get(target_id)
    if transfer_holds(ctx, customer.id):
        raise EmulatedError(
            409, TRANSFER_IN_PROGRESS, "An active transfer holds the customer's subscriptions."
        )
    errors = _errors(ctx, customer, source, scheduled=False)
    if errors:
        raise bad_request(f"The subscription cannot be transitioned: {errors[0]['description']}")
    if item is None or target is None or target not in _targets(ctx, item):
        raise bad_request(f"{target_id} is not an eligible transition target of the subscription.")
    if quantity > source["quantity"]:
        raise bad_request(
            f"The subscription has {source['quantity']} seats; {quantity} cannot be moved.",
            code=2002,
        )
    term = str(body.get("termDuration") or source["termDuration"])
    cycle = str(body.get("billingCycle") or source["billingCycle"])
    if not target.supports(term, cycle):
        raise bad_request(f"{target.title} is not sold for {term} billed {cycle}.")
    now = ctx.now()
    line = Line(0, target, quantity, cycle, term, reseller_mpn=source["partnerId"] or None)
    child = _subscription(ctx, customer, line, source["orderId"], now)
    if term == source["termDuration"]:
        child["commitmentEndDate"] = source["commitmentEndDate"]
    elif TERM_MONTHS[term] < TERM_MONTHS[source["termDuration"]]:
        raise bad_request("A transition may not shorten the term.")
    # The new subscription inherits the source's refund window (it does not reopen).
    until = source["cancellationAllowedUntilDate"]
    child["cancellationAllowedUntilDate"] = until
    child["refundableQuantity"] = {
        "totalQuantity": quantity,
        "details": [{"quantity": quantity, "allowedUntilDateTime": until}],
    }
    if body.get("promotionId"):
        child["promotionId"] = body["promotionId"]
    customer.subscriptions[child["id"]] = child
    if quantity == source["quantity"]:
        source["status"] = "expired"
        source["autoRenewEnabled"] = False
    else:
        _track_refundable(source, -quantity, now)
        source["quantity"] -= quantity
    source["attributes"]["etag"] = ctx.world.next_etag()
    events = [{"name": "Conversion", "status": "Completed", "timestamp": timestamp(now)}]
    if kind == "transition_with_license_transfer":
        events.append(
            {"name": "LicenseReassignment", "status": "Completed", "timestamp": timestamp(now)}
        )
    transition: JSON = {
        "id": ctx.world.next_id(),
        "fromCatalogItemId": source["offerId"],
        "toCatalogItemId": target.catalog_item_id,
        "fromSubscriptionId": source["id"],
        "toSubscriptionId": child["id"],
        "quantity": quantity,
        "termDuration": term,
        "billingCycle": cycle,
        "transitionType": kind,
        "status": "Completed",
        "operationId": ctx.world.next_id(),
        "creationDate": timestamp(now),
        "events": events,
        "attributes": {"objectType": "Transition"},
    }
    if body.get("promotionId"):
        transition["promotionId"] = body["promotionId"]
    ctx.world.transitions.setdefault(source["id"], []).append(transition)
    webhook_routes.emit(
        ctx,
        "subscription-updated",
        f"/v1/customers/{customer.id}/subscriptions/{source['id']}",
        "subscription",
    )
    return Reply(200, transition)


def list_transitions(ctx: Context, req: Request) -> Reply:
    """``GET .../subscriptions/{s}/transitions[?operationId=]``."""
    customer = _settled(ctx, req.params[0])
    subscription = _sub(customer, req.params[1])
    made = ctx.world.transitions.get(subscription["id"], [])
    wanted = req.query.get("operationId")
    if wanted:
        made = [t for t in made if t["operationId"] == wanted]
    return Reply(200, collection(list(made)))


__all__ = ["UPGRADE_PATHS", "create", "eligibilities", "list_transitions"]
