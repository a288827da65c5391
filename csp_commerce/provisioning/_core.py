"""The pure core both clients share: what a call is, how its request is built, how a response
becomes a model or an error, and when an attempt is retried.

Nothing here sends, sleeps or awaits: :mod:`client` and :mod:`async_client` own the I/O loops
(tenacity drives them) and call into this module for every decision.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from csp_commerce import errors as E
from csp_commerce.errors import ConfigurationError, RetrySignal
from csp_commerce.models.clouds import ENDPOINTS, Cloud, CloudEndpoints
from csp_commerce.provisioning.auth import CredentialKind, credential_kind
from csp_commerce.provisioning.pacing import Budget, PartnerBudget, api_family
from csp_commerce.provisioning.retry import RetryPolicy
from csp_commerce.provisioning.wire._pc_model import Collection, Link

if TYPE_CHECKING:
    from tenacity import RetryCallState

T = TypeVar("T")
ItemT = TypeVar("ItemT")

logger = logging.getLogger("csp_commerce.provisioning")

CONTRACT_VERSION = "v1"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_APPLICATION = "csp_commerce"
#: Requests one client sends at once unless told otherwise (its connection pool's size too).
DEFAULT_MAX_IN_FLIGHT = 50
#: Headers whose values never reach a log line.
SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})


def new_id() -> str:
    """A fresh MS-RequestId / MS-CorrelationId."""
    return str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------
# Calls: the one description of a request that both twins execute


@dataclass(frozen=True)
class Call(Generic[T]):
    """One logical operation: the request, who may send it, and how its answer is read.

    :ivar parse: turns a successful (or ``accept``-ed) response into the result.
    :ivar app_user: needs an app+user token (checked before any request).
    :ivar capability: a :class:`CloudEndpoints` flag the cloud must have.
    :ivar request_id: the caller's MS-RequestId (else a new one per operation).
    :ivar context: narrows error mapping (``"mpa"``: codes 2000-2206 are MPA status errors).
    :ivar accept: non-2xx statuses that are answers, not errors (domain HEAD's 404).
    :ivar recover: turns a known error into a result, or re-raises it.
    :ivar graph: sent to Microsoft Graph (the cloud's Graph base, a Graph-scoped token) rather
        than to Partner Center.
    """

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, str | int] | None = None
    json: Any = None
    headers: Mapping[str, str] | None = None
    app_user: bool = False
    capability: str | None = None
    request_id: str | None = None
    context: str | None = None
    accept: frozenset[int] = frozenset()
    recover: Callable[[E.PartnerCenterError], T] | None = None
    graph: bool = False


@dataclass(frozen=True)
class Wait:
    """A pause inside a flow (an export being polled): the client sleeps ``seconds`` with its
    own ``sleep`` and sends ``None`` back."""

    seconds: float


#: A multi-step operation: yields calls (or waits), receives their results, returns the result.
Flow = Generator["Call[Any] | Wait", Any, T]


@dataclass(frozen=True)
class PageSpec(Generic[ItemT]):
    """A paged listing: its first call, and offset paging's page size (None: follow links)."""

    first: Call[Collection[ItemT]]
    offset_size: int | None = None

    def next_call(
        self, page: Collection[ItemT], current: Call[Collection[ItemT]]
    ) -> Call[Collection[ItemT]] | None:
        """The call for the page after ``page``, or None when it was the last."""
        if self.offset_size is not None:
            params = dict(current.params or {})
            offset = int(params.get("offset", 0)) + len(page.items)
            # A short page ends the listing, unless the server capped the page below the size
            # asked and its totalCount says more remain (Partner Center often counts only the
            # page's own items there, which ends it as it should).
            more = page.total_count is not None and page.total_count > offset
            if not page.items or (len(page.items) < self.offset_size and not more):
                return None
            params["offset"] = offset
            return replace(current, params=params, request_id=None)
        link = page.next_link
        if link is None:
            return None
        headers = {header.key: header.value for header in link.headers}
        following = replace(
            current,
            method=link.method.upper() or "GET",
            path=_link_path(link),
            params=None,
            headers=headers,
            request_id=None,
        )
        if following.path == current.path and following.headers == current.headers:
            return None  # a server repeating itself would otherwise loop forever
        return following


def _link_path(link: Link) -> str:
    uri = link.uri
    if uri.startswith(("http://", "https://", "/v1/", "/sandbox/")):
        return uri
    return "/v1" + (uri if uri.startswith("/") else "/" + uri)


# ---------------------------------------------------------------------------------------------
# Parsers


def _validate(adapter: TypeAdapter[T], response: httpx.Response) -> T:
    return adapter.validate_json(response.content)


def model(cls: type[T]) -> Callable[[httpx.Response], T]:
    """Parse the body as ``cls``."""
    adapter = _adapter(cls)
    return lambda response: _validate(adapter, response)


def collection(cls: type[ItemT]) -> Callable[[httpx.Response], Collection[ItemT]]:
    """Parse the body as a collection of ``cls``."""
    return model(Collection[cls])  # type: ignore[valid-type]


def items_or_list(cls: type[ItemT]) -> Callable[[httpx.Response], list[ItemT]]:
    """Parse a bare JSON array of ``cls``, or a collection's items."""
    as_list = _adapter(list[cls])  # type: ignore[valid-type]
    as_collection = _adapter(Collection[cls])  # type: ignore[valid-type]

    def parse(response: httpx.Response) -> list[ItemT]:
        if response.content.lstrip()[:1] == b"[":
            return list(as_list.validate_json(response.content))
        return list(as_collection.validate_json(response.content).items)

    return parse


def status_is(status: int) -> Callable[[httpx.Response], bool]:
    """Parse nothing: the answer is whether the status was ``status``."""
    return lambda response: response.status_code == status


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(tp)
    if adapter is None:
        adapter = _ADAPTERS[tp] = TypeAdapter(tp)
    return adapter


# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True)
class ErrorBody:
    """Partner Center's error body, read defensively (both the business and the 429 shape)."""

    code: int | str | None = None
    description: str | None = None
    data: list[Any] = field(default_factory=list)
    is_retryable: bool | None = None
    raw: dict[str, Any] | None = None


def read_error(response: httpx.Response) -> ErrorBody:
    """The error body of ``response`` (empty when it is not a JSON object)."""
    try:
        body = json.loads(response.content) if response.content else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ErrorBody()
    raw = body
    inner = body.get("error")
    if isinstance(inner, dict) and "code" not in body:  # Microsoft Graph's error shape
        body = inner
    # A throttling body's ``statusCode`` is the HTTP status, not a business code.
    code = body.get("code")
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    if not isinstance(code, int | str):
        code = None
    description = body.get("description") or body.get("message")
    data = body.get("data")
    retryable = body.get("isRetryable")
    return ErrorBody(
        code=code,
        description=str(description) if description is not None else None,
        data=data if isinstance(data, list) else [],
        is_retryable=retryable if isinstance(retryable, bool) else None,
        raw=raw,
    )


_CODE_CLASSES: dict[int, type[E.APIStatusError]] = {
    600061: E.AgreementAlreadyConfirmedError,
    13605: E.McaNotAcceptedError,
    800060: E.OrderInProgressError,
    800064: E.CartBusyError,
    800065: E.CartAlreadySubmittedError,
    600002: E.RegistrationNumberError,
    600049: E.RegistrationNumberError,
    600050: E.RegistrationNumberError,
    600051: E.PhoneNumberRequiredError,
    2055: E.StaleETagError,
    900421: E.MfaRequiredError,
}

_STATUS_CLASSES: dict[int, type[E.APIStatusError]] = {
    400: E.BadRequestError,
    401: E.AuthenticationError,
    403: E.PermissionDeniedError,
    404: E.NotFoundError,
    409: E.ConflictError,
    412: E.PreconditionFailedError,
    417: E.PreconditionFailedError,
    429: E.RateLimitError,
}


def error_class(status: int, code: int | str | None, context: str | None) -> type[E.APIStatusError]:
    """The exception class for an error status and Partner Center code."""
    if isinstance(code, int):
        if context == "mpa" and 2000 <= code <= 2206:
            return E.MpaStatusError
        if code == 3000 and status == 404:
            return E.UnknownMpnError
        known = _CODE_CLASSES.get(code)
        if known is not None:
            return known
    if status >= 500:
        return E.InternalServerError
    return _STATUS_CLASSES.get(status, E.APIStatusError)


def status_error(
    response: httpx.Response,
    body: ErrorBody,
    *,
    request_id: str,
    correlation_id: str,
    context: str | None,
    retry_after: float | None,
) -> E.APIStatusError:
    """The typed exception for an error response."""
    status = response.status_code
    cls = error_class(status, body.code, context)
    message = f"Partner Center answered HTTP {status}"
    if body.code is not None and body.code != status:
        message += f" code {body.code}"
    if body.description:
        message += f": {body.description}"
    if cls is E.MfaRequiredError:
        message += f" ({E.MFA_ADVICE})"
    kwargs: dict[str, Any] = {
        "status_code": status,
        "request_id": request_id,
        "correlation_id": correlation_id,
        "code": body.code,
        "description": body.description,
        "data": body.data,
        "body": body.raw,
    }
    if issubclass(cls, E.RateLimitError):
        if retry_after is not None:
            message += f" (retry after {retry_after:g}s)"
        return cls(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)


def wait_from_signal(state: RetryCallState) -> float:
    """tenacity ``wait``: the delay the policy computed for this retry."""
    outcome = state.outcome
    signal = outcome.exception() if outcome is not None else None
    return signal.decision.delay if isinstance(signal, RetrySignal) else 0.0


def log_retry(state: RetryCallState) -> None:
    """tenacity ``before_sleep``: one INFO line per retry (attempt, delay, reason)."""
    outcome = state.outcome
    signal = outcome.exception() if outcome is not None else None
    if not isinstance(signal, RetrySignal):  # pragma: no cover - only signals are retried
        return
    logger.info(
        "Partner Center %s %s: attempt %d failed (%s); retrying in %.3fs (request id %s)",
        signal.call.method,
        signal.call.path,
        state.attempt_number,
        signal.decision.reason,
        signal.decision.delay,
        signal.error.request_id,
    )


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers fit for a log line: secrets replaced by ``***``."""
    return {
        key: ("***" if key.lower() in SECRET_HEADERS else value) for key, value in headers.items()
    }


# ---------------------------------------------------------------------------------------------
# The shared client configuration and per-attempt logic


@dataclass
class Pacing:
    """One logical operation's pacing state: the time its next attempt may count from."""

    not_before: float = 0.0


def resolve_cloud(cloud: Cloud | CloudEndpoints | str) -> CloudEndpoints:
    """The endpoints of ``cloud`` (a :class:`Cloud`, its value, or custom endpoints)."""
    if isinstance(cloud, CloudEndpoints):
        return cloud
    try:
        return ENDPOINTS[Cloud(cloud)]
    except ValueError:
        raise ConfigurationError(f"unknown cloud {cloud!r}") from None


class ClientCore:
    """Configuration and every decision the sync and async clients share.

    :param credential: any object with azure-core's ``get_token(*scopes)`` (ours from
        :mod:`csp_commerce.provisioning.auth`, or azure-identity's).
    :param cloud: :class:`~csp_commerce.models.clouds.Cloud` (global, China, US Government) or
        custom :class:`~csp_commerce.models.clouds.CloudEndpoints` (base URL + authority).
    :param base_url: overrides the cloud's API base (e.g. the sandbox over HTTP).
    :param graph_base_url: overrides the cloud's Microsoft Graph base (default: ``base_url``
        when that is given, so a sandbox serves both, else the cloud's Graph).
    :param timeout: per request; default 60 s (connect 5 s).
    :param max_retries: retries after the first attempt (default 3).
    :param locale: ``X-Locale``. :param application_name: ``MS-PartnerCenter-Application``.
    :param correlation_id: ``MS-CorrelationId`` of every call (one per checkout; default: one
        per client).
    :param retry_policy: delays and caps. :param rng: the jitter's random source.
    :param clock: the time source (POSIX seconds) of token expiry, Retry-After dates and pacing.
    :param max_in_flight: requests this client (and its ``with_options`` copies) sends at once;
        the connection pool of an HTTP client it creates keeps as many connections (default 50).
    :param budget: the partner's request :class:`~csp_commerce.provisioning.pacing.Budget`:
        every attempt takes its place in it first. Pass a
        :class:`~csp_commerce.provisioning.pacing.PartnerBudget` to pace at Partner Center's
        documented rates (or yours), the same one to every client of one partner. By default
        nothing is paced, but a ``Retry-After`` seen by one request still holds every request of
        the client until it ends.
    """

    def __init__(
        self,
        credential: Any,
        *,
        cloud: Cloud | CloudEndpoints | str = Cloud.GLOBAL,
        base_url: str | None = None,
        graph_base_url: str | None = None,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        locale: str = "en-US",
        application_name: str = DEFAULT_APPLICATION,
        correlation_id: str | None = None,
        retry_policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        budget: Budget | None = None,
    ) -> None:
        if credential is None or not callable(getattr(credential, "get_token", None)):
            raise ConfigurationError("credential must have a get_token(*scopes) method")
        if max_in_flight < 1:
            raise ConfigurationError(f"max_in_flight must be at least 1, not {max_in_flight}")
        if budget is not None and not isinstance(budget, Budget):
            raise ConfigurationError("budget must have reserve, pause_until and paused_until")
        self.max_in_flight = max_in_flight
        self.budget: Budget = budget if budget is not None else PartnerBudget.unpaced(clock=clock)
        self.credential = credential
        self.cloud = cloud
        self.endpoints = resolve_cloud(cloud)
        self._base_url_override = base_url
        self.base_url = (base_url or self.endpoints.api_base).rstrip("/")
        self._graph_base_override = graph_base_url
        self.graph_base_url = (graph_base_url or base_url or self.endpoints.graph_base).rstrip("/")
        self.timeout = timeout if timeout is not None else DEFAULT_TIMEOUT
        policy = retry_policy or RetryPolicy()
        if max_retries is not None:
            policy = replace(policy, max_retries=max_retries)
        self.retry_policy = policy
        self.locale = locale
        self.application_name = application_name
        self.correlation_id = correlation_id or new_id()
        self.rng = rng or random.Random()
        self.clock = clock
        self.kind = credential_kind(credential)
        self.scope = self.endpoints.scope
        self.graph_scope = self.endpoints.graph_scope
        self._base_headers = {
            "Accept": "application/json",
            "MS-Contract-Version": CONTRACT_VERSION,
            "X-Locale": locale,
            "MS-PartnerCenter-Application": application_name,
            "MS-CorrelationId": self.correlation_id,
        }

    @property
    def max_retries(self) -> int:
        """Retries after the first attempt."""
        return self.retry_policy.max_retries

    def options(self) -> dict[str, Any]:
        """The constructor options, for ``with_options``."""
        return {
            "credential": self.credential,
            "cloud": self.cloud,
            "base_url": self._base_url_override,
            "graph_base_url": self._graph_base_override,
            "timeout": self.timeout,
            "locale": self.locale,
            "application_name": self.application_name,
            "correlation_id": self.correlation_id,
            "retry_policy": self.retry_policy,
            "rng": self.rng,
            "clock": self.clock,
            "max_in_flight": self.max_in_flight,
            "budget": self.budget,
        }

    def pool_limits(self) -> httpx.Limits:
        """The connection pool of an HTTP client the client creates: one connection per request
        in flight, all kept alive (httpx keeps 20 by default: the rest would reconnect)."""
        return httpx.Limits(
            max_connections=self.max_in_flight, max_keepalive_connections=self.max_in_flight
        )

    def pacing_waits(self, call: Call[Any], pacing: Pacing) -> Iterator[float]:
        """The waits before an attempt of ``call`` may start (the twins sleep each one).

        The attempt takes its place in its API family's budget and waits for it; if a pause
        began meanwhile (another request's ``Retry-After``) its place is void: it waits for the
        pause to end and takes a new one. ``pacing`` remembers the time this operation has
        already waited until (its own Retry-After included), so that a request is not held twice
        by the pause it set itself, and so that a sleep which does not move the clock (tests)
        still ends the loop.
        """
        family = api_family(call.path)
        budget = self.budget
        while True:
            start = budget.reserve(family)
            now = max(self.clock(), pacing.not_before)  # read after: "at once" never waits
            wait = start - now
            if wait > 0:
                yield wait
                now = pacing.not_before = now + wait
            resume = budget.paused_until()
            if resume <= now:
                return
            yield resume - now
            pacing.not_before = resume

    def retrying_after(self, signal: RetrySignal, pacing: Pacing) -> None:
        """Note a retry's wait in ``pacing`` (the next attempt starts after it)."""
        pacing.not_before = max(pacing.not_before, self.clock() + signal.decision.delay)

    def preflight(self, call: Call[Any]) -> None:
        """Refuse, before any request, what this cloud or credential cannot do."""
        if call.capability is not None and not getattr(self.endpoints, call.capability):
            raise E.OperationNotSupportedError(
                f"{call.method} {call.path.split('?')[0]} is not offered in this cloud "
                f"({call.capability} is False)",
                capability=call.capability,
            )
        if call.app_user and self.kind is CredentialKind.APP:
            raise E.AppUserRequiredError(
                f"{call.method} {call.path.split('?')[0]} needs an app+user token; the "
                "credential is app-only (use RefreshTokenCredential)",
                correlation_id=self.correlation_id,
            )

    def build_request(
        self, http: httpx.Client | httpx.AsyncClient, call: Call[Any], request_id: str, token: str
    ) -> httpx.Request:
        """The HTTP request of one attempt (the same request id on every attempt)."""
        headers = dict(self._base_headers)
        headers["MS-RequestId"] = request_id
        headers["Authorization"] = f"Bearer {token}"
        if call.headers:
            headers.update(call.headers)
        path = call.path
        base = self.graph_base_url if call.graph else self.base_url
        url = path if path.startswith(("http://", "https://")) else base + path
        return http.build_request(
            call.method,
            url,
            params=call.params,
            json=call.json,
            headers=headers,
            timeout=self.timeout,
        )

    def transport_failure(
        self, call: Call[Any], request_id: str, attempt: int, exc: httpx.TransportError
    ) -> Exception:
        """The exception to raise for an attempt that got no response (maybe a retry signal)."""
        name = type(exc).__name__
        cls = E.APITimeoutError if isinstance(exc, httpx.TimeoutException) else E.APIConnectionError
        error = cls(
            f"Partner Center {call.method} {call.path.split('?')[0]} failed: {name}",
            request_id=request_id,
            correlation_id=self.correlation_id,
        )
        decision = self.retry_policy.on_transport_error(
            attempt=attempt, method=call.method, error=name, has_request_id=True, rng=self.rng
        )
        return RetrySignal(decision, error, call) if decision.retry else error

    def handle(self, call: Call[T], response: httpx.Response, request_id: str, attempt: int) -> T:
        """The result of an attempt's response; raises the mapped error or a retry signal."""
        status = response.status_code
        if 200 <= status < 300 or status in call.accept:
            return self.parse(call, response, request_id)
        body = read_error(response)
        decision = self.retry_policy.on_status(
            attempt=attempt,
            method=call.method,
            status=status,
            code=body.code,
            retry_after=response.headers.get("Retry-After"),
            has_request_id=True,
            rng=self.rng,
            now=self.clock(),
            is_retryable=body.is_retryable,
        )
        error = status_error(
            response,
            body,
            request_id=request_id,
            correlation_id=self.correlation_id,
            context=call.context,
            retry_after=decision.retry_after,
        )
        if decision.retry_after and (status == 429 or status >= 500):
            # Partner Center throttles the partner, not one request: hold every request of this
            # budget (no longer than the policy would wait itself).
            wait = min(decision.retry_after, self.retry_policy.retry_after_cap)
            self.budget.pause_until(self.clock() + wait)
        if decision.retry:
            raise RetrySignal(decision, error, call)
        if decision.over_cap:
            logger.warning(
                "Partner Center %s %s: Retry-After %.0fs exceeds the %.0fs cap; not waiting "
                "(request id %s)",
                call.method,
                call.path,
                decision.retry_after,
                self.retry_policy.retry_after_cap,
                request_id,
            )
        if call.recover is not None:
            return call.recover(error)
        raise error

    def parse(self, call: Call[T], response: httpx.Response, request_id: str) -> T:
        """Validate a response into the call's model; a mismatch is a validation error."""
        try:
            return call.parse(response)
        except (ValidationError, ValueError) as exc:
            errors: list[Any] = (
                exc.errors(include_url=False, include_input=False)
                if isinstance(exc, ValidationError)
                else [str(exc)]
            )
            raise E.ResponseValidationError(
                f"Partner Center's answer to {call.method} {call.path.split('?')[0]} "
                f"(HTTP {response.status_code}) does not validate: {len(errors)} error(s)",
                status_code=response.status_code,
                errors=errors,
                request_id=request_id,
                correlation_id=self.correlation_id,
            ) from exc

    def log_request(self, request: httpx.Request) -> None:
        """One DEBUG line per attempt, with secret headers redacted."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Partner Center request %s %s headers=%s",
                request.method,
                request.url,
                redact_headers(request.headers),
            )


def drive(
    flow: Flow[T],
    run: Callable[[Call[Any]], Any],
    sleep: Callable[[float], None],
) -> T:
    """Run a multi-step flow synchronously: every yielded call's result is sent back; a
    :class:`Wait` is slept."""
    result: Any = None
    while True:
        try:
            step = flow.send(result)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(step, Wait):
            sleep(step.seconds)
            result = None
        else:
            result = run(step)
