"""Built-in ``csp_check_mca``: no order without the customer's MCA acceptance on record; and
``csp_check_mca_acceptance``: an acceptance is evidence only when complete (phone number, the
reseller of a reseller's confirmation, not dated in the future).

Recording acceptances (``csp_record_mca_acceptance``) is the evidence log's job:
:class:`csp_commerce.hooks.builtin.mca_evidence_hooks.McaEvidencePlugin`, registered by
``Checkout(mca_log=...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import mca_rules

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, McaAcceptance, Order, Problem
    from csp_commerce.models.settings import CheckoutSettings


@hookimpl
def csp_check_mca(order: Order, facts: CheckoutFacts, settings: CheckoutSettings) -> list[Problem]:
    """The customer's acceptance must be on record where the cloud and the host require it."""
    return mca_rules.check_order(order, facts, settings)


@hookimpl(trylast=True)
def csp_check_mca_acceptance(acceptance: McaAcceptance) -> list[Problem]:
    """Problems that keep ``acceptance`` from being valid evidence."""
    return mca_rules.check_acceptance(acceptance)
