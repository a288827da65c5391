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
    log_retry,
    new_id,
    wait_from_signal,
)
from csp_commerce.provisioning._tokens import AsyncTokenProvider
from csp_commerce.provisioning.resources import (
    AsyncAgreements,
    AsyncCarts,
    AsyncCountryValidationRulesResource,
    AsyncCustomers,
    AsyncGdap,
    AsyncInvoices,
    AsyncOrders,
    AsyncProducts,
    AsyncQualifications,
    AsyncRelationships,
    AsyncSubscribedSkus,
    AsyncSubscriptions,
    AsyncUsers,
    AsyncValidations,
    AsyncWebhooks,
)
from csp_commerce.provisioning.resources._resource import resource
from csp_commerce.provisioning.resources.audit import AsyncAuditRecords

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

    from typing_extensions import Self

T = TypeVar("T")

_RETRY_SIGNAL = retry_if_exception_type(RetrySignal)


class AsyncPartnerCenterClient(ClientCore):
    """A resilient, typed Partner Center client for asyncio.

    Takes every option of :class:`~csp_commerce.provisioning._core.ClientCore`, and:

    :param http_client: an ``httpx.AsyncClient`` to send through (tests, the sandbox, proxies). The
        client closes only an HTTP client it created itself.
    :param sleep: how retries wait (tests pass a recorder).
    """

    def __init__(
        self,
        credential: Any,
        *,
        http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        **options: Any,
    ) -> None:
        super().__init__(credential, **options)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient()
        self._sleep = sleep
        self._tokens = AsyncTokenProvider(credential, self.scope, clock=self.clock)
        self._graph_tokens = AsyncTokenProvider(
            credential, self.endpoints.graph_scope, clock=self.clock
        )

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
    products = resource(AsyncProducts)
    audit_records = resource(AsyncAuditRecords)
    webhooks = resource(AsyncWebhooks)
    gdap = resource(AsyncGdap)
    # plumbing -----------------------------------------------------------------------------

    def with_options(self, **overrides: Any) -> Self:
        """A copy with some options changed (e.g. ``correlation_id=`` per checkout).

        The copy shares this client's HTTP client and, unless the credential changes, its
        token cache.
        """
        options = {**self.options(), "http_client": self._http, "sleep": self._sleep}
        options.update(overrides)
        copy = type(self)(**options)
        if copy.credential is self.credential and copy.scope == self.scope:
            copy._tokens = self._tokens
            copy._graph_tokens = self._graph_tokens
        return copy

    async def _execute(self, plan: Call[T] | Flow[T]) -> T:
        if not isinstance(plan, GeneratorType):
            assert isinstance(plan, Call)
            return await self._send(plan)
        result: Any = None
        while True:
            try:
                call = plan.send(result)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            result = await self._send(call)

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
        async for attempt in retrying:
            with attempt:
                return await self._attempt(call, request_id, attempt.retry_state.attempt_number)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(self, call: Call[T], request_id: str, attempt: int) -> T:
        request = self.build_request(
            self._http, call, request_id, await self._token_source(call).get()
        )
        self.log_request(request)
        try:
            response = await self._http.send(request)
        except httpx.TransportError as exc:
            raise self.transport_failure(call, request_id, attempt, exc) from exc
        return self.handle(call, response, request_id, attempt)

    def _token_source(self, call: Call[Any]) -> AsyncTokenProvider:
        return self._graph_tokens if call.graph else self._tokens

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
