"""Problems of seat limits, the Business plan rule, Dynamics instances, add-on parents and seats
added to existing subscriptions (the rules are in ``validation/limits.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

# Seats per subscription
BELOW_MINIMUM = ProblemType(
    "quantity.below_minimum",
    None,
    "{offer} needs at least {minimum} seats per subscription; {quantity} ordered.",
)
ABOVE_MAXIMUM = ProblemType(
    "quantity.above_maximum",
    None,
    "{offer} allows at most {maximum} seats per subscription; {quantity} ordered.",
)
SUBSCRIPTION_ABOVE_MAXIMUM = ProblemType(
    "quantity.subscription_above_maximum",
    None,
    "Adding {quantity} seats to subscription {subscription_id} ({current} seats) would exceed "
    "the maximum of {maximum} seats per subscription of {offer}.",
)

# Seats per customer
SEAT_CAP = ProblemType(
    "seats.customer_cap_exceeded",
    None,
    "A customer may have at most {cap} seats of {offer} across all its subscriptions; it has "
    "{existing} and this order adds {ordered} ({remaining} left).",
)

# Business plans: one monthly and one annual subscription per customer
BUSINESS_DUPLICATE_LINE = ProblemType(
    "business.duplicate_line",
    None,
    "This order has more than one {billing_cycle} line for {offer}; put all its seats on one "
    "line (Business plans allow one {billing_cycle} subscription per customer).",
)
BUSINESS_TERM_DIFFERS = ProblemType(
    "business.term_differs",
    None,
    "The customer's {billing_cycle} subscription of {offer} ({subscription_id}) has the term "
    "{subscription_term}, and seats added to it keep that term; order it with term "
    "{subscription_term}, or change the subscription's term at renewal.",
)
BUSINESS_EXISTS = ProblemType(
    "business.subscription_exists",
    None,
    "The customer already has a {billing_cycle} subscription of {offer} ({subscription_id}); "
    "Business plans allow one monthly and one annual subscription per customer. Add seats to "
    "that subscription instead.",
)
BUSINESS_OTHER_PARTNER = ProblemType(
    "business.subscription_of_other_partner",
    None,
    "The customer already has a {billing_cycle} subscription of {offer} ({subscription_id}) "
    "billed through another partner ({partner_on_record}); Business plans allow one "
    "{billing_cycle} subscription per customer, so this order can neither add one nor add "
    "seats to it.",
)
BUSINESS_TOO_MANY = ProblemType(
    "business.too_many_subscriptions",
    None,
    "The customer would have {count} subscriptions of {offer}; Microsoft allows at most {limit} "
    "(one monthly and one annual) per Business plan.",
)

# Dynamics instances
DYNAMICS_INSTANCE_EXISTS = ProblemType(
    "dynamics.instance_exists",
    None,
    "The customer already has the Dynamics instance {instance} (subscription "
    "{subscription_id}); buy more licences on that subscription instead of a new one.",
)
DYNAMICS_DUPLICATE_INSTANCE = ProblemType(
    "dynamics.duplicate_instance",
    None,
    "More than one line of this order is for the Dynamics instance {instance}; use one line per "
    "instance.",
)
DYNAMICS_AMBIGUOUS = ProblemType(
    "dynamics.instance_ambiguous",
    None,
    "The customer has {count} subscriptions of {offer}, one per instance; say which instance the "
    "licences are for (instance_name or subscription_id).",
)

# Add-ons and their parent subscription
ADDON_PARENT_MISSING = ProblemType(
    "addon.parent_missing",
    None,
    "{offer} is an add-on: name the subscription it is added to (parent_subscription_id), or "
    "the earlier line of this order that buys it (parent_line_id).",
)
ADDON_PARENT_LINE_INVALID = ProblemType(
    "addon.parent_line_invalid",
    None,
    "{offer} is an add-on for line {parent_line}, which is not an earlier line of this order "
    "buying one of: {allowed}.",
)
ADDON_PARENT_NOT_FOUND = ProblemType(
    "addon.parent_not_found",
    None,
    "{offer} is an add-on for subscription {parent_subscription_id}, which is not a live "
    "subscription of the customer.",
)
ADDON_PARENT_NOT_ALLOWED = ProblemType(
    "addon.parent_not_allowed",
    None,
    "{offer} cannot be added to subscription {parent_subscription_id} ({parent_product}); it "
    "needs a subscription of: {allowed}.",
)
ADDON_PARENT_OTHER_RESELLER = ProblemType(
    "addon.parent_other_reseller",
    None,
    "Subscription {subscription_id} is sold through another partner ({partner_on_record}); "
    "{reseller} cannot buy add-ons on it.",
)

# Seats added to an existing subscription
SUBSCRIPTION_SUSPENDED = ProblemType(
    "subscription.suspended",
    "subscription_id",
    "Subscription {subscription_id} is suspended; reactivate it before changing its quantity.",
)
SUBSCRIPTION_NOT_FOUND = ProblemType(
    "subscription.not_found",
    None,
    "Subscription {subscription_id} is not one of the customer's subscriptions.",
)
SUBSCRIPTION_NOT_LIVE = ProblemType(
    "subscription.not_live",
    None,
    "Subscription {subscription_id} is {status}; seats can only be added to a live subscription.",
)
SUBSCRIPTION_OFFER_MISMATCH = ProblemType(
    "subscription.offer_mismatch",
    None,
    "Subscription {subscription_id} is for product {subscription_product}, not for {offer}.",
)
SUBSCRIPTION_CYCLE_MISMATCH = ProblemType(
    "subscription.billing_cycle_mismatch",
    None,
    "Subscription {subscription_id} is billed {subscription_cycle}; a line adding seats to it "
    "must be billed the same way, not {billing_cycle}.",
)
SUBSCRIPTION_OTHER_PARTNER = ProblemType(
    "subscription.other_partner",
    None,
    "Subscription {subscription_id} of {offer} is billed through another partner "
    "({partner_on_record}); this order cannot add seats to it.",
)
