"""Partner Center's times as aware datetimes."""

from __future__ import annotations

from datetime import datetime, timezone

from csp_commerce.models.wire_time import parse_wire_time


def test_zulu_offsets_and_naive_times_are_aware_and_junk_is_none() -> None:
    utc = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
    assert parse_wire_time("2026-05-04T12:00:00Z") == utc
    assert parse_wire_time("2026-05-04T14:00:00+02:00") == utc
    assert parse_wire_time("2026-05-04T12:00:00") == utc  # no offset: UTC, as Partner Center
    assert parse_wire_time("yesterday") is None
    assert parse_wire_time(None) is None and parse_wire_time("") is None
