"""Legacy orders, new-commerce carts and checkout, order provisioning status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    Cart,
    CartCheckoutResult,
    CartLineItem,
    OrderLineItem,
    PCOrder,
    ProvisioningStatus,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


def _orders_path(customer_id: str) -> str:
    return f"/v1/customers/{quote(customer_id)}/orders"


def _create_order(
    customer_id: str,
    line_items: Sequence[OrderLineItem],
    *,
    billing_cycle: str = "monthly",
    request_id: str | None = None,
) -> Call[PCOrder]:
    """Place a legacy order. An indirect reseller's MPN goes on each line's
    ``partner_id_on_record``; line numbers must run 0..n-1."""
    numbers = sorted(line.line_item_number for line in line_items)
    if not line_items or numbers != list(range(len(line_items))):
        raise ValueError("line_item_number must run 0..n-1 (Partner Center's 800071)")
    body = {
        "referenceCustomerId": customer_id,
        "billingCycle": billing_cycle,
        "lineItems": [line.to_wire() for line in line_items],
    }
    return Call("POST", _orders_path(customer_id), model(PCOrder), json=body, request_id=request_id)


def _list_orders(customer_id: str) -> PageSpec[PCOrder]:
    """The customer's orders (new ones may take minutes to appear)."""
    return PageSpec(Call("GET", _orders_path(customer_id), collection(PCOrder)))


def _get_order(customer_id: str, order_id: str) -> Call[PCOrder]:
    """One order."""
    return Call("GET", f"{_orders_path(customer_id)}/{quote(order_id)}", model(PCOrder))


def _provisioning_status(customer_id: str, order_id: str) -> PageSpec[ProvisioningStatus]:
    """The provisioning status of each line of an order (app+user)."""
    return PageSpec(
        Call(
            "GET",
            f"{_orders_path(customer_id)}/{quote(order_id)}/provisioningstatus",
            collection(ProvisioningStatus),
            app_user=True,
        )
    )


class _OrderOperations:
    create = operation(_create_order)
    list = listing(_list_orders)
    get = operation(_get_order)
    provisioning_status = listing(_provisioning_status)


class Orders(SyncResource, _OrderOperations):
    """``client.orders``: legacy orders and provisioning status."""


class AsyncOrders(AsyncResource, _OrderOperations):
    """``client.orders`` (async): legacy orders and provisioning status."""


# carts ----------------------------------------------------------------------------------------


def _carts_path(customer_id: str) -> str:
    return f"/v1/customers/{quote(customer_id)}/carts"


def _create_cart(
    customer_id: str,
    line_items: Sequence[CartLineItem],
    *,
    partner_on_record_attestation_accepted: bool | None = None,
    request_id: str | None = None,
) -> Call[Cart]:
    """Create a new-commerce cart. Lines carry catalog item, quantity, term, billing cycle and
    (for an indirect reseller) ``participants=[transaction_reseller(mpn)]``; the partner-of-record
    attestation is then accepted unless ``partner_on_record_attestation_accepted`` says otherwise.
    """
    if not line_items:
        raise ValueError("a cart needs at least one line")
    body: dict[str, object] = {"lineItems": [line.to_wire() for line in line_items]}
    attested = partner_on_record_attestation_accepted
    if attested is None and any(line.participants for line in line_items):
        attested = True
    if attested is not None:
        body["partnerOnRecordAttestationAccepted"] = attested
    return Call("POST", _carts_path(customer_id), model(Cart), json=body, request_id=request_id)


def _get_cart(customer_id: str, cart_id: str) -> Call[Cart]:
    """A cart."""
    return Call("GET", f"{_carts_path(customer_id)}/{quote(cart_id)}", model(Cart))


def _update_cart(customer_id: str, cart: Cart, *, request_id: str | None = None) -> Call[Cart]:
    """Replace a cart with ``cart`` (as read, changed)."""
    return Call(
        "PUT",
        f"{_carts_path(customer_id)}/{quote(cart.id)}",
        model(Cart),
        json=cart.to_wire(),
        request_id=request_id,
    )


def _checkout(
    customer_id: str, cart_id: str, *, request_id: str | None = None
) -> Call[CartCheckoutResult]:
    """Check a cart out. Partial success is an answer, not an error: the orders placed and
    the failed order groups come back side by side. 800064 (busy) is retried with a delay;
    800065 raises :class:`CartAlreadySubmittedError`."""
    return Call(
        "POST",
        f"{_carts_path(customer_id)}/{quote(cart_id)}/checkout",
        model(CartCheckoutResult),
        request_id=request_id,
    )


class _CartOperations:
    create = operation(_create_cart)
    get = operation(_get_cart)
    update = operation(_update_cart)
    checkout = operation(_checkout)


class Carts(SyncResource, _CartOperations):
    """``client.carts``: new-commerce carts and checkout."""


class AsyncCarts(AsyncResource, _CartOperations):
    """``client.carts`` (async): new-commerce carts and checkout."""
