"""Built-in ``csp_check_reseller``: an indirect reseller needs a valid MPN id and a signed MPA."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import resellers

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem
    from csp_commerce.models.settings import CheckoutSettings


@hookimpl
def csp_check_reseller(
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> list[Problem]:
    """The reseller's standing with Microsoft, from ``facts.resellers``."""
    return resellers.check_order(order, facts, settings)
