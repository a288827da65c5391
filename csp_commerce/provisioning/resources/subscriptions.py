"""Subscriptions: list, get, and changes written as the subscription was read (with its etag).

Every change reads the subscription first, then PATCHes it whole with ``If-Match`` (a stale
etag raises :class:`StaleETagError`); the write carries the caller's ``request_id``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from csp_commerce.errors import CancellationWindowClosedError
from csp_commerce.provisioning._core import Call, Flow, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import Subscription, SubscriptionProvisioningStatus


def _path(customer_id: str, subscription_id: str | None = None) -> str:
    path = f"/v1/customers/{quote(customer_id)}/subscriptions"
    return path if subscription_id is None else f"{path}/{quote(subscription_id)}"


def _list(
    customer_id: str, *, order_id: str | None = None, mpn_id: str | None = None
) -> PageSpec[Subscription]:
    """The customer's subscriptions (only an order's, or only a reseller's, if given)."""
    params: dict[str, str | int] = {}
    if order_id is not None:
        params["order_id"] = order_id
    if mpn_id is not None:
        params["mpn_id"] = mpn_id
    return PageSpec(
        Call("GET", _path(customer_id), collection(Subscription), params=params or None)
    )


def _get(customer_id: str, subscription_id: str) -> Call[Subscription]:
    """One subscription."""
    return Call("GET", _path(customer_id, subscription_id), model(Subscription))


def _provisioning_status(
    customer_id: str, subscription_id: str
) -> Call[SubscriptionProvisioningStatus]:
    """Whether the subscription's licences are provisioned (``success``, ``pending`` or
    ``failed``), with its SKU, quantity and end date (app+user)."""
    return Call(
        "GET",
        _path(customer_id, subscription_id) + "/provisioningstatus",
        model(SubscriptionProvisioningStatus),
        app_user=True,
    )


def _addons(customer_id: str, subscription_id: str) -> PageSpec[Subscription]:
    """The add-on subscriptions of a subscription."""
    return PageSpec(
        Call("GET", _path(customer_id, subscription_id) + "/addons", collection(Subscription))
    )


def _patch(
    customer_id: str,
    subscription_id: str,
    changes: dict[str, Any],
    request_id: str | None,
    *,
    check_window: bool = False,
) -> Flow[Subscription]:
    current: Subscription = yield _get(customer_id, subscription_id)
    if check_window:
        _check_cancellation_window(current)
    # The etag travels twice: ``If-Match`` (the header the reference documents, Microsoft's
    # test-and-debug page) and ``attributes.etag`` in the body as read (what Microsoft's SDK
    # sends; that Partner Center checks it is unconfirmed). The sandbox checks both.
    body = {**current.to_wire(), **changes}
    headers = {"If-Match": f'"{current.etag.strip(chr(34))}"'} if current.etag else None
    updated: Subscription = yield Call(
        "PATCH",
        _path(customer_id, subscription_id),
        model(Subscription),
        json=body,
        headers=headers,
        request_id=request_id,
    )
    return updated


def _update(
    customer_id: str,
    subscription: dict[str, Any],
    changes: dict[str, Any],
    *,
    request_id: str | None = None,
) -> Call[Subscription]:
    """Change a subscription as it was read: one PATCH of ``subscription`` (its JSON as read,
    e.g. ``Subscription.to_wire()``) with ``changes``, ``If-Match`` on its etag, and no read of
    its own. The step engine records the read it computed ``changes`` from, so a resend sends
    the very same request. The body keeps the read's ``attributes.etag`` (as Microsoft's SDK
    sends it; unconfirmed that Partner Center checks it) and ``If-Match`` carries it too (the
    documented header)."""
    etag = (subscription.get("attributes") or {}).get("etag")
    return Call(
        "PATCH",
        _path(customer_id, str(subscription["id"])),
        model(Subscription),
        json={**subscription, **changes},
        headers={"If-Match": f'"{str(etag).strip(chr(34))}"'} if etag else None,
        request_id=request_id,
    )


def _check_cancellation_window(subscription: Subscription) -> None:
    until = subscription.cancellation_allowed_until_date
    if not until:
        return
    deadline = datetime.fromisoformat(until.replace("Z", "+00:00"))
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=timezone.utc)
    if datetime.now(timezone.utc) > deadline:
        raise CancellationWindowClosedError(
            f"subscription {subscription.id} could be cancelled until {until}"
        )


def _change_quantity(
    customer_id: str, subscription_id: str, quantity: int, *, request_id: str | None = None
) -> Flow[Subscription]:
    """Set the subscription's seat count."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1 (cancel to end a subscription)")
    return _patch(customer_id, subscription_id, {"quantity": quantity}, request_id)


def _suspend(
    customer_id: str, subscription_id: str, *, request_id: str | None = None
) -> Flow[Subscription]:
    """Suspend the subscription."""
    return _patch(customer_id, subscription_id, {"status": "suspended"}, request_id)


def _reactivate(
    customer_id: str, subscription_id: str, *, request_id: str | None = None
) -> Flow[Subscription]:
    """Reactivate a suspended subscription."""
    return _patch(customer_id, subscription_id, {"status": "active"}, request_id)


def _set_auto_renew(
    customer_id: str, subscription_id: str, enabled: bool, *, request_id: str | None = None
) -> Flow[Subscription]:
    """Turn auto-renewal on or off."""
    return _patch(customer_id, subscription_id, {"autoRenewEnabled": enabled}, request_id)


def _cancel(
    customer_id: str, subscription_id: str, *, request_id: str | None = None
) -> Flow[Subscription]:
    """Cancel a new-commerce subscription; only while ``cancellationAllowedUntilDate`` has not
    passed (else :class:`CancellationWindowClosedError`, before the PATCH)."""
    return _patch(
        customer_id, subscription_id, {"status": "deleted"}, request_id, check_window=True
    )


class _Operations:
    list = listing(_list)
    get = operation(_get)
    addons = listing(_addons)
    provisioning_status = operation(_provisioning_status)
    update = operation(_update)
    change_quantity = operation(_change_quantity)
    suspend = operation(_suspend)
    reactivate = operation(_reactivate)
    set_auto_renew = operation(_set_auto_renew)
    cancel = operation(_cancel)


class Subscriptions(SyncResource, _Operations):
    """``client.subscriptions``: read, change quantity, suspend, reactivate, auto-renew, cancel."""


class AsyncSubscriptions(AsyncResource, _Operations):
    """Read, change quantity, suspend, reactivate, auto-renew, cancel.

    ``client.subscriptions`` (async).
    """
