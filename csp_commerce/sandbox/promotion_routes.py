"""Handlers: new-commerce promotions and promotion eligibility, with seeded promotions.

Emulates learn ``get-promotions`` and ``verify-promotion-eligibility``: the promotions active in
a market, and per transaction (catalog item, quantity, term, billing cycle) each promotion's
verdict with Partner Center's error types (``InvalidCatalogItemId``, ``InvalidPromotion``,
``Term``, ``SeatCount``, ``OfferPurchasedPreviously``, ``NoPromotionsAvailable``). The
eligibility route has its own limit, 625 requests a minute per partner tenant: beyond it, 429
with ``Retry-After``. A cart line's ``promotionId`` is judged by the same rules
(:func:`cart_promotion_error`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from math import ceil
from typing import TYPE_CHECKING

from csp_commerce.errors import EmulatedError
from csp_commerce.sandbox._http import Context, Reply, Request, bad_request, collection, not_found
from csp_commerce.sandbox.customer_routes import customer_of
from csp_commerce.sandbox.seed_catalog import BUSINESS_PREMIUM, M365_E3, TEAMS_PHONE

if TYPE_CHECKING:
    from csp_commerce.sandbox.seed_catalog import CatalogItem
    from csp_commerce.sandbox.state import JSON, CustomerState

#: Partner Center's documented limit on promotion eligibility checks (per partner tenant).
ELIGIBILITY_LIMIT_PER_MINUTE = 625
_WINDOW_SECONDS = 60.0
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
_NONE_AVAILABLE = "There are no promotions available at this time."
_END = datetime(2030, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


@dataclass(frozen=True)
class SeededPromotion:
    """One promotion: a product's SKU on one plan, its discount and its limits."""

    id: str
    name: str
    product_id: str
    sku_id: str
    term_duration: str
    billing_cycle: str
    discount: Decimal  # a fraction: Decimal("0.15") is 15 % off
    min_seats: int = 1
    max_seats: int = 2400
    new_customers_only: bool = False  # refused when the customer has had the product before
    countries: frozenset[str] | None = None  # None: every market
    start: datetime = _EPOCH
    end: datetime = _END

    def wire(self) -> JSON:
        """The promotion as ``GET /v1/productpromotions`` answers it."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.name,
            "startDate": self.start.isoformat(),
            "endDate": self.end.isoformat(),
            "properties": {"isAutoApplicable": True},
            "requiredProducts": [
                {
                    "productId": self.product_id,
                    "skuId": self.sku_id,
                    "term": {
                        "duration": self.term_duration,
                        "billingCycle": self.billing_cycle.capitalize(),
                    },
                    "pricingPolicies": [
                        {"policyType": "PercentDiscount", "value": str(self.discount)}
                    ],
                }
            ],
            "attributes": {"objectType": "ProductPromotion"},
        }

    def covers(self, item: CatalogItem) -> bool:
        """Whether the promotion is for ``item``'s product and SKU (on some plan)."""
        return (item.product_id, item.sku_id) == (self.product_id, self.sku_id)


#: The seeded promotions (ids shaped like Partner Center's; sandbox-local).
PROMOTIONS: tuple[SeededPromotion, ...] = (
    SeededPromotion(
        "39NFJQT1SP01:0001:39NFJQT1Q5P1",
        "Microsoft 365 E3 annual commitment, paid yearly: 15 % off",
        M365_E3,
        "0001",
        "P1Y",
        "annual",
        Decimal("0.15"),
        min_seats=5,
    ),
    SeededPromotion(
        "39NFJQT1SP02:0001:39NFJQT1Q5P2",
        "Microsoft 365 E3 three-year commitment: 20 % off",
        M365_E3,
        "0001",
        "P3Y",
        "triennial",
        Decimal("0.20"),
        min_seats=5,
    ),
    SeededPromotion(
        "39NFJQT1SP03:0002:39NFJQT1Q5P3",
        "Microsoft 365 Business Premium for new customers: 25 % off the first year",
        BUSINESS_PREMIUM,
        "0002",
        "P1Y",
        "annual",
        Decimal("0.25"),
        max_seats=300,
        new_customers_only=True,
    ),
    SeededPromotion(
        "39NFJQT1SP04:0001:39NFJQT1Q5P4",
        "Teams Phone Standard monthly term: 10 % off",
        TEAMS_PHONE,
        "0001",
        "P1M",
        "monthly",
        Decimal("0.10"),
    ),
)


