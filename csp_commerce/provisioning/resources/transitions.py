"""Upgrades: a subscription's transition eligibilities, transitions made, and new ones.

``eligibilities`` lists the targets a new-commerce subscription may move to now
(``immediate``) or at its renewal (``scheduled``); ``create`` sends one transition (carrying the
caller's ``request_id``: the step engine sends it, see ``operations/upgrades.py``); ``list``
reads the transitions made (``operation_id=`` narrows to one). Legacy subscriptions' upgrades
(``.../upgrades``) are not offered: Microsoft has migrated legacy licence subscriptions to new
commerce at renewal since 2024.
"""

from __future__ import annotations

from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire.transitions import (
    ELIGIBILITY_TYPES,
    TRANSITION_ONLY,
    Transition,
    TransitionEligibility,
    TransitionRequest,
)


def _path(customer_id: str, subscription_id: str, tail: str) -> str:
    return f"/v1/customers/{quote(customer_id)}/subscriptions/{quote(subscription_id)}/{tail}"


def _eligibilities(
    customer_id: str, subscription_id: str, *, eligibility_type: str = "immediate"
) -> PageSpec[TransitionEligibility]:
    """The targets the subscription may be transitioned to (``immediate`` or ``scheduled``)."""
    if eligibility_type not in ELIGIBILITY_TYPES:
        raise ValueError(f"eligibility_type must be one of {ELIGIBILITY_TYPES}")
    return PageSpec(
        Call(
            "GET",
            _path(customer_id, subscription_id, "transitionEligibilities"),
            collection(TransitionEligibility),
            params={"eligibilityType": eligibility_type},
        )
    )


def _create(
    customer_id: str,
    subscription_id: str,
    to_catalog_item_id: str,
    quantity: int,
    *,
    term_duration: str | None = None,
    billing_cycle: str | None = None,
    transition_type: str = TRANSITION_ONLY,
    from_catalog_item_id: str | None = None,
    promotion_id: str | None = None,
    request_id: str | None = None,
) -> Call[Transition]:
    """Transition ``quantity`` seats of the subscription to ``to_catalog_item_id`` (all seats:
    the subscription ends; some: they move to a new subscription)."""
    body = TransitionRequest(
        from_catalog_item_id=from_catalog_item_id,
        to_catalog_item_id=to_catalog_item_id,
        quantity=quantity,
        term_duration=term_duration,
        billing_cycle=billing_cycle,
        transition_type=transition_type,
        promotion_id=promotion_id,
    )
    return Call(
        "POST",
        _path(customer_id, subscription_id, "transitions"),
        model(Transition),
        json=body.model_dump(by_alias=True, exclude_none=True, mode="json"),
        request_id=request_id,
    )


def _list(
    customer_id: str, subscription_id: str, *, operation_id: str | None = None
) -> PageSpec[Transition]:
    """The transitions made from the subscription (only one operation's, if given)."""
    params: dict[str, str | int] = {"operationId": operation_id} if operation_id else {}
    return PageSpec(
        Call(
            "GET",
            _path(customer_id, subscription_id, "transitions"),
            collection(Transition),
            params=params or None,
        )
    )


class _Operations:
    eligibilities = listing(_eligibilities)
    create = operation(_create)
    list = listing(_list)


class Transitions(SyncResource, _Operations):
    """``client.transitions``: eligibilities, transitions made, a new transition."""


class AsyncTransitions(AsyncResource, _Operations):
    """``client.transitions`` (async): eligibilities, transitions made, a new transition."""
