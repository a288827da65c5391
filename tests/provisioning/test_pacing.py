"""The token bucket never lets more than the limit start in any sliding window (virtual time)."""

from __future__ import annotations

import asyncio
import bisect

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csp_commerce.provisioning.pacing import PacedTransport, TokenBucket


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def busiest_window(starts: list[float], window: float) -> int:
    """The most requests that started within any ``window`` seconds (inclusive ends)."""
    return max(
        bisect.bisect_right(starts, start + window) - index for index, start in enumerate(starts)
    )


async def _drive(bucket: TokenBucket, time: VirtualTime, gaps: list[float]) -> list[float]:
    starts: list[float] = []
    for gap in gaps:
        time.now += gap
        await bucket.acquire()
        starts.append(time.now)
    return starts


@pytest.mark.parametrize("limit", [3, 500, 6000])
async def test_never_more_than_the_limit_in_any_window(limit: int) -> None:
    time = VirtualTime()
    bucket = TokenBucket(limit, clock=time.clock, sleep=time.sleep)
    starts = await _drive(bucket, time, [0.0] * (3 * limit))
    assert busiest_window(starts, 60.0) <= limit


@settings(max_examples=40, deadline=None)
@given(
    limit=st.integers(min_value=3, max_value=2000),
    gaps=st.lists(st.floats(min_value=0, max_value=5), min_size=1, max_size=400),
)
def test_never_more_than_the_limit_whatever_the_arrivals(limit: int, gaps: list[float]) -> None:
    time = VirtualTime()
    bucket = TokenBucket(limit, clock=time.clock, sleep=time.sleep)
    starts = asyncio.run(_drive(bucket, time, gaps))
    assert busiest_window(starts, 60.0) <= limit


async def test_pacing_is_close_to_the_bound_the_limit_sets() -> None:
    time = VirtualTime()
    bucket = TokenBucket(6000, clock=time.clock, sleep=time.sleep)
    await _drive(bucket, time, [0.0] * 12_000)
    assert time.now <= bucket.seconds_for(12_000) * 1.01


async def test_concurrent_waiters_share_the_bucket() -> None:
    time = VirtualTime()
    bucket = TokenBucket(60, clock=time.clock, sleep=time.sleep)
    starts: list[float] = []

    async def one() -> None:
        await bucket.acquire()
        starts.append(time.now)

    await asyncio.gather(*(one() for _ in range(150)))
    assert bucket.acquired == 150
    assert busiest_window(sorted(starts), 60.0) <= 60


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        TokenBucket(2)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(500, burst=250)
    with pytest.raises(ValueError, match="window"):
        TokenBucket(500, window=0)


async def test_the_transport_paces_every_attempt() -> None:
    time = VirtualTime()
    bucket = TokenBucket(3, clock=time.clock, sleep=time.sleep)
    inner = httpx.MockTransport(lambda request: httpx.Response(200))
    async with httpx.AsyncClient(transport=PacedTransport(inner, bucket)) as client:
        for _ in range(4):
            await client.get("https://example.invalid/")
    assert bucket.acquired == 4
    assert time.now >= 60.0  # 3 per minute: the 4th waited for the window
