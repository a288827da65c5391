"""Problems of co-terminated end dates (``customTermEndDate``; the rule is in
``validation/coterm.py``): a new subscription may end on a date Partner Center offers for the
customer (``customTermEndDates``) instead of after a full term."""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

DATE_NOT_OFFERED = ProblemType(
    "coterm.date_not_offered",
    "custom_term_end_date",
    "{offer_name} cannot end on {end_date}: the end dates offered for a {term_duration} term "
    "are {offered_dates}.",
)
NEEDS_TERM = ProblemType(
    "coterm.needs_term",
    "custom_term_end_date",
    "Choose a term for {offer_name} before choosing the date it ends on.",
)
NEW_SUBSCRIPTIONS_ONLY = ProblemType(
    "coterm.new_subscriptions_only",
    "custom_term_end_date",
    "Only a new subscription of {offer_name} can be given an end date; seats added to "
    "subscription {subscription_id} keep its end date.",
)
