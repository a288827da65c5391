"""Problems of an order line's billing cycle and term (the rules are in
``validation/billing_options.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

TERM_UNAVAILABLE = ProblemType(
    "term_duration.unavailable",
    None,
    "{offer} has no term that suits {billing_cycle} billing; choose another billing cycle.",
)

UNAVAILABLE = ProblemType(
    "billing.unavailable",
    None,
    "{offer} cannot be bought here: no billing cycle is both offered for it and enabled. {reason}",
)

CYCLE_NOT_OFFERED = ProblemType(
    "billing_cycle.not_offered",
    None,
    "{offer} cannot be billed {billing_cycle}; choose one of: {offered}.",
)

TERM_NOT_OFFERED = ProblemType(
    "term_duration.not_offered",
    None,
    "{offer} is not sold with the term {term_duration}; choose one of: {offered}.",
)
TERM_TOO_SHORT = ProblemType(
    "term_duration.too_short",
    None,
    "{billing_cycle} billing needs a term of at least one billing period; {term_duration} is too "
    "short. Choose one of: {allowed}.",
)
