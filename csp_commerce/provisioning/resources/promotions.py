"""New-commerce promotions: those active in a market, and a customer's eligibility for them.

The eligibility check has its own limit, 625 requests per minute per partner tenant (learn
``verify-promotion-eligibility``): its path's family is ``promotionEligibilities``, which
:data:`~csp_commerce.provisioning.pacing.DOCUMENTED_RATES` paces at that rate.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from csp_commerce.provisioning._core import Call, PageSpec, collection, items_or_list, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import ProductPromotion, PromotionEligibilities

if TYPE_CHECKING:
    from collections.abc import Sequence

    from csp_commerce.provisioning.wire import PromotionEligibilityRequestItem


def _list(country: str, segment: str = "commercial") -> PageSpec[ProductPromotion]:
    """The promotions active now for customers in ``country`` of ``segment`` (Partner Center
    documents ``commercial`` only), with the products, plans and discounts they require."""
    params: dict[str, str | int] = {"country": country, "segment": segment}
    return PageSpec(
        Call("GET", "/v1/productpromotions", collection(ProductPromotion), params=params)
    )


def _get(promotion_id: str, country: str) -> Call[ProductPromotion]:
    """One promotion, as offered in ``country``."""
    path = f"/v1/productpromotions/{quote(promotion_id)}"
    return Call("GET", path, model(ProductPromotion), params={"country": country})


def _eligibilities(
    customer_id: str, items: Sequence[PromotionEligibilityRequestItem]
) -> Call[list[PromotionEligibilities]]:
    """Whether the customer may have the promotions of each transaction (a catalog item, a
    quantity, a term and a billing cycle): the named ``promotion_id``'s verdict, or every
    available promotion's when it is left out. One request for all ``items``; a read, so it
    carries its own request id and may be resent."""
    body = {"items": [item.to_wire() for item in items]}
    return Call(
        "POST",
        f"/v1/customers/{quote(customer_id)}/promotionEligibilities",
        items_or_list(PromotionEligibilities),
        json=body,
        request_id=str(uuid.uuid4()),
    )


class _Operations:
    list = listing(_list)
    get = operation(_get)
    eligibilities = operation(_eligibilities)


class Promotions(SyncResource, _Operations):
    """``client.promotions``: new-commerce promotions and promotion eligibility."""


class AsyncPromotions(AsyncResource, _Operations):
    """``client.promotions`` (async): new-commerce promotions and promotion eligibility."""
