"""Client-side pacing: a token bucket that keeps a partner under its Partner Center rate limit.

Partner Center documents limits as "N requests per minute per tenant" without saying how the
minute is measured, so we take the strictest reading: *any* sliding window of ``window``
seconds holds at most ``requests_per_minute`` requests. A bucket of capacity ``b`` refilled at
``r`` per second lets at most ``b + r * window`` requests start in any window, so the rate is
``(limit - 2b) / window``: ``b`` for the burst and ``b`` more as slack for requests that leave
a little later than they were paced (scheduling jitter). At 500/min that is 1 burst token and
8.3 requests per second; at 6,000/min, 10 tokens and 99.7 per second.

Every attempt counts against Partner Center's limit, retries included, so the pacer is applied
per attempt by wrapping the HTTP transport (:class:`PacedTransport`), not per logical call.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

#: Partner Center's documented limit for customers, orders and subscriptions (per tenant).
DEFAULT_REQUESTS_PER_MINUTE = 500
_EPSILON = 1e-9


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
        if requests_per_minute < 3:
            raise ValueError("requests_per_minute must be at least 3")
        if window <= 0:
            raise ValueError("window must be positive")
        self.limit = requests_per_minute
        self.window = window
        self.capacity = burst if burst is not None else max(1, requests_per_minute // 600)
        if not 1 <= self.capacity <= (requests_per_minute - 1) // 2:
            raise ValueError("burst must be at least 1 and leave room for the steady rate")
        #: tokens per second: the burst plus the slack never push a window over the limit
        self.rate = (requests_per_minute - 2 * self.capacity) / window
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
            while self._tokens < 1.0 - _EPSILON:  # float dust must not spin the loop
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


__all__ = ["DEFAULT_REQUESTS_PER_MINUTE", "PacedTransport", "TokenBucket"]
