"""What happens to a subscription at the end of its term (Extended Service Terms, 2026).

For terms ending on or after 4 May 2026 (subscriptions bought from 1 April 2025), a
licence-based subscription with auto-renew off no longer simply expires: unless it is set to
cancel at term end it moves into a paid, monthly *extended term* at the monthly-term rate
+3 % (+23 % where the product has no monthly term). So the choice has three values,
:class:`EndOfTermAction`, and the library always sends one explicitly.

**Unconfirmed wire shape, isolated here.** Microsoft's text does not give the PATCH shape of the
choice. The documented one (a 2026 knowledge pack citing Microsoft's pages) is
``scheduledActions: [{"scheduledType": "TermEnd", "actionType": "RenewToNewTerm",
"instructions": {product, quantity, customTermEndDate}}]``, which "also expresses
cancel-at-term-end"; when both ``scheduledActions`` and ``scheduledNextTermInstructions`` are
sent only ``scheduledActions`` counts. The other two ``actionType`` names,
``RenewToExtendedTerm`` and ``CancelAtTermEnd``, are ours (unconfirmed). :func:`wire_changes`
and :func:`read_end_of_term` are the only code that knows these names: the client, the step
engine and the sandbox all go through them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any

from pydantic import Field

from csp_commerce.models._base import Model
from csp_commerce.models.offer import ProductKind

#: Terms ending on or after this moment move into the extended term (no free grace period).
EXTENDED_TERM_FROM = datetime(2026, 5, 4, tzinfo=timezone.utc)
#: ... for subscriptions bought on or after this moment; older ones keep the legacy expiry.
EXTENDED_TERM_PURCHASED_FROM = datetime(2025, 4, 1, tzinfo=timezone.utc)
#: The extended term's price: the monthly-term rate +3 %, or +23 % without a monthly term.
UPLIFT_ON_MONTHLY_TERM = Decimal("1.03")
UPLIFT_WITHOUT_MONTHLY_TERM = Decimal("1.23")
#: Product kinds the extended term covers (not perpetual, software subscriptions or Azure).
EXTENDED_TERM_KINDS = frozenset({ProductKind.LICENCE_BASED})

CENT = Decimal("0.01")


class EndOfTermAction(str, Enum):
    """What the storefront wants at term end: renew, move to the extended term, or cancel."""

    RENEW = "renew"
    EXTENDED_TERM = "extended_term"
    CANCEL = "cancel"


class TermEndOutcome(str, Enum):
    """What will happen at term end, as the renewals report shows it."""

    RENEWS = "renews"
    EXTENDED_TERM = "extended_term"
    ENDS = "ends"


class NextTerm(Model):
    """A scheduled change that takes effect at renewal (product, term, billing, seats).

    Fields left None keep the subscription's current value.
    """

    product_id: str | None = Field(default=None, max_length=64)
    sku_id: str | None = Field(default=None, max_length=64)
    availability_id: str | None = Field(default=None, max_length=64)
    billing_cycle: str | None = Field(default=None, max_length=32)
    term_duration: str | None = Field(default=None, max_length=16)
    quantity: int | None = Field(default=None, ge=1, le=1_000_000)
    custom_term_end_date: str | None = Field(default=None, max_length=40)

    def is_empty(self) -> bool:
        """Whether nothing changes at renewal."""
        return not self.model_dump(exclude_none=True)


class EndOfTerm(Model):
    """A subscription's end-of-term choice as read from Partner Center.

    ``explicit`` is False when nothing but ``autoRenewEnabled: false`` was found: Partner
    Center then applies its default, the extended term (for eligible subscriptions).
    """

    action: EndOfTermAction
    explicit: bool
    next_term: NextTerm | None = None


# -- the one place that knows the wire shape ---------------------------------------------------

_SCHEDULED_TYPE = "TermEnd"
_ACTION_TYPES: dict[EndOfTermAction, str] = {
    EndOfTermAction.RENEW: "RenewToNewTerm",  # documented
    EndOfTermAction.EXTENDED_TERM: "RenewToExtendedTerm",  # unconfirmed name
    EndOfTermAction.CANCEL: "CancelAtTermEnd",  # unconfirmed name
}
_ACTIONS_BY_TYPE = {value.lower(): key for key, value in _ACTION_TYPES.items()}


def action_type_of(action: EndOfTermAction) -> str:
    """The ``actionType`` sent for ``action``."""
    return _ACTION_TYPES[action]


def action_of_type(action_type: object) -> EndOfTermAction | None:
    """The action an ``actionType`` names (case-insensitively); None for one we do not know."""
    return _ACTIONS_BY_TYPE.get(str(action_type).lower()) if action_type is not None else None


def _instructions(next_term: NextTerm) -> dict[str, Any]:
    product = {
        key: value
        for key, value in {
            "productId": next_term.product_id,
            "skuId": next_term.sku_id,
            "availabilityId": next_term.availability_id,
            "billingCycle": next_term.billing_cycle,
            "termDuration": next_term.term_duration,
        }.items()
        if value is not None
    }
    body: dict[str, Any] = {}
    if product:
        body["product"] = product
    if next_term.quantity is not None:
        body["quantity"] = next_term.quantity
    if next_term.custom_term_end_date is not None:
        body["customTermEndDate"] = next_term.custom_term_end_date
    return body


def _next_term(instructions: object) -> NextTerm | None:
    if not isinstance(instructions, dict):
        return None
    product = instructions.get("product") if isinstance(instructions.get("product"), dict) else {}
    assert isinstance(product, dict)
    quantity = instructions.get("quantity")
    found = NextTerm(
        product_id=product.get("productId"),
        sku_id=product.get("skuId"),
        availability_id=product.get("availabilityId"),
        billing_cycle=product.get("billingCycle"),
        term_duration=product.get("termDuration"),
        quantity=quantity if isinstance(quantity, int) and quantity >= 1 else None,
        custom_term_end_date=instructions.get("customTermEndDate"),
    )
    return None if found.is_empty() else found


def wire_changes(action: EndOfTermAction, next_term: NextTerm | None = None) -> dict[str, Any]:
    """The subscription fields a PATCH sets for ``action`` (never ``autoRenewEnabled`` alone).

    ``next_term`` (renewal only) becomes the action's ``instructions``.
    """
    if next_term is not None and action is not EndOfTermAction.RENEW:
        raise ValueError("scheduled next-term changes apply only when the subscription renews")
    scheduled: dict[str, Any] = {
        "scheduledType": _SCHEDULED_TYPE,
        "actionType": _ACTION_TYPES[action],
    }
    if next_term is not None and not next_term.is_empty():
        scheduled["instructions"] = _instructions(next_term)
    return {
        "autoRenewEnabled": action is EndOfTermAction.RENEW,
        "scheduledActions": [scheduled],
    }


def read_end_of_term(subscription: dict[str, Any]) -> EndOfTerm:
    """The end-of-term choice of a subscription (its wire JSON).

    ``scheduledActions`` (a ``TermEnd`` entry) wins; then ``scheduledNextTermInstructions``
    (renewal with changes); then ``autoRenewEnabled``: on means renew, off alone means Partner
    Center's default, the extended term (``explicit`` False).
    """
    for entry in subscription.get("scheduledActions") or []:
        if not isinstance(entry, dict):
            continue
        if str(entry.get("scheduledType") or _SCHEDULED_TYPE).lower() != "termend":
            continue
        action = action_of_type(entry.get("actionType"))
        if action is not None:
            return EndOfTerm(
                action=action, explicit=True, next_term=_next_term(entry.get("instructions"))
            )
    instructions = _next_term(subscription.get("scheduledNextTermInstructions"))
    if instructions is not None:
        return EndOfTerm(action=EndOfTermAction.RENEW, explicit=True, next_term=instructions)
    if subscription.get("autoRenewEnabled") is True:
        return EndOfTerm(action=EndOfTermAction.RENEW, explicit=True)
    return EndOfTerm(action=EndOfTermAction.EXTENDED_TERM, explicit=False)


# -- who gets the extended term, and what it costs -------------------------------------------


def extended_term_applies(
    kind: ProductKind, purchased: datetime | None, term_end: datetime | None
) -> bool:
    """Whether a subscription not renewed moves into the extended term (else it expires, the
    legacy way): licence-based, bought from 1 Apr 2025, term ending from 4 May 2026."""
    if kind not in EXTENDED_TERM_KINDS or term_end is None:
        return False
    bought_in_time = purchased is None or purchased >= EXTENDED_TERM_PURCHASED_FROM
    return bought_in_time and term_end >= EXTENDED_TERM_FROM


def outcome_at_term_end(end_of_term: EndOfTerm, *, extended_term_applies: bool) -> TermEndOutcome:
    """What the choice means at term end for a subscription (eligible for the extended term
    or not)."""
    if end_of_term.action is EndOfTermAction.RENEW:
        return TermEndOutcome.RENEWS
    if end_of_term.action is EndOfTermAction.EXTENDED_TERM and extended_term_applies:
        return TermEndOutcome.EXTENDED_TERM
    return TermEndOutcome.ENDS


def extended_term_unit_price(
    monthly_term_price: Decimal | None, current_monthly_price: Decimal
) -> Decimal:
    """The extended term's price of one licence for one month: the monthly-term rate +3 %, or,
    where the product has no monthly term (``monthly_term_price`` None), the current rate
    per month +23 %; to the cent, half up."""
    if monthly_term_price is not None:
        price = monthly_term_price * UPLIFT_ON_MONTHLY_TERM
    else:
        price = current_monthly_price * UPLIFT_WITHOUT_MONTHLY_TERM
    return price.quantize(CENT, rounding=ROUND_HALF_UP)
