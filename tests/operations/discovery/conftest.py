"""Fixtures: a seeded sandbox, a recording host plugin, and a discovery on both."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pluggy
import pytest

from csp_commerce.hooks.manager import HookManager
from csp_commerce.models.discovery import (
    DiscoveredCustomer,
    DiscoveredInvoice,
    DiscoveredSubscription,
)
from csp_commerce.operations import Discovery
from csp_commerce.sandbox import Sandbox, SandboxCredential
from csp_commerce.sandbox.seed_discovery import seed_sandbox
from csp_commerce.store import DiscoveryStore

hookimpl = pluggy.HookimplMarker("csp_commerce")


@dataclass
class Recorder:
    """A host plugin that keeps what discovery hands it."""

    customers: list[DiscoveredCustomer] = field(default_factory=list)
    subscriptions: list[DiscoveredSubscription] = field(default_factory=list)
    invoices: list[DiscoveredInvoice] = field(default_factory=list)

    @hookimpl
    def csp_discovered_customer(self, customer: DiscoveredCustomer) -> None:
        self.customers.append(customer)

    @hookimpl
    def csp_discovered_subscription(self, subscription: DiscoveredSubscription) -> None:
        self.subscriptions.append(subscription)

    @hookimpl
    def csp_discovered_invoice(self, invoice: DiscoveredInvoice) -> None:
        self.invoices.append(invoice)

    def clear(self) -> None:
        self.customers.clear()
        self.subscriptions.clear()
        self.invoices.clear()


@pytest.fixture
def sandbox() -> Sandbox:
    sandbox = Sandbox(seed=11)
    seed_sandbox(sandbox, 12, 3)
    return sandbox


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def store() -> Iterator[DiscoveryStore]:
    with DiscoveryStore(":memory:") as store:
        yield store


async def _no_wait(seconds: float) -> None:
    return None


def make_discovery(
    sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder, **options: Any
) -> Discovery:
    """A discovery of the sandbox's partner, fast (a high limit) unless told otherwise."""
    options.setdefault("requests_per_minute", 60_000)
    options.setdefault("sleep", _no_wait)  # export polls and retry delays pass at once
    options.setdefault("max_concurrency", 4)
    hooks = HookManager(builtins=False, entry_points=False, plugins=[recorder])
    return Discovery(
        "contoso", SandboxCredential(), store, hooks, transport=sandbox.transport(), **options
    )


@pytest.fixture
def discovery(sandbox: Sandbox, store: DiscoveryStore, recorder: Recorder) -> Discovery:
    return make_discovery(sandbox, store, recorder)
