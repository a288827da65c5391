"""Partner Center's catalog as checkout offers: products, SKUs and availabilities become
:class:`~csp_commerce.models.Offer` objects the checkout rules can judge.

Partner Center does not say which family an offer belongs to (the Business plan rule and the
Dynamics policy depend on it), so :func:`classify` infers it from the product's title and the
SKU's ``dynamicAttributes``; pass your own ``classify`` where your catalog knows better.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from csp_commerce.models.offer import (
    BillingCycle,
    Offer,
    OfferFamily,
    Segment,
    TermDuration,
    kind_of,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.provisioning.wire import Availability, Product, Sku

    Classifier = Callable[[Product, Sku], OfferFamily]

_ENTERPRISE = re.compile(r"\b[AEFG][1-5]\b")


def classify(product: Product, sku: Sku) -> OfferFamily:
    """The offer family, inferred: an add-on by its SKU's ``isAddon``, Dynamics 365 and the
    Microsoft 365 / Office 365 Business plans by their titles, the E/A/G/F plans as enterprise."""
    title = f"{product.title or ''} {sku.title or ''}"
    if _dynamic(sku).get("isAddon"):
        return OfferFamily.ADDON
    if "Dynamics 365" in title:
        return OfferFamily.DYNAMICS
    if re.search(r"\b(Microsoft|Office) 365\b.*\bBusiness\b|\bfor business\b", title):
        return OfferFamily.BUSINESS
    if _ENTERPRISE.search(title):
        return OfferFamily.ENTERPRISE
    return OfferFamily.OTHER


def offers_from_catalog(
    client: PartnerCenterClient,
    country: str,
    *,
    target_view: str = "OnlineServices",
    classify: Classifier = classify,
) -> Iterator[Offer]:
    """Every purchasable availability sold in ``country``, as an :class:`Offer` (lazily).

    Billing cycles and terms come from the availability's ``terms``, quantities from the SKU,
    the segment from the availability. A Business plan's seat cap across the customer is the
    SKU's ``maxSeatsPerCustomer`` attribute where Partner Center gives one, else its
    ``maximumQuantity`` (the reference notes the cap is reflected there).
    """
    for product in client.products.list(country, target_view=target_view):
        for sku in client.products.skus(product.id, country):
            family = classify(product, sku)
            for availability in client.products.availabilities(product.id, sku.id, country):
                offer = _offer(product, sku, availability, family)
                if offer is not None:
                    yield offer


def _offer(
    product: Product, sku: Sku, availability: Availability, family: OfferFamily
) -> Offer | None:
    if availability.is_purchasable is False:
        return None
    cycles = {_cycle(term.billing_cycle) for term in availability.terms} - {None}
    terms = {_term(term.duration) for term in availability.terms} - {None}
    if not cycles:
        return None
    dynamic = _dynamic(sku)
    cap = dynamic.get("maxSeatsPerCustomer")
    if cap is None and family is OfferFamily.BUSINESS:
        cap = sku.maximum_quantity
    parents = dynamic.get("prerequisiteProducts") or [
        str(item).split(":")[0] for item in dynamic.get("prerequisiteSkus") or []
    ]
    return Offer(
        id=availability.catalog_item_id,
        product_id=product.id,
        name=sku.title or product.title or product.id,
        family=family,
        segment=_segment(availability.segment),
        billing_cycles=frozenset(cycle for cycle in cycles if cycle is not None),
        term_durations=frozenset(term for term in terms if term is not None),
        min_quantity=sku.minimum_quantity or 1,
        max_quantity=sku.maximum_quantity or 10_000,
        max_seats_per_customer=int(cap) if cap else None,
        parent_product_ids=frozenset(str(parent) for parent in parents),
        kind=kind_of(
            str((product.product_type or {}).get("id") or "") or None,
            "P1Y" if terms else None,  # a software product sold without a term is perpetual
        ),
    )


def _dynamic(sku: Sku) -> dict[str, Any]:
    extra = sku.model_extra or {}
    attributes = extra.get("dynamicAttributes") or extra.get("dynamic_attributes") or {}
    return attributes if isinstance(attributes, dict) else {}


def _cycle(value: str | None) -> BillingCycle | None:
    try:
        return BillingCycle((value or "").lower())
    except ValueError:
        return None


def _term(value: str | None) -> TermDuration | None:
    try:
        return TermDuration((value or "").upper())
    except ValueError:
        return None


def _segment(value: str | None) -> Segment:
    try:
        return Segment((value or "commercial").lower())
    except ValueError:
        return Segment.COMMERCIAL
