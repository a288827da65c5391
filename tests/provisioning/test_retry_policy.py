"""The retry policy as pure tables: no HTTP, exact delays from a seeded random source."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.provisioning.retry import RetryPolicy, parse_retry_after

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=timezone.utc).timestamp()


def http_date(seconds_from_now: float) -> str:
    moment = datetime.fromtimestamp(NOW, timezone.utc) + timedelta(seconds=seconds_from_now)
    return format_datetime(moment, usegmt=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("7", 7.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("-3", None),
        ("nan", None),
        ("inf", None),
        ("soon", None),
        ("Thu, 99 Foo 2025 00:00:00 GMT", None),
        (http_date(30), 30.0),
        (http_date(-30), 0.0),
        (http_date(86_400 * 365), 86_400.0 * 365),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def no_jitter() -> RetryPolicy:
    return RetryPolicy(max_retries=3, initial_delay=0.5, max_delay=8.0, jitter=0.0)


@pytest.mark.parametrize(
    ("status", "code", "method", "has_id", "retry"),
    [
        (500, None, "GET", False, True),
        (502, None, "POST", True, True),
        (503, None, "PATCH", True, True),
        (504, None, "PUT", False, True),
        (408, None, "GET", False, True),
        (429, None, "GET", False, True),
        (429, None, "POST", True, True),
        # unsafe methods without an idempotency key are never replayed
        (500, None, "POST", False, False),
        (429, None, "PATCH", False, False),
        # business errors: never
        (400, 2000, "GET", False, False),
        (401, 800001, "GET", True, False),
        (403, 13605, "POST", True, False),
        (404, 1000, "GET", False, False),
        (409, 27009, "POST", True, False),
        (400, 800065, "POST", True, False),
        (400, 800064, "POST", True, False),
        # 409 busy codes: retried (with a delay)
        (409, 800064, "POST", True, True),
        (409, 800060, "POST", True, True),
        (409, "800064", "POST", True, True),
    ],
)
def test_status_table(
    status: int, code: int | str | None, method: str, has_id: bool, retry: bool
) -> None:
    decision = no_jitter().on_status(
        attempt=1,
        method=method,
        status=status,
        code=code,
        retry_after=None,
        has_request_id=has_id,
        rng=random.Random(1),
        now=NOW,
    )
    assert decision.retry is retry
    assert str(status) in decision.reason


@pytest.mark.parametrize(
    ("status", "header", "delay", "over_cap"),
    [
        (429, "7", 7.0, False),
        (429, http_date(20), 20.0, False),
        (429, http_date(-5), 0.0, False),
        (503, "3", 3.0, False),
        (429, "garbage", 0.5, False),  # falls back to backoff
        (429, "-1", 0.5, False),
        (429, "120", 120.0, False),  # at the cap: honoured
        (429, "121", None, True),  # over the cap: raise, don't wait
        (429, http_date(3600), None, True),
        (409, "1", 5.0, False),  # busy: at least busy_delay
    ],
)
def test_retry_after_forms(status: int, header: str, delay: float | None, over_cap: bool) -> None:
    code = 800064 if status == 409 else None
    decision = no_jitter().on_status(
        attempt=1,
        method="POST",
        status=status,
        code=code,
        retry_after=header,
        has_request_id=True,
        rng=random.Random(1),
        now=NOW,
    )
    assert decision.over_cap is over_cap
    if over_cap:
        assert decision.retry is False
        assert decision.retry_after is not None and decision.retry_after > 120
    else:
        assert decision.retry is True
        assert decision.delay == pytest.approx(delay)


def test_backoff_doubles_to_the_cap_without_jitter() -> None:
    policy = no_jitter()
    rng = random.Random(0)
    assert [policy.backoff(n, rng) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_jitter_comes_from_the_injected_random_source() -> None:
    policy = RetryPolicy(jitter=0.5)
    first = [policy.backoff(n, random.Random(42)) for n in range(1, 5)]
    second = [policy.backoff(n, random.Random(42)) for n in range(1, 5)]
    assert first == second
    assert first != [0.5, 1.0, 2.0, 4.0]


@given(attempt=st.integers(1, 50), seed=st.integers(0, 2**32), jitter=st.floats(0, 1))
def test_backoff_stays_within_bounds(attempt: int, seed: int, jitter: float) -> None:
    policy = RetryPolicy(jitter=jitter)
    delay = policy.backoff(attempt, random.Random(seed))
    base = min(policy.max_delay, policy.initial_delay * 2 ** (attempt - 1))
    assert base * (1 - jitter) - 1e-9 <= delay <= base + 1e-9


def test_budget_is_respected() -> None:
    policy = RetryPolicy(max_retries=2)
    kwargs = {"method": "GET", "status": 503, "code": None, "retry_after": None}
    kwargs["has_request_id"] = True
    rng = random.Random(0)
    assert policy.on_status(attempt=2, rng=rng, now=NOW, **kwargs).retry  # type: ignore[arg-type]
    assert not policy.on_status(attempt=3, rng=rng, now=NOW, **kwargs).retry  # type: ignore[arg-type]


def test_transport_errors_are_retried_until_the_budget_ends() -> None:
    policy = RetryPolicy(max_retries=1, jitter=0.0)
    rng = random.Random(0)
    first = policy.on_transport_error(
        attempt=1, method="POST", error="ReadTimeout", has_request_id=True, rng=rng
    )
    assert (first.retry, first.delay, first.reason) == (True, 0.5, "ReadTimeout")
    assert not policy.on_transport_error(
        attempt=2, method="GET", error="ConnectError", has_request_id=True, rng=rng
    ).retry
    assert not policy.on_transport_error(
        attempt=1, method="POST", error="ConnectError", has_request_id=False, rng=rng
    ).retry


def test_body_is_retryable_false_vetoes_a_retry() -> None:
    decision = no_jitter().on_status(
        attempt=1,
        method="GET",
        status=503,
        code=None,
        retry_after=None,
        has_request_id=True,
        rng=random.Random(0),
        now=NOW,
        is_retryable=False,
    )
    assert decision.retry is False


@pytest.mark.parametrize(
    "kwargs", [{"max_retries": -1}, {"jitter": 1.5}, {"initial_delay": 9, "max_delay": 8}]
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|need"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


@given(st.text(max_size=40))
def test_parse_retry_after_never_raises_and_is_never_negative(text: str) -> None:
    value = parse_retry_after(text, NOW)
    assert value is None or value >= 0
