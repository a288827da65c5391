"""Client-side pacing: a token bucket that keeps a partner under its Partner Center rate limit.

Partner Center's rates, and the token-bucket rule (its burst, and the slack that keeps any
sliding window under the limit despite scheduling jitter), are in
:mod:`csp_commerce.models.rate_limits`, shared with the budget kept in a database.

Every attempt counts against Partner Center's limit, retries included, so pacing is applied per
attempt, not per logical call: by the clients through a :class:`Budget` (below), or by wrapping
an HTTP transport (:class:`PacedTransport`, which discovery uses).

The clients' pacing is a :class:`Budget`: per API family, it hands each attempt the time at
which it may start, and holds every attempt while the partner is paused by a ``Retry-After``.
:class:`PartnerBudget` keeps it in this process;
:class:`csp_commerce.store.partner_budget.SharedPartnerBudget` keeps it in a database, shared by
every process that uses it, with the same three methods.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import httpx

from csp_commerce.models.rate_limits import (
    DEFAULT_REQUESTS_PER_MINUTE,
    DOCUMENTED_RATES,
    EPSILON,
    bucket_shape,
    reserve_place,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

_FAMILY = re.compile(r"^(?:https?://[^/]+)?/v1(?:\.0)?/(?:customers/[^/?]+/)?([^/?]+)")


def api_family(path: str) -> str:
    """The API family a request path belongs to, as Partner Center's limits name them.

    ``/v1/customers/{c}/subscriptions/{s}/addons`` is ``subscriptions``; ``/v1/customers/{c}``
    and ``/v1/customers`` are ``customers``; ``/v1/invoices/{i}`` is ``invoices``. A path outside
    ``/v1`` is ``other``.
    """
    match = _FAMILY.match(path)
    return match.group(1) if match is not None else "other"


class TokenBucket:
    """Async pacing at ``requests_per_minute`` (never more in any ``window``-second window).

    ``clock`` (monotonic seconds) and ``sleep`` are injectable, so tests run on virtual time.
    Waiters are served in arrival order (one lock), so no request starves.
    """

    def __init__(
        self,
        requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
        *,
        window: float = 60.0,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limit = requests_per_minute
        self.window = window
        #: tokens per second: the burst plus the slack never push a window over the limit
        self.capacity, self.rate = bucket_shape(requests_per_minute, window, burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(self.capacity)
        self._updated = clock()
        self._lock: asyncio.Lock | None = None
        self.acquired = 0

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.capacity), self._tokens + elapsed * self.rate)
        self._updated = now

    async def acquire(self) -> None:
        """Wait until one more request may start."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            self._refill()
            while self._tokens < 1.0 - EPSILON:  # float dust must not spin the loop
                await self._sleep((1.0 - self._tokens) / self.rate)
                self._refill()
            self._tokens = max(0.0, self._tokens - 1.0)
            self.acquired += 1

    def seconds_for(self, requests: int) -> float:
        """The least time ``requests`` can take at the limit (the bound the limit sets)."""
        return requests * self.window / self.limit

    def __repr__(self) -> str:
        return f"TokenBucket(requests_per_minute={self.limit}, burst={self.capacity})"


