"""The sync and async clients expose the same resources and methods, resource by resource."""

from __future__ import annotations

import inspect
from functools import cached_property
from typing import Any

import httpx
import pytest
from pc_fakes import FakeCredential

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.resources._resource import AsyncResource, SyncResource


def public(obj: Any) -> set[str]:
    return {name for name in dir(obj) if not name.startswith("_")}


RESOURCES = sorted(
    name
    for name in public(PartnerCenterClient)
    if isinstance(getattr(PartnerCenterClient, name), cached_property)
)


def test_clients_have_the_same_public_surface() -> None:
    assert public(PartnerCenterClient) == public(AsyncPartnerCenterClient)
    assert len(RESOURCES) >= 13


@pytest.mark.parametrize("name", RESOURCES)
async def test_resource_methods_match(name: str) -> None:
    sync_client = PartnerCenterClient(FakeCredential(), http_client=httpx.Client())
    async with httpx.AsyncClient() as http:
        async_client = AsyncPartnerCenterClient(FakeCredential(), http_client=http)
        sync_resource = getattr(sync_client, name)
        async_resource = getattr(async_client, name)
        assert isinstance(sync_resource, SyncResource)
        assert isinstance(async_resource, AsyncResource)
        methods = public(sync_resource)
        assert methods, name
        assert methods == public(async_resource)
        for method in methods:
            sync_method = getattr(sync_resource, method)
            async_method = getattr(async_resource, method)
            assert inspect.signature(sync_method) == inspect.signature(async_method), method
            assert sync_method.__doc__ and sync_method.__doc__ == async_method.__doc__
            assert not inspect.iscoroutinefunction(sync_method)
    sync_client.close()


def test_async_operations_are_coroutines_and_listings_async_pagers() -> None:
    client = AsyncPartnerCenterClient(FakeCredential(), http_client=httpx.AsyncClient())
    assert inspect.iscoroutinefunction(client.customers.get)
    assert not inspect.iscoroutinefunction(client.customers.list)
    assert hasattr(client.customers.list(), "__aiter__")
