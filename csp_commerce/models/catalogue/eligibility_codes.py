"""Problems of offers sold only to qualified customers: education, government, nonprofit (the
rules are in ``validation/eligibility.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

NOT_QUALIFIED = ProblemType(
    "eligibility.not_qualified",
    None,
    "{offer} is sold only to qualified {segment} customers, and the customer has no "
    "{qualification} qualification. Apply for it (nonprofits through Microsoft's nonprofit "
    "programme, others through their partner) and order again once Microsoft approves it.",
)
IN_REVIEW = ProblemType(
    "eligibility.in_review",
    None,
    "{offer} needs an approved {qualification} qualification; Microsoft is still reviewing the "
    "customer's application. Wait for the review to finish, then order again.",
)
DENIED = ProblemType(
    "eligibility.denied",
    None,
    "{offer} needs an approved {qualification} qualification, and Microsoft denied the "
    "customer's application ({reason}). Contact Microsoft to appeal or to correct it.",
)
