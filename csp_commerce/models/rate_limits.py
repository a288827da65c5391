"""Partner Center's request rates, and the token-bucket rule every budget paces by.

Pure facts and arithmetic, shared by the in-process budget
(:class:`csp_commerce.provisioning.pacing.PartnerBudget`) and the budget kept in a database
(:class:`csp_commerce.store.partner_budget.SharedPartnerBudget`), so that both pace by exactly
one rule.

Partner Center documents limits as "N requests per minute per tenant" without saying how the
minute is measured, so we take the strictest reading: *any* sliding window of ``window``
seconds holds at most ``requests_per_minute`` requests. A bucket of capacity ``b`` refilled at
``r`` per second lets at most ``b + r * window`` requests start in any window, so the rate is
``(limit - 2b) / window``: ``b`` for the burst and ``b`` more as slack for requests that leave
a little later than they were paced (scheduling jitter). At 500/min that is 1 burst token and
8.3 requests per second; at 6,000/min, 10 tokens and 99.7 per second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Partner Center's documented limit for customers, orders and subscriptions (per tenant).
DEFAULT_REQUESTS_PER_MINUTE = 500
#: Float dust below which a bucket counts as holding a whole token.
EPSILON = 1e-9

#: Partner Center's documented limits, requests per minute per partner tenant, by API family
#: (the family of a path: :func:`csp_commerce.provisioning.pacing.api_family`). Customers,
#: orders and subscriptions: 500 (the resource pages, 2020-21, not re-verified since); promotion
#: eligibilities: 625. Microsoft publishes no figure for the other families (carts, users,
#: invoices, products...): they get ``DEFAULT_REQUESTS_PER_MINUTE``, the strictest general
#: figure (unconfirmed, see the README).
DOCUMENTED_RATES: Mapping[str, int] = {
    "customers": 500,
    "orders": 500,
    "subscriptions": 500,
    "promotionEligibilities": 625,
}


def bucket_shape(requests_per_minute: int, window: float, burst: int | None) -> tuple[int, float]:
    """``(capacity, tokens per second)`` of a bucket that never lets more than
    ``requests_per_minute`` requests start in any ``window``-second window (module docstring)."""
    if requests_per_minute < 3:
        raise ValueError("requests_per_minute must be at least 3")
    if window <= 0:
        raise ValueError("window must be positive")
    capacity = burst if burst is not None else max(1, requests_per_minute // 600)
    if not 1 <= capacity <= (requests_per_minute - 1) // 2:
        raise ValueError("burst must be at least 1 and leave room for the steady rate")
    return capacity, (requests_per_minute - 2 * capacity) / window


class Place(NamedTuple):
    """One reservation: when the attempt may start, and the bucket after it."""

    start: float
    tokens: float
    updated: float


def reserve_place(
    tokens: float, updated: float, *, capacity: int, rate: float, now: float, pause: float
) -> Place:
    """Take one place in a reservation bucket (``tokens`` as of time ``updated``).

    Tokens may go negative: places promised ahead, each ``1 / rate`` seconds after the last. A
    pause that ends later than the bucket's last refill empties the bucket and restarts it at
    the pause's end: places promised before the pause are void (their holders reserve again),
    and the first attempt after it starts at its end.
    """
    if pause > updated and pause > now:
        tokens, updated = 0.0, pause
    if now > updated:
        tokens = min(float(capacity), tokens + (now - updated) * rate)
        updated = now
    tokens -= 1.0
    return Place(start_of(tokens, updated, rate), tokens, updated)


def start_of(tokens: float, updated: float, rate: float) -> float:
    """When the place just taken starts: at ``updated`` while the bucket held a token for it,
    else once the tokens promised ahead (``-tokens``) have refilled at ``rate``."""
    return updated if tokens >= -EPSILON else updated + (-tokens) / rate


__all__ = [
    "DEFAULT_REQUESTS_PER_MINUTE",
    "DOCUMENTED_RATES",
    "EPSILON",
    "Place",
    "bucket_shape",
    "reserve_place",
    "start_of",
]
