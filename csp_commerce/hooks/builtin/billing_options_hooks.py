"""Built-in ``csp_billing_options``: the offer's cycles and terms, narrowed by the host's enabled
cycles and the cloud (21Vianet bills annually only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import billing_options

if TYPE_CHECKING:
    from csp_commerce.models import BillingOptions, Offer
    from csp_commerce.models.settings import CheckoutSettings


@hookimpl(trylast=True)
def csp_billing_options(offer: Offer, settings: CheckoutSettings) -> BillingOptions:
    """What ``offer`` may be bought with under ``settings``."""
    return billing_options.options_for(offer, settings)
