"""Built-in ``csp_billing_options``: the offer's cycles and terms, narrowed by the host's enabled
cycles and the cloud (21Vianet bills annually only); and ``csp_check_billing_line``: a line asks
for no cycle or term outside those options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import billing_options

if TYPE_CHECKING:
    from csp_commerce.models import BillingOptions, Offer, OrderLine, Problem
    from csp_commerce.models.settings import CheckoutSettings


@hookimpl(trylast=True)
def csp_billing_options(offer: Offer, settings: CheckoutSettings) -> BillingOptions:
    """What ``offer`` may be bought with under ``settings``."""
    return billing_options.options_for(offer, settings)


@hookimpl(trylast=True)
def csp_check_billing_line(line: OrderLine, index: int, options: BillingOptions) -> list[Problem]:
    """Problems with the cycle and term of ``line`` (the order's line ``index``)."""
    return billing_options.check_line(line, index, options)
