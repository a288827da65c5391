"""Problems of pricing a line (``money/pricing.py``)."""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

ANNUAL_BILLING_ONLY = ProblemType(
    "pricing.annual_billing_only",
    "billing_cycle",
    "Subscriptions in the {cloud} cloud are billed annually only; choose annual billing.",
)
