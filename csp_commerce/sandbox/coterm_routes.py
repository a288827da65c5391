"""Handler: the end dates a new subscription may be given (co-termination).

Emulates learn ``custom-term-end-dates``: for a term (``P1M``, ``P1Y``, ``P3Y``) starting today
(or ``term_start_date``), the last month end inside the term (``calendarMonthAligned``) and the
end dates of the customer's active subscriptions inside it (``subscriptionAligned``, with their
ids; only ``target_coterm_subscription_id``'s when given). A term ends on its anniversary
(as the sandbox's subscriptions do). Seek paging, 300 a page. A cart line's
``customTermEndDate`` must be one of these (:func:`is_allowed`), else 400 / 10017
InvalidCustomTermEndDate.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING

from csp_commerce.sandbox._http import Context, Reply, Request, bad_request, seek_page
from csp_commerce.sandbox.commerce_routes import TERM_MONTHS, add_months
from csp_commerce.sandbox.customer_routes import customer_of

if TYPE_CHECKING:
    from csp_commerce.sandbox.state import JSON, CustomerState

#: Partner Center's page size for this route.
PAGE_SIZE = 300


def _term_end(start: date, term_duration: str) -> date:
    """The day a term bought on ``start`` ends: its anniversary, as the sandbox's own
    subscriptions' ``commitmentEndDate`` says."""
    moment = datetime(start.year, start.month, start.day, tzinfo=timezone.utc)
    return add_months(moment, TERM_MONTHS[term_duration]).date()


def allowed_end_dates(
    customer: CustomerState, term_duration: str, start: date, target: str | None = None
) -> list[JSON]:
    """The allowed end dates, month-aligned first, then one per distinct subscription end."""
    last = _term_end(start, term_duration)
    month_end = date(last.year, last.month, calendar.monthrange(last.year, last.month)[1])
    if month_end > last:
        month_end = last.replace(day=1) - timedelta(days=1)
    found: list[JSON] = []
    if month_end > start:
        found.append(
            {
                "allowedCustomTermEndDateType": "calendarMonthAligned",
                "allowedCustomTermEndDate": f"{month_end.isoformat()}T00:00:00",
            }
        )
    by_end: dict[date, list[str]] = {}
    for subscription in customer.subscriptions.values():
        if subscription.get("status") != "active" or not subscription.get("commitmentEndDate"):
            continue
        if target is not None and subscription["id"] != target:
            continue
        end = date.fromisoformat(str(subscription["commitmentEndDate"])[:10])
        if start < end <= last:
            by_end.setdefault(end, []).append(str(subscription["id"]))
    for end, ids in sorted(by_end.items()):
        found.append(
            {
                "allowedCustomTermEndDateType": "subscriptionAligned",
                "cotermSubscriptionIds": sorted(ids),
                "allowedCustomTermEndDate": f"{end.isoformat()}T00:00:00",
            }
        )
    return found


def is_allowed(customer: CustomerState, term_duration: str, start: date, wanted: str) -> bool:
    """Whether ``wanted`` (a date, or a date-time whose date counts) is an allowed end date."""
    day = wanted[:10]
    return any(
        str(entry["allowedCustomTermEndDate"])[:10] == day
        for entry in allowed_end_dates(customer, term_duration, start)
    )


def list_end_dates(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/subscriptions/customTermEndDates?term_duration=...``."""
    customer = customer_of(ctx, req.params[0])
    term = str(req.query.get("term_duration", "")).upper()
    if term not in TERM_MONTHS:
        raise bad_request("term_duration must be P1M, P1Y or P3Y.")
    start = ctx.now().date()
    given = req.query.get("term_start_date")
    if given:
        try:
            start = date.fromisoformat(given[:10])
        except ValueError:
            raise bad_request("term_start_date must be a date.") from None
    target = req.query.get("target_coterm_subscription_id") or None
    found = allowed_end_dates(customer, term, start, target)
    path = f"/v1/customers/{customer.id}/subscriptions/customTermEndDates"
    return Reply(200, seek_page(req, "coterm", found, path, default_size=PAGE_SIZE))
