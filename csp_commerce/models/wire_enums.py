"""Partner Center's enumerations, tolerant of values Microsoft adds later.

Partner Center (and Graph) add enum values without notice: subscriptions turned up ``expired``
and ``disabled`` long after clients had closed their enums, and crashed every listing. A field
typed ``Tolerant[X]`` holds the :class:`WireEnum` member for a known value and the plain string
for an unknown one, so a parse never fails on a new value; both compare equal to the wire text
(``status == "active"``) and serialise back unchanged.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, PlainSerializer

E = TypeVar("E", bound="WireEnum")


class WireEnum(str, Enum):
    """An enum of Partner Center's wire values: prints, formats and hashes as its value, so
    that a member and the same text are interchangeable (in sets and dict keys too)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)

    def __hash__(self) -> int:
        return hash(str(self.value))

    @classmethod
    def parse(cls: type[E], value: object) -> E | str:
        """The member for ``value`` (case-insensitively), else ``value`` kept as a string."""
        if isinstance(value, cls):
            return value
        text = str(value)
        try:
            return cls(text)
        except ValueError:
            folded = text.lower()
            for member in cls:
                if member.value.lower() == folded:
                    return member
            return text


class SubscriptionStatus(WireEnum):
    """``status`` of a subscription."""

    NONE = "none"
    ACTIVE = "active"
    PENDING = "pending"
    SUSPENDED = "suspended"
    DELETED = "deleted"
    EXPIRED = "expired"
    DISABLED = "disabled"


class PCOrderStatus(WireEnum):
    """``status`` of a Partner Center order."""

    PENDING = "pending"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class CartStatus(WireEnum):
    """``status`` of a new-commerce cart."""

    ACTIVE = "Active"
    ORDERED = "Ordered"
    EXPIRED = "Expired"


class WireBillingCycle(WireEnum):
    """``billingCycle`` as Partner Center sends it (``none`` for usage-billed Azure plans)."""

    NONE = "none"
    MONTHLY = "monthly"
    ANNUAL = "annual"
    TRIENNIAL = "triennial"
    ONE_TIME = "one_time"
    UNKNOWN = "unknown"


class WireTerm(WireEnum):
    """``termDuration`` (ISO 8601 durations)."""

    P1M = "P1M"
    P1Y = "P1Y"
    P3Y = "P3Y"


class ProvisioningState(WireEnum):
    """``status`` of a subscription's provisioning status."""

    SUCCESS = "success"
    PENDING = "pending"
    FAILED = "failed"


class LineProvisioningState(WireEnum):
    """``status`` of an order line's provisioning status."""

    FULFILLED = "fulfilled"
    UNFULFILLED = "unfulfilled"
    PREFULFILLMENT_PENDING = "prefulfillmentPending"


class BillingType(WireEnum):
    """``billingType`` of a subscription."""

    NONE = "none"
    USAGE = "usage"
    LICENSE = "license"


class VettingState(WireEnum):
    """``vettingStatus`` of a customer qualification."""

    NONE = "None"
    IN_REVIEW = "InReview"
    APPROVED = "Approved"
    DENIED = "Denied"


class UserState(WireEnum):
    """``state`` of a customer user."""

    ACTIVE = "active"
    INACTIVE = "inactive"


class ScheduledType(WireEnum):
    """``scheduledActions[].scheduledType`` (only ``TermEnd`` is documented)."""

    TERM_END = "TermEnd"


class PCActionType(WireEnum):
    """``scheduledActions[].actionType``: ``RenewToNewTerm`` is documented; the other two are
    the names :mod:`csp_commerce.models.end_of_term` sends (unconfirmed, see there)."""

    RENEW_TO_NEW_TERM = "RenewToNewTerm"
    RENEW_TO_EXTENDED_TERM = "RenewToExtendedTerm"
    CANCEL_AT_TERM_END = "CancelAtTermEnd"


class _TolerantOf:
    """Marks a field as a tolerant enum (tests find every one through it)."""

    def __init__(self, enum: type[WireEnum]) -> None:
        self.enum = enum

    def __repr__(self) -> str:
        return f"TolerantOf({self.enum.__name__})"


def _parser(enum: type[WireEnum]) -> BeforeValidator:
    def parse(value: object) -> object:
        return value if value is None else enum.parse(value)

    return BeforeValidator(parse)


#: Serialises a member or an unknown value as the text it came as.
_AS_TEXT = PlainSerializer(lambda value: None if value is None else str(value))


def tolerant_enum_of(metadata: list[Any]) -> type[WireEnum] | None:
    """The enum a field's metadata marks it tolerant of, or None."""
    for item in metadata:
        if isinstance(item, _TolerantOf):
            return item.enum
    return None


# The typed aliases the wire models use: the member, or the unknown value as a string.
SubscriptionStatusField = Annotated[
    SubscriptionStatus | str, _parser(SubscriptionStatus), _AS_TEXT, _TolerantOf(SubscriptionStatus)
]
PCOrderStatusField = Annotated[
    PCOrderStatus | str, _parser(PCOrderStatus), _AS_TEXT, _TolerantOf(PCOrderStatus)
]
CartStatusField = Annotated[
    CartStatus | str, _parser(CartStatus), _AS_TEXT, _TolerantOf(CartStatus)
]
BillingCycleField = Annotated[
    WireBillingCycle | str, _parser(WireBillingCycle), _AS_TEXT, _TolerantOf(WireBillingCycle)
]
TermField = Annotated[WireTerm | str, _parser(WireTerm), _AS_TEXT, _TolerantOf(WireTerm)]
ProvisioningStateField = Annotated[
    ProvisioningState | str, _parser(ProvisioningState), _AS_TEXT, _TolerantOf(ProvisioningState)
]
LineProvisioningStateField = Annotated[
    LineProvisioningState | str,
    _parser(LineProvisioningState),
    _AS_TEXT,
    _TolerantOf(LineProvisioningState),
]
VettingStateField = Annotated[
    VettingState | str, _parser(VettingState), _AS_TEXT, _TolerantOf(VettingState)
]
UserStateField = Annotated[UserState | str, _parser(UserState), _AS_TEXT, _TolerantOf(UserState)]
BillingTypeField = Annotated[
    BillingType | str, _parser(BillingType), _AS_TEXT, _TolerantOf(BillingType)
]
ScheduledTypeField = Annotated[
    ScheduledType | str, _parser(ScheduledType), _AS_TEXT, _TolerantOf(ScheduledType)
]
ActionTypeField = Annotated[
    PCActionType | str, _parser(PCActionType), _AS_TEXT, _TolerantOf(PCActionType)
]
