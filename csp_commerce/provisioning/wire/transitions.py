"""Upgrades of new-commerce subscriptions (transitions).

Documented: the eligibility listing (``transitionEligibilities``: each target's
``catalogItemId``, ``title``, ``quantity`` and ``eligibilities[{isEligible, transitionType,
errors[{code, description}]}]``) and the request body (:class:`TransitionRequest`). The
*answer* of ``POST .../transitions`` and the items of ``GET .../transitions`` are described
only by their field names in Microsoft's pages (no schema): :class:`Transition` declares the
ones the reference names (unconfirmed shape; unknown fields are kept). This module is the one
place that relies on it.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from csp_commerce.provisioning.wire._pc_model import PCModel

#: ``transitionType`` values: the seats move, or the seats and their users' licences move.
TRANSITION_ONLY = "transition_only"
TRANSITION_WITH_LICENSE_TRANSFER = "transition_with_license_transfer"
TRANSITION_TYPES = (TRANSITION_ONLY, TRANSITION_WITH_LICENSE_TRANSFER)
#: ``eligibilityType``: a transition now, or one scheduled for the renewal.
ELIGIBILITY_TYPES = ("immediate", "scheduled")


class EligibilityError(PCModel):
    """Why a target is not eligible (``code`` is a number or a name; Partner Center uses both)."""

    code: int | str | None = None
    description: str | None = None


class Eligibility(PCModel):
    """Whether one kind of transition to the target is possible."""

    is_eligible: bool = False
    transition_type: str | None = None
    errors: list[EligibilityError] = Field(default_factory=list)


class TransitionEligibility(PCModel):
    """One target a subscription may be upgraded (transitioned) to."""

    catalog_item_id: str
    title: str | None = None
    description: str | None = None
    quantity: int | None = None
    eligibilities: list[Eligibility] = Field(default_factory=list)

    @property
    def eligible_types(self) -> list[str]:
        """The transition types that are possible (empty: not eligible)."""
        return [e.transition_type or "" for e in self.eligibilities if e.is_eligible]

    @property
    def reasons(self) -> list[str]:
        """Partner Center's reasons against the target (empty when eligible)."""
        return [
            f"{error.code}: {error.description}" if error.code is not None else str(error)
            for e in self.eligibilities
            if not e.is_eligible
            for error in e.errors
        ]


class TransitionRequest(PCModel):
    """The body of ``POST .../subscriptions/{s}/transitions``."""

    from_catalog_item_id: str | None = None
    to_catalog_item_id: str
    quantity: int
    term_duration: str | None = None
    billing_cycle: str | None = None
    transition_type: str = TRANSITION_ONLY
    promotion_id: str | None = None


class TransitionEvent(PCModel):
    """One stage of a transition (``Conversion``, ``LicenseReassignment``) and its status."""

    name: str | None = None
    status: str | None = None
    timestamp: str | None = None


class Transition(PCModel):
    """A transition made (the answer of the POST; the items of the transition list).

    Shape unconfirmed (see the module): the fields the reference names.
    """

    conditional_fields: ClassVar[frozenset[str]] = frozenset({"promotionId"})

    id: str | None = None
    from_catalog_item_id: str | None = None
    to_catalog_item_id: str
    from_subscription_id: str | None = None
    to_subscription_id: str | None = None
    quantity: int
    term_duration: str | None = None
    billing_cycle: str | None = None
    transition_type: str | None = None
    status: str | None = None
    operation_id: str | None = None
    creation_date: str | None = None
    events: list[TransitionEvent] = Field(default_factory=list)
    promotion_id: str | None = None
