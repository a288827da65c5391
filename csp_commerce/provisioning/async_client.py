"""The asynchronous Partner Center client (the same surface as the sync one)."""

from __future__ import annotations

import asyncio
from types import GeneratorType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_never

from csp_commerce.errors import RetrySignal
from csp_commerce.provisioning._core import (
    Call,
    ClientCore,
    Flow,
    Pacing,
    Wait,
    log_retry,
    new_id,
    wait_from_signal,
)
from csp_commerce.provisioning._tokens import AsyncTokenProvider
from csp_commerce.provisioning.blobs import (
    BadRow,
    BlobPlan,
    blob_cut,
    blob_failure,
    blob_request,
    decoder_for,
)
from csp_commerce.provisioning.pool import HttpBackend, async_transport
from csp_commerce.provisioning.resources import (
    AsyncAgreements,
    AsyncCarts,
    AsyncCountryValidationRulesResource,
    AsyncCustomers,
    AsyncGdap,
    AsyncInvoices,
    AsyncMfa,
    AsyncOrders,
    AsyncProducts,
    AsyncQualifications,
    AsyncReconciliation,
    AsyncRelationships,
    AsyncSubscribedSkus,
    AsyncSubscriptions,
    AsyncUsers,
    AsyncValidations,
    AsyncWebhooks,
)
from csp_commerce.provisioning.resources._resource import resource
from csp_commerce.provisioning.resources.audit import AsyncAuditRecords
from csp_commerce.provisioning.resources.promotions import AsyncPromotions
from csp_commerce.provisioning.resources.term_end_dates import AsyncTermEndDates
from csp_commerce.provisioning.resources.transfers import AsyncTransfers
from csp_commerce.provisioning.resources.transitions import AsyncTransitions

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from types import TracebackType

    from typing_extensions import Self

T = TypeVar("T")

_RETRY_SIGNAL = retry_if_exception_type(RetrySignal)


