"""The synchronous Partner Center client."""

from __future__ import annotations

import threading
import time
from types import GeneratorType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx
from tenacity import Retrying, retry_if_exception_type, stop_never

from csp_commerce.errors import RetrySignal
from csp_commerce.provisioning._core import (
    Call,
    ClientCore,
    Flow,
    Pacing,
    drive,
    log_retry,
    new_id,
    wait_from_signal,
)
from csp_commerce.provisioning._tokens import TokenProvider
from csp_commerce.provisioning.blobs import (
    BadRow,
    BlobPlan,
    blob_cut,
    blob_failure,
    blob_request,
    decoder_for,
)
from csp_commerce.provisioning.resources import (
    Agreements,
    Carts,
    CountryValidationRulesResource,
    Customers,
    Gdap,
    Invoices,
    Mfa,
    Orders,
    Products,
    Qualifications,
    Reconciliation,
    Relationships,
    SubscribedSkus,
    Subscriptions,
    Users,
    Validations,
    Webhooks,
)
from csp_commerce.provisioning.resources._resource import resource
from csp_commerce.provisioning.resources.audit import AuditRecords
from csp_commerce.provisioning.resources.promotions import Promotions
from csp_commerce.provisioning.resources.term_end_dates import TermEndDates
from csp_commerce.provisioning.resources.transfers import Transfers
from csp_commerce.provisioning.resources.transitions import Transitions

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import TracebackType

    from typing_extensions import Self

T = TypeVar("T")

_RETRY_SIGNAL = retry_if_exception_type(RetrySignal)


class PartnerCenterClient(ClientCore):
    """A resilient, typed Partner Center client (blocking I/O).

    Takes every option of :class:`~csp_commerce.provisioning._core.ClientCore`, and:

    :param http_client: an ``httpx.Client`` to send through (tests, the sandbox, proxies). The
        client closes only an HTTP client it created itself.
    :param sleep: how retries and pacing wait (tests pass a recorder).

    Safe to share between threads: at most ``max_in_flight`` requests are sent at once, and an
    HTTP client the client creates keeps that many connections alive.
    """

    def __init__(
        self,
        credential: Any,
        *,
        http_client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(credential, **options)
        self._owns_http = http_client is None
        self._http = (
            http_client if http_client is not None else httpx.Client(limits=self.pool_limits())
        )
        self._in_flight = threading.BoundedSemaphore(self.max_in_flight)
        self._sleep = sleep
        self._tokens = TokenProvider(credential, self.scope, clock=self.clock)
        self._graph_tokens = TokenProvider(credential, self.graph_scope, clock=self.clock)

    # resources ----------------------------------------------------------------------------

    customers = resource(Customers)
    validations = resource(Validations)
    country_validation_rules = resource(CountryValidationRulesResource)
    agreements = resource(Agreements)
    qualifications = resource(Qualifications)
    relationships = resource(Relationships)
    orders = resource(Orders)
    carts = resource(Carts)
    subscriptions = resource(Subscriptions)
    users = resource(Users)
    subscribed_skus = resource(SubscribedSkus)
    invoices = resource(Invoices)
    mfa = resource(Mfa)
    reconciliation = resource(Reconciliation)
    products = resource(Products)
    promotions = resource(Promotions)
    term_end_dates = resource(TermEndDates)
    audit_records = resource(AuditRecords)
    webhooks = resource(Webhooks)
    gdap = resource(Gdap)
    transitions = resource(Transitions)
    transfers = resource(Transfers)
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

    def _execute(self, plan: Call[T] | Flow[T]) -> T:
        if isinstance(plan, GeneratorType):
            return drive(cast("Flow[T]", plan), self._send, self._sleep)
        assert isinstance(plan, Call)
        return self._send(plan)

    def _send(self, call: Call[T]) -> T:
        """One logical operation: a fixed MS-RequestId, retried as the policy says."""
        self.preflight(call)
        request_id = call.request_id or new_id()
        retrying = Retrying(
            sleep=self._sleep,
            stop=stop_never,  # the policy owns the budget
            wait=wait_from_signal,
            retry=_RETRY_SIGNAL,
            before_sleep=log_retry,
            reraise=True,
        )
        pacing = Pacing()
        for attempt in retrying:
            with attempt:
                try:
                    return self._attempt(
                        call, request_id, attempt.retry_state.attempt_number, pacing
                    )
                except RetrySignal as signal:
                    self.retrying_after(signal, pacing)
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(self, call: Call[T], request_id: str, attempt: int, pacing: Pacing) -> T:
        tokens = self._graph_tokens if call.graph else self._tokens
        token = tokens.get()
        with self._in_flight:
            for wait in self.pacing_waits(call, pacing):
                self._sleep(wait)
            request = self.build_request(self._http, call, request_id, token)
            self.log_request(request)
            try:
                response = self._http.send(request)
            except httpx.TransportError as exc:
                raise self.transport_failure(call, request_id, attempt, exc) from exc
        return self.handle(call, response, request_id, attempt)

    def _stream(self, plan: BlobPlan[T]) -> Iterator[T | BadRow]:
        """Download ``plan``'s blobs in order, yielding each line's item as it arrives."""
        for blob in plan.blobs:
            request_id = new_id()
            request = blob_request(self._http, blob, request_id, self.timeout)
            try:
                response = self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                raise blob_cut(blob, request_id, exc) from exc
            try:
                if response.status_code != 200:
                    response.read()
                    raise blob_failure(blob, response, request_id)
                decoder = decoder_for(blob, plan.item, request_id)
                for chunk in response.iter_raw():
                    yield from decoder.feed(chunk)
                yield from decoder.finish()
            except httpx.TransportError as exc:
                raise blob_cut(blob, request_id, exc) from exc
            finally:
                response.close()

    def close(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PartnerCenterClient(base_url={self.base_url!r}, credential={self.credential!r})"
