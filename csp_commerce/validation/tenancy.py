"""Which Microsoft tenant an order reaches: a new one, an existing one, or one to invite first.

A new customer gets a new tenant, created with its initial domain, which must be given, well
formed (:func:`domain_is_valid`: letters and digits, at most :data:`DOMAIN_PREFIX_MAX_LENGTH`,
then the cloud's suffix) and free. An existing tenant needs the partner's reseller
relationship; without one, the tenant's global administrator must accept the relationship
request link first. Several resellers' sub-customers may point at the same tenant: each line
keeps its own reseller as partner of record (see
:func:`csp_commerce.validation.limits.plan_line`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from csp_commerce.models.catalogue.tenancy_codes import (
    DOMAIN_INVALID,
    DOMAIN_MISSING,
    DOMAIN_TAKEN,
    DOMAIN_UNCHECKED,
    NEEDS_INVITATION,
    NO_INVITATION_LINK,
)
from csp_commerce.models.clouds import Cloud
from csp_commerce.models.facts import Relationship
from csp_commerce.models.plan import TenantAction, TenantResolution

if TYPE_CHECKING:
    from csp_commerce.models import CheckoutFacts, Order, Problem
    from csp_commerce.models.settings import CheckoutSettings

INVITATION_URL = (
    "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship"
    "&partnerId={partner_id}&msppId=0&DAP=false#/BillingAccounts/partner-invitation"
)

#: The initial domain's suffix in each cloud (the tenant is ``<prefix><suffix>``).
DOMAIN_SUFFIXES: dict[Cloud, str] = {
    Cloud.GLOBAL: ".onmicrosoft.com",
    Cloud.US_GOV: ".onmicrosoft.com",
    Cloud.CHINA: ".partner.onmschina.cn",
}

#: The longest prefix (before the suffix) of an initial domain: Microsoft 365's limit, which the
#: sandbox enforced first. Partner Center's API reference gives no length (create-a-customer,
#: verify-domain-availability), so this is the stricter reading. The sandbox imports it (and
#: :func:`domain_is_valid`) from here: checkout and sandbox judge domains alike.
DOMAIN_PREFIX_MAX_LENGTH = 27

_PATTERNS = {
    cloud: re.compile(
        rf"[a-z0-9]{{1,{DOMAIN_PREFIX_MAX_LENGTH}}}{re.escape(suffix)}",
        re.ASCII | re.IGNORECASE,
    )
    for cloud, suffix in DOMAIN_SUFFIXES.items()
}


def domain_is_valid(domain: str, cloud: Cloud = Cloud.GLOBAL) -> bool:
    """Whether ``domain`` can be a new tenant's initial domain in ``cloud``: ASCII letters and
    digits (any case), at most :data:`DOMAIN_PREFIX_MAX_LENGTH` of them, then the cloud's
    suffix, nothing else (no whitespace either: strip it first)."""
    return _PATTERNS[cloud].fullmatch(domain) is not None


def invitation_url(partner_id: str) -> str:
    """The reseller relationship request link for the partner's tenant ``partner_id``."""
    return INVITATION_URL.format(partner_id=partner_id)


def resolve(order: Order, facts: CheckoutFacts, settings: CheckoutSettings) -> TenantResolution:
    """How ``order`` reaches a tenant, with the Problems that stand in the way."""
    tenant = facts.tenant
    tenant_id = tenant.tenant_id or order.customer.tenant_id
    if tenant.exists or order.customer.tenant_id is not None:
        if tenant.relationship is Relationship.RESELLER:
            return TenantResolution(action=TenantAction.USE_EXISTING, tenant_id=tenant_id)
        url = tenant.relationship_request_url
        if url is None and settings.partner_id:
            url = invitation_url(settings.partner_id)
        if url is None:
            problem = NO_INVITATION_LINK(tenant_id=tenant_id)
        else:
            problem = NEEDS_INVITATION(url=url, tenant_id=tenant_id)
        return TenantResolution(
            action=TenantAction.NEEDS_INVITATION,
            tenant_id=tenant_id,
            invitation_url=url,
            problems=(problem,),
        )
    domain = order.customer.company.domain or tenant.domain
    if not domain:
        return TenantResolution(action=TenantAction.CREATE, problems=(DOMAIN_MISSING(),))
    problems: tuple[Problem, ...] = ()
    if not domain_is_valid(domain, settings.cloud):
        problems = (
            DOMAIN_INVALID(
                domain=domain,
                suffix=DOMAIN_SUFFIXES[settings.cloud],
                max_length=DOMAIN_PREFIX_MAX_LENGTH,
            ),
        )
    elif tenant.domain_available is None:
        problems = (DOMAIN_UNCHECKED(domain=domain),)
    elif not tenant.domain_available:
        problems = (DOMAIN_TAKEN(domain=domain),)
    return TenantResolution(action=TenantAction.CREATE, domain=domain, problems=problems)
