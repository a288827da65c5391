"""Problems of the customer's tenant: a new tenant's domain, or an existing tenant's relationship
(the rules are in ``validation/tenancy.py``).
"""

from __future__ import annotations

from csp_commerce.models.catalogue._core import ProblemType

DOMAIN_MISSING = ProblemType(
    "tenant.domain_missing",
    "customer.company.domain",
    "A new customer needs a Microsoft tenant: choose its domain (name.onmicrosoft.com).",
)
DOMAIN_INVALID = ProblemType(
    "tenant.domain_invalid",
    "customer.company.domain",
    "{domain} cannot be a new tenant's domain: use at most {max_length} letters and digits "
    "followed by {suffix}, e.g. contoso{suffix}.",
)
DOMAIN_TAKEN = ProblemType(
    "tenant.domain_taken",
    "customer.company.domain",
    "The domain {domain} is taken. Choose another one, or, if it is the customer's own existing "
    "tenant, order for the existing tenant instead.",
)
DOMAIN_UNCHECKED = ProblemType(
    "tenant.domain_unchecked",
    "customer.company.domain",
    "Whether the domain {domain} is free was not checked with Microsoft (the facts were not "
    "gathered). Try again later.",
)
NEEDS_INVITATION = ProblemType(
    "tenant.needs_invitation",
    "customer.tenant_id",
    "The customer's Microsoft tenant has no reseller relationship with us yet. Send this link to "
    "the tenant's global administrator and order again once it is accepted: {url}",
)
NO_INVITATION_LINK = ProblemType(
    "tenant.invitation_link_unavailable",
    "customer.tenant_id",
    "The customer's Microsoft tenant has no reseller relationship with us yet, and no invitation "
    "link is known (set CheckoutSettings.partner_id, or gather the relationship request link).",
)
