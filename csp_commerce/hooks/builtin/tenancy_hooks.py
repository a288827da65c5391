"""Built-in ``csp_resolve_tenant``: a new tenant, an existing one, or an invitation to send."""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp_commerce.hooks import hookimpl
from csp_commerce.validation import tenancy

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order
    from csp_commerce.models.plan import TenantResolution
    from csp_commerce.models.settings import CheckoutSettings


@hookimpl(trylast=True)
def csp_resolve_tenant(
    order: Order, facts: CheckoutFacts, settings: CheckoutSettings
) -> TenantResolution:
    """Create, use, or invite first."""
    return tenancy.resolve(order, facts, settings)
