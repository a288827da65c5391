"""The rules of subscription changes: their Problems, and the windows Partner Center allows,
read from the subscription's own fields (never a hard-coded number of days)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from csp_commerce.models.catalogue.billing_plan_codes import (
    END_OF_TERM_REFUSED,
    PLAN_CHANGE_REFUSED,
)
from csp_commerce.models.catalogue.limits_codes import SUBSCRIPTION_SUSPENDED
from csp_commerce.models.catalogue.subscriptions_codes import (
    AUTO_RENEW_NOT_ELIGIBLE,
    CANCELLATION_WINDOW_CLOSED,
    QUANTITY_OUT_OF_RANGE,
    REDUCTION_WINDOW_CLOSED,
    SUBSCRIPTION_DELETED,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from csp_commerce.models.problem import Problem


#: Partner Center business codes that are the customer's mistakes, as Problems.
_QUANTITY_CODES = frozenset({2002, 800067, 800088, 800089})


class SubscriptionWindows(Protocol):
    """The fields a subscription says its change windows with, as Partner Center sends them
    (``provisioning.wire.Subscription`` has them)."""

    @property
    def cancellation_allowed_until_date(self) -> str | None:
        """``cancellationAllowedUntilDate``, when sent."""

    @property
    def model_extra(self) -> dict[str, Any] | None:
        """The fields without a declared attribute, among them ``refundableQuantity``."""


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _refundable_details(subscription: SubscriptionWindows) -> list[tuple[int, datetime]] | None:
    """``refundableQuantity.details`` as (quantity, allowed until); None when not sent."""
    extra = subscription.model_extra or {}
    refundable = extra.get("refundableQuantity")
    if not isinstance(refundable, dict):
        return None
    details: list[tuple[int, datetime]] = []
    for item in refundable.get("details") or []:
        if not isinstance(item, dict) or not item.get("allowedUntilDateTime"):
            continue
        try:
            details.append(
                (int(item.get("quantity") or 0), _parse_time(item["allowedUntilDateTime"]))
            )
        except (TypeError, ValueError):
            continue
    return details


def cancellation_deadline(subscription: SubscriptionWindows) -> datetime | None:
    """Until when Partner Center lets the subscription be cancelled, from its own fields.

    ``cancellationAllowedUntilDate`` when present, else the latest
    ``refundableQuantity.details[].allowedUntilDateTime``; None when the subscription says
    nothing (legacy offers): then Partner Center alone decides.
    """
    if subscription.cancellation_allowed_until_date:
        return _parse_time(subscription.cancellation_allowed_until_date)
    details = _refundable_details(subscription)
    if details:
        return max(until for _, until in details)
    return None


def refundable_seats(subscription: SubscriptionWindows, now: datetime) -> int | None:
    """Seats that can still be removed with a refund now; None when the subscription does not
    say (no ``refundableQuantity``)."""
    details = _refundable_details(subscription)
    if details is None:
        return None
    return sum(quantity for quantity, until in details if now <= until)


def problem_from(
    code: int | str | None, description: str, intent: Mapping[str, Any]
) -> Problem | None:
    """A Partner Center refusal that is the customer's mistake, as a Problem; None otherwise.

    ``code`` and ``description`` are Partner Center's (the error's message when it sent no
    description); ``intent`` is what the change asked for (``subscription_id``, ``quantity``).
    """
    subscription_id = str(intent.get("subscription_id", ""))
    operation = intent.get("operation")
    if operation == "set_end_of_term" and code in (800093, 10010):
        return END_OF_TERM_REFUSED(subscription_id=subscription_id, reason=description)
    if operation == "change_plan" and code in (2054, 10013):
        return PLAN_CHANGE_REFUSED(subscription_id=subscription_id, reason=description)
    if code in _QUANTITY_CODES:
        return QUANTITY_OUT_OF_RANGE(quantity=intent.get("quantity"), reason=description)
    if code == 800090:
        return REDUCTION_WINDOW_CLOSED(subscription_id=subscription_id, until="its refund window")
    if code == 900117:
        return CANCELLATION_WINDOW_CLOSED(subscription_id=subscription_id, until="its window")
    if code in (800091, 2001):
        return SUBSCRIPTION_SUSPENDED(subscription_id=subscription_id)
    if code == 2011:
        return SUBSCRIPTION_DELETED(subscription_id=subscription_id)
    if code == 800093:
        return AUTO_RENEW_NOT_ELIGIBLE(subscription_id=subscription_id, reason=description)
    return None
