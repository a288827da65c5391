"""Problems of new-commerce billing plans and end-of-term choices: term and billing-frequency
changes, three-year SKUs, seat reductions and refund windows by product kind (the rules are in
``validation/billing_plan.py``), and the end-of-term action (``models/end_of_term.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

TERM_NOT_LONGER = ProblemType(
    "billing_plan.term_not_longer",
    "term_duration",
    "The term of subscription {subscription_id} can only change to a longer one mid-term "
    "({current} to {requested} is not longer).",
)
TRIENNIAL_FREQUENCY_LOCKED = ProblemType(
    "billing_plan.triennial_frequency_locked",
    "billing_cycle",
    "The billing frequency of subscription {subscription_id} cannot change mid-term on a "
    "three-year term; schedule it for the renewal instead.",
)
PLAN_NOT_OFFERED = ProblemType(
    "billing_plan.not_offered",
    "billing_cycle",
    "Subscription {subscription_id} cannot move to term {term_duration} billed {billing_cycle}: "
    "the offer does not sell that plan.",
)
THREE_YEAR_MINIMUM = ProblemType(
    "billing_plan.three_year_minimum",
    "quantity",
    "{offer_name} on a three-year term needs at least {minimum} seats ({quantity} asked for).",
)
THREE_YEAR_NO_MONTHLY = ProblemType(
    "billing_plan.three_year_no_monthly",
    "billing_cycle",
    "{offer_name} on a three-year term cannot be billed monthly.",
)
PLAN_CHANGE_REFUSED = ProblemType(
    "billing_plan.change_refused",
    "term_duration",
    "Partner Center refused the plan change of subscription {subscription_id}: {reason}",
)
SOFTWARE_NO_REDUCTION = ProblemType(
    "billing_plan.software_no_reduction",
    "quantity",
    "Subscription {subscription_id} is a software subscription: its seats cannot be reduced.",
)
REFUND_WINDOW_CLOSED = ProblemType(
    "billing_plan.refund_window_closed",
    "subscription_id",
    "Subscription {subscription_id} ({kind}) could be cancelled with a refund until {until}.",
)
EXTENDED_TERM_NOT_AVAILABLE = ProblemType(
    "end_of_term.extended_term_not_available",
    "end_of_term",
    "Subscription {subscription_id} ({kind}) has no extended term: renew it or cancel it at "
    "term end.",
)
NEXT_TERM_WITHOUT_RENEWAL = ProblemType(
    "end_of_term.next_term_without_renewal",
    "end_of_term",
    "Changes for the next term apply only when the subscription renews.",
)
END_OF_TERM_REFUSED = ProblemType(
    "end_of_term.refused",
    "end_of_term",
    "Partner Center refused the end-of-term choice of subscription {subscription_id}: {reason}",
)
