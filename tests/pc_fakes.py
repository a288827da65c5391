"""Fakes for Partner Center client tests: a credential, recorded sleeps, respx fixtures.

Loaded for the whole suite by tests/conftest.py (pytest_plugins); helpers are imported by name:
``from pc_fakes import FakeCredential, pc_error``.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.auth import AccessToken, CredentialKind

BASE = "https://api.partnercenter.microsoft.com"
TOKEN = "eyJ0eXAi.secret-access-token.sig"


class FakeCredential:
    """A TokenCredential that counts calls; ``kind`` is configurable (None: unknown object)."""

    def __init__(self, kind: CredentialKind | None = CredentialKind.APP_USER) -> None:
        if kind is not None:
            self.kind = kind
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.calls += 1
        return AccessToken(TOKEN, int(time.time()) + 3600)


class Sleeps(list[float]):
    """Records the delays a client would have slept."""

    def __call__(self, delay: float) -> None:
        self.append(delay)


class AsyncSleeps(list[float]):
    async def __call__(self, delay: float) -> None:
        self.append(delay)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def async_sleeps() -> AsyncSleeps:
    return AsyncSleeps()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def client(router: respx.MockRouter, sleeps: Sleeps) -> Iterator[PartnerCenterClient]:
    with (
        httpx.Client() as http,
        PartnerCenterClient(
            FakeCredential(), http_client=http, sleep=sleeps, rng=random.Random(7)
        ) as pc,
    ):
        yield pc


@pytest.fixture
async def async_client(
    router: respx.MockRouter, async_sleeps: AsyncSleeps
) -> AsyncIterator[AsyncPartnerCenterClient]:
    async with (
        httpx.AsyncClient() as http,
        AsyncPartnerCenterClient(
            FakeCredential(), http_client=http, sleep=async_sleeps, rng=random.Random(7)
        ) as pc,
    ):
        yield pc


def pc_error(status: int, code: int, description: str = "error", **headers: str) -> httpx.Response:
    """A Partner Center error response."""
    body = {"code": code, "description": description, "data": [], "source": "PartnerFD"}
    return httpx.Response(status, json=body, headers=headers)


def collection(
    items: list[dict[str, Any]], next_token: str | None = None, next_uri: str = ""
) -> dict[str, Any]:
    """A Partner Center collection, with a ``links.next`` when ``next_token`` is given."""
    body: dict[str, Any] = {
        "totalCount": len(items),
        "items": items,
        "attributes": {"objectType": "Collection"},
    }
    if next_token is not None:
        body["links"] = {
            "next": {
                "uri": next_uri,
                "method": "GET",
                "headers": [{"key": "MS-ContinuationToken", "value": next_token}],
            }
        }
    return body