class AsyncPartnerCenterClient(ClientCore):
    """A resilient, typed Partner Center client for asyncio.

    Takes every option of :class:`~csp_commerce.provisioning._core.ClientCore`, and:

    :param http_client: an ``httpx.AsyncClient`` to send through (tests, the sandbox, proxies). The
        client closes only an HTTP client it created itself.
    :param sleep: how retries and pacing wait (tests pass a recorder).
    :param http_backend: the HTTP stack of an HTTP client the client creates: ``"httpcore"``
        (httpx's own, the default) or ``"aiohttp"`` (less CPU per request; needs the
        ``aiohttp`` extra). See :func:`~csp_commerce.provisioning.pool.async_transport`.

    At most ``max_in_flight`` requests are sent at once (the others wait their turn, and a
    request waiting out a retry's delay holds no turn); an HTTP client the client creates keeps
    that many connections alive, in small pools (:mod:`~csp_commerce.provisioning.pool`).
    """

    def __init__(
        self,
        credential: Any,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        http_backend: HttpBackend = "httpcore",
        **options: Any,
    ) -> None:
        super().__init__(credential, **options)
        self._owns_http = http_client is None
        self._http = (
            http_client
            if http_client is not None
            else httpx.AsyncClient(transport=async_transport(http_backend, self.max_in_flight))
        )
        self._in_flight = asyncio.BoundedSemaphore(self.max_in_flight)
        self._sleep = sleep
        self._tokens = AsyncTokenProvider(credential, self.scope, clock=self.clock)
        self._graph_tokens = AsyncTokenProvider(credential, self.graph_scope, clock=self.clock)

    # resources ----------------------------------------------------------------------------

    customers = resource(AsyncCustomers)
    validations = resource(AsyncValidations)
    country_validation_rules = resource(AsyncCountryValidationRulesResource)
    agreements = resource(AsyncAgreements)
    qualifications = resource(AsyncQualifications)
    relationships = resource(AsyncRelationships)
    orders = resource(AsyncOrders)
    carts = resource(AsyncCarts)
    subscriptions = resource(AsyncSubscriptions)
    users = resource(AsyncUsers)
    subscribed_skus = resource(AsyncSubscribedSkus)
    invoices = resource(AsyncInvoices)
    mfa = resource(AsyncMfa)
    reconciliation = resource(AsyncReconciliation)
    products = resource(AsyncProducts)
    promotions = resource(AsyncPromotions)
    term_end_dates = resource(AsyncTermEndDates)
    audit_records = resource(AsyncAuditRecords)
    webhooks = resource(AsyncWebhooks)
    gdap = resource(AsyncGdap)
    transitions = resource(AsyncTransitions)
    transfers = resource(AsyncTransfers)
    # plumbing -----------------------------------------------------------------------------

    def with_options(self, **overrides: Any) -> Self:
        """A copy with some options changed (e.g. ``correlation_id=`` per checkout).

        The copy shares this client's HTTP client, its budget, its cap on requests in flight
        and, unless the credential changes, its token cache.
        """
        options = {**self.options(), "http_client": self._http, "sleep": self._sleep}
        options.update(overrides)
        copy = type(self)(**options)
        if copy.credential is self.credential and copy.scope == self.scope:
            copy._tokens = self._tokens
            copy._graph_tokens = self._graph_tokens
        if copy.max_in_flight == self.max_in_flight:
            copy._in_flight = self._in_flight  # one cap for the client and its copies
        return copy

    async def _execute(self, plan: Call[T] | Flow[T]) -> T:
        if not isinstance(plan, GeneratorType):
            assert isinstance(plan, Call)
            return await self._send(plan)
        result: Any = None
        while True:
            try:
                step = plan.send(result)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            if isinstance(step, Wait):
                await self._sleep(step.seconds)
                result = None
            else:
                result = await self._send(step)

    async def _send(self, call: Call[T]) -> T:
        """One logical operation: a fixed MS-RequestId, retried as the policy says."""
        self.preflight(call)
        request_id = call.request_id or new_id()
        retrying = AsyncRetrying(
            sleep=self._sleep,
            stop=stop_never,  # the policy owns the budget
            wait=wait_from_signal,
            retry=_RETRY_SIGNAL,
            before_sleep=log_retry,
            reraise=True,
        )
        pacing = Pacing()
        async for attempt in retrying:
            with attempt:
                try:
                    return await self._attempt(
                        call, request_id, attempt.retry_state.attempt_number, pacing
                    )
                except RetrySignal as signal:
                    self.retrying_after(signal, pacing)
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, call: Call[T], request_id: str, attempt: int, pacing: Pacing) -> T:
        tokens = self._graph_tokens if call.graph else self._tokens
        token = await tokens.get()
        async with self._in_flight:
            for wait in self.pacing_waits(call, pacing):
                await self._sleep(wait)
            request = self.build_request(self._http, call, request_id, token)
            self.log_request(request)
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                raise self.transport_failure(call, request_id, attempt, exc) from exc
        return self.handle(call, response, request_id, attempt)

    async def _stream(self, plan: BlobPlan[T]) -> AsyncIterator[T | BadRow]:
        """Download ``plan``'s blobs in order, yielding each line's item as it arrives."""
        for blob in plan.blobs:
            request_id = new_id()
            request = blob_request(self._http, blob, request_id, self.timeout)
            try:
                response = await self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                raise blob_cut(blob, request_id, exc) from exc
            try:
                if response.status_code != 200:
                    await response.aread()
                    raise blob_failure(blob, response, request_id)
                decoder = decoder_for(blob, plan.item, request_id)
                async for chunk in response.aiter_raw():
                    for item in decoder.feed(chunk):
                        yield item
                for item in decoder.finish():
                    yield item
            except httpx.TransportError as exc:
                raise blob_cut(blob, request_id, exc) from exc
            finally:
                await response.aclose()

    async def close(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return (
            f"AsyncPartnerCenterClient(base_url={self.base_url!r}, credential={self.credential!r})"
        )