class PacedTransport(httpx.AsyncBaseTransport):
    """An async httpx transport that waits for the bucket before every attempt it sends."""

    def __init__(self, inner: httpx.AsyncBaseTransport, bucket: TokenBucket) -> None:
        self._inner = inner
        self.bucket = bucket

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Pace, then send through the wrapped transport."""
        await self.bucket.acquire()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._inner.aclose()


@runtime_checkable
class Budget(Protocol):
    """A partner's Partner Center request budget, as the clients use it (one per partner).

    Times are POSIX seconds (``time.time``), so that a budget can be shared by processes on
    several machines. Each method must be quick: the clients call them around every attempt,
    the sync client from its thread and the async client from the event loop, and never hold a
    lock of their own meanwhile.
    """

    def reserve(self, family: str) -> float:
        """Take one attempt's place in ``family``'s budget: the time it may start.

        The place is taken whether or not the caller waits for it. A time in the past (or now)
        means at once; while the partner is paused it is at or after the pause's end.
        """
        ...

    def pause_until(self, until: float) -> None:
        """Hold every attempt until ``until`` (a ``Retry-After``); an earlier time changes
        nothing. Places reserved before the pause are void: their holders reserve again."""
        ...

    def paused_until(self) -> float:
        """The end of the current pause (0.0 or a past time when there is none)."""
        ...


class _Family:
    """One family's reservation bucket: tokens may go negative (places promised ahead)."""

    __slots__ = ("capacity", "rate", "tokens", "updated")

    def __init__(self, capacity: int, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = float(capacity)
        self.updated = now

    def reserve(self, now: float, pause: float) -> float:
        place = reserve_place(
            self.tokens, self.updated, capacity=self.capacity, rate=self.rate, now=now, pause=pause
        )
        self.tokens, self.updated = place.tokens, place.updated
        return place.start

    def restart_at(self, when: float) -> None:
        """An empty bucket that starts refilling at ``when`` (after a pause)."""
        self.tokens = 0.0
        self.updated = when


class PartnerBudget:
    """The in-process :class:`Budget`: one token bucket per API family, and one pause.

    :param rates: requests per minute by family (:func:`api_family`); merged over
        :data:`DOCUMENTED_RATES`. ``None`` paces nothing: the budget then only spreads a
        ``Retry-After`` to every attempt (what each client does by default).
    :param default_rate: the rate of a family not in ``rates``.
    :param window: the limit's window in seconds (Partner Center's: a minute).
    :param clock: POSIX seconds (tests pass a virtual clock).

    Thread-safe: one client may be used from several threads, or several clients of one
    partner may share it (pass the same budget to each).
    """

    def __init__(
        self,
        rates: Mapping[str, int] | None = DOCUMENTED_RATES,
        *,
        default_rate: int = DEFAULT_REQUESTS_PER_MINUTE,
        window: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.paced = rates is not None
        self.rates = {**DOCUMENTED_RATES, **rates} if rates is not None else {}
        self.default_rate = default_rate
        self.window = window
        for rate in (*self.rates.values(), default_rate):
            bucket_shape(rate, window, None)  # refuse an unusable rate now, not mid-run
        self._clock = clock
        self._families: dict[str, _Family] = {}
        self._pause = 0.0
        self._lock = threading.Lock()

    @classmethod
    def unpaced(cls, *, clock: Callable[[], float] = time.time) -> PartnerBudget:
        """A budget that paces nothing and only holds everyone during a ``Retry-After``."""
        return cls(None, clock=clock)

    def rate_of(self, family: str) -> int:
        """Requests per minute allowed to ``family``."""
        return self.rates.get(family, self.default_rate)

    def reserve(self, family: str) -> float:
        """The time the next attempt of ``family`` may start (see :class:`Budget`)."""
        with self._lock:
            now = self._clock()
            if not self.paced:
                return max(now, self._pause)
            bucket = self._families.get(family)
            if bucket is None:
                capacity, rate = bucket_shape(self.rate_of(family), self.window, None)
                bucket = self._families[family] = _Family(capacity, rate, now)
            return bucket.reserve(now, self._pause)

    def pause_until(self, until: float) -> None:
        """Hold every attempt until ``until`` (see :class:`Budget`)."""
        with self._lock:
            if until > self._pause:
                self._pause = until
                for bucket in self._families.values():
                    bucket.restart_at(until)

    def paused_until(self) -> float:
        """The end of the current pause (0.0 when there was none)."""
        return self._pause

    def seconds_for(self, requests: int, family: str) -> float:
        """The least time ``requests`` of ``family`` take at its limit (the limit's bound)."""
        return requests * self.window / self.rate_of(family)

    def __repr__(self) -> str:
        if not self.paced:
            return "PartnerBudget.unpaced()"
        return f"PartnerBudget(rates={self.rates!r}, default_rate={self.default_rate})"


__all__ = [
    "DEFAULT_REQUESTS_PER_MINUTE",
    "DOCUMENTED_RATES",
    "Budget",
    "PacedTransport",
    "PartnerBudget",
    "TokenBucket",
    "api_family",
    "bucket_shape",
]
