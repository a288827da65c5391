"""Problems of changes to existing subscriptions: quantity, cancellation, auto-renew, add-ons and
operation ids (the rules are in ``validation/subscription_changes.py``, the changes in
``operations/subscription_manager.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

# Changes to a subscription
SUBSCRIPTION_DELETED = ProblemType(
    "subscription.deleted",
    "subscription_id",
    "Subscription {subscription_id} is cancelled; it cannot be changed.",
)
OTHER_RESELLER = ProblemType(
    "subscription.other_reseller",
    "subscription_id",
    "Subscription {subscription_id} is sold through another reseller ({partner_on_record}); "
    "{reseller} cannot change it.",
)
QUANTITY_INVALID = ProblemType(
    "subscription.quantity.invalid",
    "quantity",
    "The quantity must be at least 1 (cancel the subscription to end it).",
)
QUANTITY_OUT_OF_RANGE = ProblemType(
    "subscription.quantity.out_of_range",
    "quantity",
    "Partner Center does not accept {quantity} seats for this subscription: {reason}",
)
REDUCTION_WINDOW_CLOSED = ProblemType(
    "subscription.quantity.reduction_window_closed",
    "quantity",
    "Seats of subscription {subscription_id} could only be removed until {until}; "
    "the quantity can now only grow.",
)
REDUCTION_EXCEEDS_REFUNDABLE = ProblemType(
    "subscription.quantity.reduction_exceeds_refundable",
    "quantity",
    "Only {refundable} seats of subscription {subscription_id} can still be removed; "
    "{requested} were asked for.",
)
CANCELLATION_WINDOW_CLOSED = ProblemType(
    "subscription.cancellation_window_closed",
    "subscription_id",
    "Subscription {subscription_id} could be cancelled until {until}; Partner Center no "
    "longer allows it. Turn auto-renew off to end it at its term.",
)
AUTO_RENEW_NOT_ELIGIBLE = ProblemType(
    "subscription.auto_renew.not_eligible",
    "auto_renew",
    "Auto-renew cannot be changed for subscription {subscription_id}: {reason}",
)
ADDON_PARENT_INACTIVE = ProblemType(
    "subscription.addon.parent_inactive",
    "subscription_id",
    "Add-ons can only be bought on an active subscription; {subscription_id} is {status}.",
)
ADDON_REFUSED = ProblemType(
    "subscription.addon.refused",
    "offer_id",
    "Partner Center refused the add-on {offer_id}: {reason}",
)

# Operation ids (each change is sent once)
OPERATION_ID_REUSED = ProblemType(
    "operation.id_reused",
    "operation_id",
    "Operation id {operation_id} was already used for {recorded}; use a new id.",
)
OPERATION_FAILED = ProblemType(
    "operation.failed",
    "operation_id",
    "Operation {operation_id} already failed: {reason}",
)
