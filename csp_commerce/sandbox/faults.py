"""What goes wrong on the way: latency, throttling and injected faults, reproducible from a seed.

A :class:`FaultPlan` is the configuration (rates, seed, latency, rate limits); a
:class:`FaultInjector` applies it request by request with its own ``random.Random(seed)`` and an
injectable clock, so a test can replay the exact same sequence of faults instantly.
"""

from __future__ import annotations

import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from enum import Enum
from typing import Any

Clock = Callable[[], float]


class Fault(str, Enum):
    """A fault injected into one request."""

    SERVER_ERROR = "server_error"  # a 5xx answer; nothing was applied
    TIMEOUT = "timeout"  # no answer in time; nothing was applied
    CONNECTION_RESET = "connection_reset"  # the connection drops; nothing was applied
    COMMIT_THEN_DROP = "commit_then_drop"  # the change is applied, then the answer is lost
    THROTTLE = "throttle"  # a 429 with Retry-After; nothing was applied


@dataclass(frozen=True)
class FaultPlan:
    """How hostile the sandbox is. Rates are probabilities per request (they must sum to <= 1).

    ``rate_limit_per_partner`` / ``rate_limit_per_customer`` are the number of requests allowed in
    any sliding ``rate_window_seconds`` (Partner Center documents 500/min per tenant for
    customers, orders and subscriptions; None switches the limit off).
    """

    seed: int = 0
    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    timeout_rate: float = 0.0
    connection_reset_rate: float = 0.0
    commit_then_drop_rate: float = 0.0
    latency_seconds: float = 0.0
    latency_jitter_seconds: float = 0.0
    rate_limit_per_partner: int | None = None
    rate_limit_per_customer: int | None = None
    rate_window_seconds: float = 60.0
    #: The Retry-After of a 429 injected by ``throttle_rate`` (rate limits compute their own).
    injected_retry_after_seconds: int = 2
    #: How long the HTTP server holds a "timed out" request before dropping it.
    timeout_hold_seconds: float = 5.0

    def __post_init__(self) -> None:
        rates = (
            self.throttle_rate,
            self.server_error_rate,
            self.timeout_rate,
            self.connection_reset_rate,
            self.commit_then_drop_rate,
        )
        if any(rate < 0 for rate in rates) or sum(rates) > 1.0 + 1e-9:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")
        if self.latency_seconds < 0 or self.latency_jitter_seconds < 0:
            raise ValueError("latency must be >= 0")
        for limit in (self.rate_limit_per_partner, self.rate_limit_per_customer):
            if limit is not None and limit < 1:
                raise ValueError("rate limits must be >= 1 (or None)")
        if self.injected_retry_after_seconds < 0:
            raise ValueError("injected_retry_after_seconds must be >= 0")
        if self.rate_window_seconds <= 0:
            raise ValueError("rate_window_seconds must be > 0")

    @classmethod
    def uniform(cls, total_rate: float, **kwargs: Any) -> FaultPlan:
        """A plan spreading ``total_rate`` evenly over 5xx, timeouts, resets, commit-then-drop."""
        share = total_rate / 4
        return cls(
            server_error_rate=share,
            timeout_rate=share,
            connection_reset_rate=share,
            commit_then_drop_rate=share,
            **kwargs,
        )

    def to_json(self) -> dict[str, Any]:
        """Partner-Center-style camelCase JSON (``PUT /sandbox/v1/faults``)."""
        return {_camel(key): value for key, value in asdict(self).items()}

    @classmethod
    def from_json(cls, data: dict[str, Any], base: FaultPlan | None = None) -> FaultPlan:
        """A plan from camelCase (or snake_case) JSON; unnamed fields keep ``base``'s values."""
        names = {f.name for f in fields(cls)}
        by_camel = {_camel(name): name for name in names}
        changes: dict[str, Any] = {}
        for key, value in data.items():
            name = key if key in names else by_camel.get(key)
            if name is None:
                raise ValueError(f"unknown fault setting: {key}")
            changes[name] = value
        return replace(base or cls(), **changes)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass
