"""The catalog: products, their SKUs, and the SKUs' availabilities."""

from __future__ import annotations

from csp_commerce.provisioning._core import Call, PageSpec, collection, model
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import Availability, Product, Sku


def _list(country: str, *, target_view: str = "OnlineServices") -> PageSpec[Product]:
    """The products sold in ``country`` in a catalog view (``OnlineServices``: new commerce)."""
    params: dict[str, str | int] = {"country": country, "targetView": target_view}
    return PageSpec(Call("GET", "/v1/products", collection(Product), params=params))


def _skus(product_id: str, country: str) -> PageSpec[Sku]:
    """A product's SKUs in ``country``."""
    return PageSpec(
        Call(
            "GET",
            f"/v1/products/{quote(product_id)}/skus",
            collection(Sku),
            params={"country": country},
        )
    )


def _availabilities(product_id: str, sku_id: str, country: str) -> PageSpec[Availability]:
    """A SKU's availabilities in ``country`` (their ``catalog_item_id`` goes in a cart)."""
    return PageSpec(
        Call(
            "GET",
            f"/v1/products/{quote(product_id)}/skus/{quote(sku_id)}/availabilities",
            collection(Availability),
            params={"country": country},
        )
    )


def _get(product_id: str, country: str) -> Call[Product]:
    """One product as sold in ``country``."""
    path = f"/v1/products/{quote(product_id)}"
    return Call("GET", path, model(Product), params={"country": country})


def _sku(product_id: str, sku_id: str, country: str) -> Call[Sku]:
    """One SKU of a product, in ``country``."""
    path = f"/v1/products/{quote(product_id)}/skus/{quote(sku_id)}"
    return Call("GET", path, model(Sku), params={"country": country})


def _availability(
    product_id: str, sku_id: str, availability_id: str, country: str
) -> Call[Availability]:
    """One availability of a SKU, in ``country``."""
    path = (
        f"/v1/products/{quote(product_id)}/skus/{quote(sku_id)}"
        f"/availabilities/{quote(availability_id)}"
    )
    return Call("GET", path, model(Availability), params={"country": country})


class _Operations:
    list = listing(_list)
    get = operation(_get)
    skus = listing(_skus)
    sku = operation(_sku)
    availabilities = listing(_availabilities)
    availability = operation(_availability)


class Products(SyncResource, _Operations):
    """``client.products``: the catalog: products, SKUs, availabilities."""


class AsyncProducts(AsyncResource, _Operations):
    """``client.products`` (async): the catalog: products, SKUs, availabilities."""
