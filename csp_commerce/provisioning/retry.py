"""The retry policy: whether to try a failed attempt again, and after how long. Pure.

The sync and async clients hand every failed attempt to one :class:`RetryPolicy`; tenacity runs
the loop and sleeps the delay the policy computed. Nothing here does I/O or reads a clock of its
own: the current time and the random source are arguments, so tests know the exact delays.

What is retried: transport errors, 408, 429 and 5xx, plus 409 with Partner Center's "busy" codes
(800060 order in progress, 800064 cart busy) after a longer delay. Never a business error (any
other 4xx). A request is only replayed when it is safe to: a read, or a write that carries an
``MS-RequestId`` (Partner Center deduplicates on it), which the client always sends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

#: Methods that may be replayed without an idempotency key.
REPLAY_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: 409 codes Partner Center documents as transient locks.
BUSY_CODES = frozenset({800060, 800064})


@dataclass(frozen=True)
class RetryDecision:
    """What to do after a failed attempt.

    ``retry_after`` is the server's wish in seconds (parsed, possibly over the cap);
    ``over_cap`` is True when that wish exceeded the policy's cap: raise a rate-limit error
    carrying it instead of waiting.
    """

    retry: bool
    delay: float = 0.0
    reason: str = ""
    retry_after: float | None = None
    over_cap: bool = False


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    Returns None for a missing, malformed, negative or non-finite value; an HTTP date in the
    past gives 0.0. ``now`` is a POSIX timestamp.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until_date(text, now)
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds


def _seconds_until_date(text: str, now: float) -> float | None:
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        delta = when.timestamp() - now
    except (OverflowError, ValueError):  # pragma: no cover - year 9999 dates
        return None
    return max(0.0, delta)


@dataclass(frozen=True)
class RetryPolicy:
    """Retry budget and delays.

    :param max_retries: retries after the first attempt (0 disables retrying).
    :param initial_delay: backoff before the first retry, in seconds.
    :param max_delay: backoff ceiling.
    :param jitter: each backoff is scaled by a random factor in ``[1 - jitter, 1]``.
    :param retry_after_cap: the longest Retry-After honoured; above it a rate-limit error
        carrying the wait is raised at once.
    :param busy_delay: the least delay before retrying a 409 busy (800060 / 800064).
    """

    max_retries: int = 3
    initial_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    retry_after_cap: float = 120.0
    busy_delay: float = 5.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be within [0, 1]")
        if self.initial_delay < 0 or self.max_delay < self.initial_delay:
            raise ValueError("need 0 <= initial_delay <= max_delay")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """The jittered exponential delay after failed attempt number ``attempt`` (1-based)."""
        base = min(self.max_delay, self.initial_delay * 2.0 ** max(0, attempt - 1))
        return base * (1.0 - self.jitter * rng.random())

    def on_transport_error(
        self,
        *,
        attempt: int,
        method: str,
        error: str,
        has_request_id: bool,
        rng: random.Random,
    ) -> RetryDecision:
        """Decide after an attempt that got no response (``error`` names the exception)."""
        if not self._may_replay(attempt, method, has_request_id):
            return RetryDecision(retry=False, reason=error)
        return RetryDecision(retry=True, delay=self.backoff(attempt, rng), reason=error)

    def on_status(
        self,
        *,
        attempt: int,
        method: str,
        status: int,
        code: int | str | None,
        retry_after: str | None,
        has_request_id: bool,
        rng: random.Random,
        now: float,
        is_retryable: bool | None = None,
    ) -> RetryDecision:
        """Decide after an error response.

        ``code`` is Partner Center's error code, ``retry_after`` the raw header, ``now`` a
        POSIX timestamp (for HTTP-date Retry-After), ``is_retryable`` the body's own flag.
        """
        reason = f"HTTP {status}" + (f" code {code}" if code is not None else "")
        wait = parse_retry_after(retry_after, now)
        busy = status == 409 and _as_int(code) in BUSY_CODES
        transient = status in (408, 429) or status >= 500 or busy
        if not transient or is_retryable is False:
            return RetryDecision(retry=False, reason=reason, retry_after=wait)
        if wait is not None and wait > self.retry_after_cap:
            return RetryDecision(retry=False, reason=reason, retry_after=wait, over_cap=True)
        if not self._may_replay(attempt, method, has_request_id):
            return RetryDecision(retry=False, reason=reason, retry_after=wait)
        delay = wait if wait is not None else self.backoff(attempt, rng)
        if busy:
            delay = max(delay, self.busy_delay)
        return RetryDecision(retry=True, delay=delay, reason=reason, retry_after=wait)

    def _may_replay(self, attempt: int, method: str, has_request_id: bool) -> bool:
        if attempt > self.max_retries:
            return False
        return has_request_id or method.upper() in REPLAY_SAFE_METHODS


def _as_int(code: int | str | None) -> int | None:
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().isdigit():
        return int(code)
    return None


def utc_now() -> float:
    """The current POSIX time (the clients' default clock for Retry-After dates)."""
    return datetime.now(timezone.utc).timestamp()


__all__ = ["BUSY_CODES", "RetryDecision", "RetryPolicy", "parse_retry_after"]