def find(promotion_id: str) -> SeededPromotion | None:
    """The seeded promotion with ``promotion_id`` (ids compare case-insensitively)."""
    folded = promotion_id.lower()
    return next((p for p in PROMOTIONS if p.id.lower() == folded), None)


def _active(ctx: Context, country: str) -> list[SeededPromotion]:
    now = ctx.now()
    return [
        p
        for p in PROMOTIONS
        if p.start <= now <= p.end and (p.countries is None or country.upper() in p.countries)
    ]


def list_promotions(ctx: Context, req: Request) -> Reply:
    """``GET /v1/productpromotions?country=&segment=`` (both required; commercial only)."""
    country = req.query.get("country", "")
    segment = req.query.get("segment", "")
    if len(country) != 2 or not segment:
        raise bad_request("country (two letters) and segment are required.")
    found = _active(ctx, country) if segment.lower() == "commercial" else []
    return Reply(200, collection([p.wire() for p in found]))


def get_promotion(ctx: Context, req: Request) -> Reply:
    """``GET /v1/productpromotions/{id}?country=``."""
    country = req.query.get("country", "")
    promotion = find(req.params[0])
    if promotion is None or promotion not in _active(ctx, country or "US"):
        raise not_found(f"Promotion {req.params[0]}")
    return Reply(200, promotion.wire())


# -- eligibility ---------------------------------------------------------------------------------


def _error(kind: str, description: str, **seats: int) -> JSON:
    return {"type": kind, "description": description, **seats}


def _had_product(customer: CustomerState, product_id: str) -> bool:
    return any(
        str(sub.get("offerId") or "").split(":", 1)[0] == product_id
        for sub in customer.subscriptions.values()
    )


def judge(
    customer: CustomerState,
    promotion: SeededPromotion,
    item: CatalogItem,
    quantity: int,
    term_duration: str,
    billing_cycle: str,
) -> list[JSON]:
    """Why ``customer`` cannot have ``promotion`` on this transaction (empty: eligible)."""
    if not promotion.covers(item):
        return [_error("InvalidPromotion", "The provided promotion is invalid.")]
    errors: list[JSON] = []
    if (term_duration.upper(), billing_cycle.lower()) != (
        promotion.term_duration,
        promotion.billing_cycle,
    ):
        errors.append(_error("Term", "The provided term isn't applicable for the promotion."))
    if not promotion.min_seats <= quantity <= promotion.max_seats:
        errors.append(
            _error(
                "SeatCount",
                "The provided quantity does not satisfy the minimum or maximum seat "
                "requirements for the promotion.",
                minimumRequiredSeats=promotion.min_seats,
                maximumRequiredSeats=promotion.max_seats,
                availableSeats=promotion.max_seats,
            )
        )
    if promotion.new_customers_only and _had_product(customer, promotion.product_id):
        errors.append(
            _error(
                "OfferPurchasedPreviously",
                "This offer has been purchased previously for this customer.",
            )
        )
    return errors


def _country_of(customer: CustomerState) -> str:
    profile = customer.customer.get("billingProfile") or {}
    return str((profile.get("defaultAddress") or {}).get("country") or "US")


def _verdict(promotion_id: str | None, errors: list[JSON]) -> JSON:
    verdict: JSON = {"promotionId": promotion_id, "isEligible": not errors}
    if errors:
        verdict["errors"] = errors
    return verdict


