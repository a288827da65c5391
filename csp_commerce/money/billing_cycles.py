"""The partner's billing cycles: which cycle a day falls in, and when its report is dated.

A cycle ends on the partner's ``end_day`` of a month and starts the day after the previous
cycle's end. Its billing report is dated the day after it ends: with ``end_day=15`` the cycle
16 February - 15 March is reported on 16 March. (The seed describes that cycle as "from the
14th of the previous month to the 15th"; cycles cannot overlap, so we start on the 16th.)

An ``end_day`` of 29-31 is clamped to the last day of shorter months: with ``end_day=31`` the
February cycle ends on the 28th (29th in a leap year) and March's starts on 1 March.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import model_validator

from csp_commerce.models._base import Model

_DAY = timedelta(days=1)


class BillingPeriod(Model):
    """One billing cycle, ``start`` to ``end`` inclusive."""

    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> BillingPeriod:
        if self.end < self.start:
            raise ValueError("a billing period cannot end before it starts")
        return self

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


@dataclass(frozen=True)
class BillingCycleCalendar:
    """The billing cycles of a partner whose cycle ends on ``end_day`` (1-31) of each month."""

    end_day: int = 15

    def __post_init__(self) -> None:
        if not 1 <= self.end_day <= 31:
            raise ValueError("end_day must be between 1 and 31")

    def _end_in(self, year: int, month: int) -> date:
        """The cycle end in a month: ``end_day``, or the month's last day if it is shorter."""
        return date(year, month, min(self.end_day, calendar.monthrange(year, month)[1]))

    def cycle_containing(self, day: date) -> BillingPeriod:
        """The cycle ``day`` falls in."""
        end = self._end_in(day.year, day.month)
        if day > end:
            year, month = _next_month(day.year, day.month)
            end = self._end_in(year, month)
        year, month = _previous_month(end.year, end.month)
        return BillingPeriod(start=self._end_in(year, month) + _DAY, end=end)

    def report_date(self, cycle: BillingPeriod) -> date:
        """The date of the cycle's billing report: the day after it ends."""
        return cycle.end + _DAY

    def previous_cycle(self, day: date) -> BillingPeriod:
        """The last cycle complete before ``day``: the one a report dated ``day`` covers."""
        return self.cycle_containing(self.cycle_containing(day).start - _DAY)

    def cycles_reported_between(self, first: date, last: date) -> list[BillingPeriod]:
        """The cycles whose report is dated between ``first`` and ``last`` (inclusive), in order.

        One per month: a date range of several months gives one report per month.
        """
        cycles: list[BillingPeriod] = []
        cycle = self.previous_cycle(first)
        if self.report_date(cycle) < first:
            cycle = self.cycle_containing(cycle.end + _DAY)
        while self.report_date(cycle) <= last:
            cycles.append(cycle)
            cycle = self.cycle_containing(cycle.end + _DAY)
        return cycles


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)
