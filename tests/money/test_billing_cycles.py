from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csp_commerce.money import BillingCycleCalendar, BillingPeriod


def period(start: str, end: str) -> BillingPeriod:
    return BillingPeriod(start=date.fromisoformat(start), end=date.fromisoformat(end))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-03-15", period("2024-02-16", "2024-03-15")),
        ("2024-03-16", period("2024-03-16", "2024-04-15")),
        ("2024-02-16", period("2024-02-16", "2024-03-15")),
        ("2024-01-10", period("2023-12-16", "2024-01-15")),
        ("2024-12-31", period("2024-12-16", "2025-01-15")),
    ],
)
def test_cycles_around_the_15th(day: str, expected: BillingPeriod) -> None:
    assert BillingCycleCalendar(15).cycle_containing(date.fromisoformat(day)) == expected


def test_a_cycle_ending_on_the_15th_is_reported_on_the_16th() -> None:
    calendar = BillingCycleCalendar(15)
    reported = calendar.previous_cycle(date(2024, 3, 16))
    assert reported == period("2024-02-16", "2024-03-15")
    assert calendar.report_date(reported) == date(2024, 3, 16)
    assert calendar.previous_cycle(date(2024, 3, 15)) == period("2024-01-16", "2024-02-15")


@pytest.mark.parametrize(
    ("end_day", "day", "expected"),
    [
        (31, "2024-02-10", period("2024-02-01", "2024-02-29")),
        (31, "2023-02-10", period("2023-02-01", "2023-02-28")),
        (31, "2024-03-01", period("2024-03-01", "2024-03-31")),
        (30, "2023-01-31", period("2023-01-31", "2023-02-28")),
        (30, "2023-03-01", period("2023-03-01", "2023-03-30")),
        (28, "2023-03-01", period("2023-03-01", "2023-03-28")),
        (29, "2023-03-01", period("2023-03-01", "2023-03-29")),
        (29, "2024-02-29", period("2024-01-30", "2024-02-29")),
    ],
)
def test_end_days_past_a_short_month_are_clamped_to_its_last_day(
    end_day: int, day: str, expected: BillingPeriod
) -> None:
    assert BillingCycleCalendar(end_day).cycle_containing(date.fromisoformat(day)) == expected


def test_one_report_per_month_in_a_range() -> None:
    calendar = BillingCycleCalendar(15)
    cycles = calendar.cycles_reported_between(date(2024, 1, 1), date(2024, 3, 31))
    assert [calendar.report_date(c) for c in cycles] == [
        date(2024, 1, 16),
        date(2024, 2, 16),
        date(2024, 3, 16),
    ]
    assert calendar.cycles_reported_between(date(2024, 1, 17), date(2024, 2, 15)) == []


def test_end_day_is_checked() -> None:
    with pytest.raises(ValueError, match="end_day"):
        BillingCycleCalendar(32)


@given(
    end_day=st.integers(min_value=1, max_value=31),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_cycles_tile_the_calendar(end_day: int, day: date) -> None:
    calendar = BillingCycleCalendar(end_day)
    cycle = calendar.cycle_containing(day)
    assert day in cycle
    following = calendar.cycle_containing(cycle.end.fromordinal(cycle.end.toordinal() + 1))
    assert following.start.toordinal() == cycle.end.toordinal() + 1
    assert calendar.previous_cycle(calendar.report_date(cycle)) == cycle