class Throttled:
    """A request refused by a rate limit, and how long to wait."""

    retry_after: int
    key: str


@dataclass
class FaultInjector:
    """Applies a :class:`FaultPlan`: one seeded draw per request, sliding windows per key.

    ``counts`` tallies every fault injected so far (rate-limit refusals count as THROTTLE).
    """

    plan: FaultPlan = field(default_factory=FaultPlan)
    clock: Clock = time.monotonic
    counts: Counter[Fault] = field(default_factory=Counter)
    _rng: random.Random = field(init=False, repr=False)
    _windows: dict[str, deque[float]] = field(init=False, repr=False, default_factory=dict)
    _forced: deque[Fault] = field(init=False, repr=False, default_factory=deque)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.plan.seed)

    def configure(self, plan: FaultPlan) -> None:
        """Switch to a new plan: reseeds the generator and forgets the throttle windows."""
        self.plan = plan
        self._rng = random.Random(plan.seed)
        self._windows.clear()
        self._forced.clear()
        self.counts.clear()

    def force(self, fault: Fault, times: int = 1) -> None:
        """Inject ``fault`` into the next ``times`` faultable requests, whatever the rates."""
        self._forced.extend([fault] * times)

    def latency(self) -> float:
        """The delay to apply to this request (seconds)."""
        plan = self.plan
        if plan.latency_jitter_seconds:
            return plan.latency_seconds + self._rng.random() * plan.latency_jitter_seconds
        return plan.latency_seconds

    def throttle(self, customer_id: str | None) -> Throttled | None:
        """Count this request against the partner's and the customer's windows.

        Every attempt counts, refused ones included, as Partner Center's guidance says
        ("all attempts count"); Retry-After is when enough of the window has slid by.
        """
        plan = self.plan
        now = self.clock()
        checks: list[tuple[str, int]] = []
        if plan.rate_limit_per_partner is not None:
            checks.append(("partner", plan.rate_limit_per_partner))
        if plan.rate_limit_per_customer is not None and customer_id is not None:
            checks.append((f"partner+customer:{customer_id}", plan.rate_limit_per_customer))
        refused: Throttled | None = None
        for key, limit in checks:
            window = self._windows.setdefault(key, deque())
            horizon = now - plan.rate_window_seconds
            while window and window[0] <= horizon:
                window.popleft()
            window.append(now)
            if len(window) > limit and refused is None:
                # The request that must leave the window before one more fits.
                frees_at = window[len(window) - limit] + plan.rate_window_seconds
                refused = Throttled(retry_after=max(1, _ceil(frees_at - now)), key=key)
        if refused is not None:
            self.counts[Fault.THROTTLE] += 1
        return refused

    def draw(self) -> Fault | None:
        """The fault for this request, if any (one seeded draw per faultable request)."""
        fault = self._draw()
        if fault is not None:
            self.counts[fault] += 1
        return fault

    def _draw(self) -> Fault | None:
        if self._forced:
            return self._forced.popleft()
        plan = self.plan
        roll = self._rng.random()
        for fault, rate in (
            (Fault.THROTTLE, plan.throttle_rate),
            (Fault.SERVER_ERROR, plan.server_error_rate),
            (Fault.TIMEOUT, plan.timeout_rate),
            (Fault.CONNECTION_RESET, plan.connection_reset_rate),
            (Fault.COMMIT_THEN_DROP, plan.commit_then_drop_rate),
        ):
            if roll < rate:
                return fault
            roll -= rate
        return None

    def server_error_status(self) -> int:
        """Which 5xx an injected server error answers with."""
        return self._rng.choice((500, 502, 503, 504))


def _ceil(value: float) -> int:
    whole = int(value)
    return whole if whole >= value else whole + 1
