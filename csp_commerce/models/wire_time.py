"""Partner Center's times as aware datetimes."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_wire_time(text: str | None) -> datetime | None:
    """``text`` (ISO 8601 with ``Z``, an offset, or none, which means UTC) as an aware datetime;
    None when it is missing or unreadable."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
