"""The checkout for asyncio hosts: :class:`AsyncCheckout`, the same checkout awaited.

It runs :class:`~csp_commerce.checkout.Checkout`'s own programs (place, resume, approve) with an
:class:`~csp_commerce.fulfilment.AsyncProvisioner`: the same judging, approval queue, saga and
step engine, every Partner Center call awaited in the caller's task (no thread). Ledger writes
and hooks run inline, as they are synchronous (see :mod:`csp_commerce.fulfilment.program`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypeVar

from csp_commerce.checkout.checkout import Checkout
from csp_commerce.store.approvals import ApprovalStatus

if TYPE_CHECKING:
    from csp_commerce.checkout.facts_cache import FactsCache
    from csp_commerce.fulfilment.order_saga import AsyncProvisioner
    from csp_commerce.fulfilment.program import Program
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models import (
        BillingOptions,
        CheckoutFacts,
        CheckoutResult,
        McaAcceptance,
        McaFacts,
        Offer,
        Order,
        Problem,
        ProvisioningOutcome,
    )
    from csp_commerce.models.settings import CheckoutSettings
    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.store.approvals import HeldOrder
    from csp_commerce.store.mca_log import McaEvidenceLog

T = TypeVar("T")


class AsyncCheckout:
    """:class:`~csp_commerce.checkout.Checkout` for asyncio hosts (FastAPI, aiohttp, Starlette).

    Takes the checkout's parameters, with an
    :class:`~csp_commerce.fulfilment.AsyncProvisioner` over an
    :class:`~csp_commerce.provisioning.AsyncPartnerCenterClient`; :meth:`validate`,
    :meth:`place`, :meth:`resume` and :meth:`approve` are awaited and behave exactly as the
    checkout's (they run the same code). Facts are gathered with ``gather_facts_async`` (its
    fetches concurrent), and Partner Center's country rules for the order's address are fetched
    before judging, since hooks cannot await. It shares the ledger with sync checkouts and
    workers: an order either began is finished by the other's ``resume``.

    The checkout it runs is :attr:`checkout` (for its sync-only parts: hooks, settings).
    """

    def __init__(
        self,
        hooks: HookManager | None = None,
        settings: CheckoutSettings | None = None,
        mca_log: McaEvidenceLog | None = None,
        provisioner: AsyncProvisioner | None = None,
        facts_cache: FactsCache | None = None,
    ) -> None:
        self.checkout = Checkout(hooks, settings, mca_log, provisioner, facts_cache)
        self.provisioner = provisioner

    @property
    def hooks(self) -> HookManager:
        """The hooks orders are judged and reported by (as :attr:`Checkout.hooks`)."""
        return self.checkout.hooks

    @property
    def settings(self) -> CheckoutSettings:
        """The checkout's settings."""
        return self.checkout.settings

    @property
    def facts_cache(self) -> FactsCache:
        """The facts kept for the next orders of a batch."""
        return self.checkout.facts_cache

    async def validate(self, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
        """:meth:`Checkout.validate`, after fetching the country rules of the order's address."""
        if self.checkout.country_rules is not None and self.provisioner is not None:
            await self.checkout.country_rules.prefetch(order.customer.address.country)
        return self.checkout.validate(order, facts)

    async def place(self, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
        """:meth:`Checkout.place`, awaited."""
        provisioner = self._provisioner()
        return await self._run(self.checkout._placing(provisioner, order, facts))

    async def resume(self) -> list[ProvisioningOutcome]:
        """:meth:`Checkout.resume`, awaited."""
        provisioner = self._provisioner()
        return await self._run(self.checkout._resuming(provisioner))

    async def approve(self, order_id: str, *, by: str | None = None) -> CheckoutResult:
        """:meth:`Checkout.approve`, awaited."""
        provisioner = self._provisioner()
        return await self._run(self.checkout._approving(provisioner, order_id, by))

    def reject(self, order_id: str, reason: str, *, by: str | None = None) -> HeldOrder:
        """:meth:`Checkout.reject` (a ledger write only: not awaited)."""
        return self.checkout.reject(order_id, reason, by=by)

    def held_orders(self, status: ApprovalStatus | None = ApprovalStatus.HELD) -> list[HeldOrder]:
        """:meth:`Checkout.held_orders`."""
        return self.checkout.held_orders(status)

    def billing_options(self, offer: Offer) -> BillingOptions:
        """:meth:`Checkout.billing_options`."""
        return self.checkout.billing_options(offer)

    def record_mca_acceptance(self, acceptance: McaAcceptance) -> list[Problem]:
        """:meth:`Checkout.record_mca_acceptance`."""
        return self.checkout.record_mca_acceptance(acceptance)

    def mca_facts(self, customer_reference: str) -> McaFacts:
        """:meth:`Checkout.mca_facts`."""
        return self.checkout.mca_facts(customer_reference)

    def _provisioner(self) -> AsyncProvisioner:
        if self.provisioner is None:
            self.checkout._provisioner()  # raises ConfigurationError, saying what to pass
        assert self.provisioner is not None
        return self.provisioner

    async def _run(self, program: Program[T]) -> T:
        return await self._provisioner().engine.arun(program)


async def facts_async(
    checkout: Checkout,
    client: AsyncPartnerCenterClient,
    order: Order,
    facts: CheckoutFacts | None,
) -> CheckoutFacts:
    """The facts an async checkout judges ``order`` by (``facts``, or gathered with the
    checkout's cache), with the country rules of its address fetched at the same time."""
    from csp_commerce.checkout.gather_facts import gather_facts_async

    rules = checkout.country_rules
    prefetch = rules.prefetch(order.customer.address.country) if rules is not None else None
    if facts is None:
        gathering = gather_facts_async(client, order, cache=checkout.facts_cache)
        if prefetch is None:
            return await gathering
        gathered, _ = await asyncio.gather(gathering, prefetch)
        return gathered
    if prefetch is not None:
        await prefetch
    return facts


__all__ = ["AsyncCheckout"]
