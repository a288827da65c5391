"""Co-termination: the end dates a customer's new subscription may be given.

``GET /v1/customers/{c}/subscriptions/customTermEndDates`` (learn ``custom-term-end-dates``):
the ends of calendar months and the end dates of the customer's existing subscriptions, for a
term; up to 300 a page, the next page's continuation token in a header (seek paging). Only for
new purchases, not renewals.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.provisioning._core import Call, PageSpec, collection
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    quote,
)
from csp_commerce.provisioning.wire import CustomTermEndDate

if TYPE_CHECKING:
    from datetime import date


def _list(
    customer_id: str,
    term_duration: str,
    *,
    term_start_date: date | None = None,
    target_coterm_subscription_id: str | None = None,
) -> PageSpec[CustomTermEndDate]:
    """The end dates a new subscription of ``term_duration`` (``P1M``, ``P1Y``, ``P3Y``)
    bought for the customer may have: month ends and its subscriptions' end dates (only
    ``target_coterm_subscription_id``'s, if given), for a term starting ``term_start_date``
    (default: today)."""
    params: dict[str, str | int] = {"term_duration": term_duration}
    if term_start_date is not None:
        params["term_start_date"] = term_start_date.isoformat()
    if target_coterm_subscription_id is not None:
        params["target_coterm_subscription_id"] = target_coterm_subscription_id
    path = f"/v1/customers/{quote(customer_id)}/subscriptions/customTermEndDates"
    return PageSpec(Call("GET", path, collection(CustomTermEndDate), params=params))


class _Operations:
    list = listing(_list)


class TermEndDates(SyncResource, _Operations):
    """``client.term_end_dates``: the end dates a new subscription may co-terminate on."""


class AsyncTermEndDates(AsyncResource, _Operations):
    """``client.term_end_dates`` (async): the end dates a new subscription may co-terminate on."""