def _eligibilities(ctx: Context, customer: CustomerState, raw: JSON, index: int) -> JSON:
    quantity = raw.get("quantity")
    term = str(raw.get("termDuration") or "")
    cycle = str(raw.get("billingCycle") or "")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not term or not cycle:
        raise bad_request("Each item needs catalogItemId, quantity, termDuration, billingCycle.")
    catalog_item_id = str(raw.get("catalogItemId") or "")
    wanted = raw.get("promotionId")
    item = ctx.catalog.get(catalog_item_id)
    verdicts: list[JSON]
    if item is None:
        invalid = _error("InvalidCatalogItemId", "The provided CatalogItemId is invalid.")
        verdicts = [_verdict(str(wanted) if wanted else None, [invalid])]
    elif wanted:
        promotion = find(str(wanted))
        if promotion is None:
            invalid = _error("InvalidPromotion", "The provided promotion is invalid.")
            verdicts = [_verdict(str(wanted), [invalid])]
        else:
            errors = judge(customer, promotion, item, quantity, term, cycle)
            verdicts = [_verdict(promotion.id, errors)]
    else:
        country = _country_of(customer)
        offered = [p for p in _active(ctx, country) if p.covers(item)]
        verdicts = [
            _verdict(p.id, judge(customer, p, item, quantity, term, cycle)) for p in offered
        ] or [_verdict(None, [_error("NoPromotionsAvailable", _NONE_AVAILABLE)])]
    return {
        "id": raw.get("id", index),
        "catalogItemId": catalog_item_id,
        "quantity": quantity,
        "billingCycle": cycle.lower(),
        "termDuration": term.upper(),
        "eligibilities": verdicts,
        "attributes": {"objectType": "PromotionEligibilities"},
    }


def _throttled(ctx: Context) -> Reply | None:
    """Partner Center's 625-a-minute limit on this route (every attempt counts): the 429."""
    now = ctx.clock()
    window: deque[float] = ctx.windows.setdefault("promotionEligibilities", deque())
    while window and window[0] <= now - _WINDOW_SECONDS:
        window.popleft()
    window.append(now)
    if len(window) <= ELIGIBILITY_LIMIT_PER_MINUTE:
        return None
    frees_at = window[len(window) - ELIGIBILITY_LIMIT_PER_MINUTE] + _WINDOW_SECONDS
    seconds = max(1, ceil(frees_at - now))
    body = {
        "statusCode": 429,
        "message": f"Rate limit is exceeded. Try again in {seconds} seconds.",
    }
    return Reply(429, body, {"Retry-After": str(seconds)})


def check_eligibilities(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/promotionEligibilities`` → 200 collection of verdicts."""
    throttled = _throttled(ctx)
    if throttled is not None:
        return throttled
    customer = customer_of(ctx, req.params[0])
    items = req.json_object().get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise bad_request("items must be a non-empty list of objects.")
    answers = [_eligibilities(ctx, customer, raw, n) for n, raw in enumerate(items)]
    return Reply(200, collection(answers))


def cart_promotion_error(
    customer: CustomerState,
    promotion_id: str,
    item: CatalogItem,
    quantity: int,
    term_duration: str,
    billing_cycle: str,
) -> EmulatedError | None:
    """400 / 10014 InvalidPromotionId for a cart line whose promotion the customer cannot have
    on that line (unknown, another product, another plan, seats, bought before)."""
    promotion = find(promotion_id)
    errors = (
        judge(customer, promotion, item, quantity, term_duration, billing_cycle)
        if promotion is not None
        else [{"type": "InvalidPromotion"}]
    )
    if not errors:
        return None
    kinds = ", ".join(str(error["type"]) for error in errors)
    return EmulatedError(
        400, 10014, f"The promotion {promotion_id} cannot be applied to this line item ({kinds})."
    )


def discount_of(promotion_id: str | None) -> Decimal:
    """The fraction a line's promotion takes off its price (0 without one)."""
    promotion = find(promotion_id) if promotion_id else None
    return promotion.discount if promotion is not None else Decimal(0)
