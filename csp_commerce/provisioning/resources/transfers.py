"""Partner-to-partner transfers of a customer's new-commerce subscriptions.

``create`` (the incoming partner) names the customer's current partner; ``update`` (the current
partner) submits it with its line items or cancels it. Writes carry the caller's
``request_id``: the step engine sends them (``operations/transfers.py``).
"""

from __future__ import annotations

from typing import Any

from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire.transfers import Transfer


def _path(customer_id: str, transfer_id: str | None = None) -> str:
    path = f"/v1/customers/{quote(customer_id)}/transfers"
    return path if transfer_id is None else f"{path}/{quote(transfer_id)}"


def _list(customer_id: str) -> PageSpec[Transfer]:
    """The customer's transfers (incoming and outgoing, active and complete)."""
    return PageSpec(Call("GET", _path(customer_id), collection(Transfer)))


def _get(customer_id: str, transfer_id: str) -> Call[Transfer]:
    """One transfer."""
    return Call("GET", _path(customer_id, transfer_id), model(Transfer))


def _create(
    customer_id: str, body: dict[str, Any], *, request_id: str | None = None
) -> Call[Transfer]:
    """Create a transfer (``sourcePartnerTenantId``, ``customerEmailId``, ``transferType``...)."""
    return Call("POST", _path(customer_id), model(Transfer), json=body, request_id=request_id)


def _update(
    customer_id: str, transfer_id: str, body: dict[str, Any], *, request_id: str | None = None
) -> Call[Transfer]:
    """Change a transfer: submit it (line items, ``status: "Complete"``) or cancel it."""
    return Call(
        "PATCH", _path(customer_id, transfer_id), model(Transfer), json=body, request_id=request_id
    )


class _Operations:
    list = listing(_list)
    get = operation(_get)
    create = operation(_create)
    update = operation(_update)


class Transfers(SyncResource, _Operations):
    """``client.transfers``: list, read, create, submit or cancel transfers."""


class AsyncTransfers(AsyncResource, _Operations):
    """``client.transfers`` (async): list, read, create, submit or cancel transfers."""
