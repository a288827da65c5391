"""Problems of upgrades (new-commerce transitions) and partner-to-partner transfers, found
before any request where the subscription, its eligibilities or the transfer tell
(``operations/upgrades.py``, ``operations/transfers.py``)."""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

# Upgrades
UPGRADE_TARGET_NOT_ELIGIBLE = ProblemType(
    "upgrade.target_not_eligible",
    "target",
    "Subscription {subscription_id} cannot be upgraded to {target}: {reason}",
)
UPGRADE_QUANTITY_OVER_SEATS = ProblemType(
    "upgrade.quantity_over_seats",
    "quantity",
    "Subscription {subscription_id} has {seats} seats; {quantity} cannot be upgraded.",
)
UPGRADE_TRANSITION_TYPE_INVALID = ProblemType(
    "upgrade.transition_type_invalid",
    "transition_type",
    "{value} is not a transition type (transition_only or transition_with_license_transfer).",
)
UPGRADE_SUBSCRIPTION_INACTIVE = ProblemType(
    "upgrade.subscription_inactive",
    "subscription_id",
    "Only an active subscription can be upgraded; {subscription_id} is {status}.",
)
UPGRADE_REFUSED = ProblemType(
    "upgrade.refused",
    "target",
    "Partner Center refused the upgrade to {target}: {reason}",
)

# Transfers
TRANSFER_SOURCE_PARTNER_INVALID = ProblemType(
    "transfer.source_partner_invalid",
    "source_partner_tenant_id",
    "{value} is not another partner's tenant id (a GUID that is not this partner's own).",
)
TRANSFER_EMAIL_INVALID = ProblemType(
    "transfer.email_invalid",
    "customer_email",
    "{value} is not an email address for the customer's transfer notice.",
)
TRANSFER_NOT_ACTIVE = ProblemType(
    "transfer.not_active",
    "transfer_id",
    "Transfer {transfer_id} is {status}; only an active transfer can be submitted.",
)
TRANSFER_INCOMING = ProblemType(
    "transfer.incoming",
    "transfer_id",
    "Transfer {transfer_id} is one this partner asked for; the customer's current partner "
    "submits it.",
)
TRANSFER_QUANTITY_OVER_SEATS = ProblemType(
    "transfer.quantity_over_seats",
    "quantity",
    "Subscription {subscription_id} has {seats} seats; {quantity} cannot be transferred.",
)
TRANSFER_NO_LINES = ProblemType(
    "transfer.no_lines",
    "line_items",
    "A transfer is submitted with at least one subscription.",
)
TRANSFER_REFUSED = ProblemType(
    "transfer.refused",
    "transfer_id",
    "Partner Center refused the transfer: {reason}",
)
