"""Customers: create (company + billing profile), get, list, profiles, domain availability."""

from __future__ import annotations

import json

from csp_commerce.provisioning._core import Call, PageSpec, collection, model, status_is
from csp_commerce.provisioning.resources._resource import (
    AsyncResource,
    SyncResource,
    listing,
    operation,
    quote,
)
from csp_commerce.provisioning.wire import (
    CustomerBillingProfile,
    CustomerCompanyProfile,
    PCCustomer,
)

#: The create-customer field asking for (True) or refusing (False) the Default GDAP relationship.
ENABLE_GDAP_BY_DEFAULT = "enableGDAPByDefault"


def _create(
    *,
    domain: str,
    billing_profile: CustomerBillingProfile,
    organization_registration_number: str | None = None,
    associated_partner_id: str | None = None,
    request_id: str | None = None,
    enable_gdap_by_default: bool | None = None,
) -> Call[PCCustomer]:
    """Create a customer: a new tenant at ``domain`` (``name.onmicrosoft.com``).

    ``associated_partner_id`` (an indirect reseller's tenant id) needs an app+user token.
    Pass the order's durable id as ``request_id`` so a retried create cannot make two tenants.
    ``enable_gdap_by_default`` sends ``enableGDAPByDefault``: True asks for Microsoft's Default
    GDAP relationship in the new tenant, False for none; None leaves the field out (since
    1 Nov 2023 that too gives the Default GDAP relationship).
    """
    company: dict[str, str] = {"domain": domain}
    if organization_registration_number:
        company["organizationRegistrationNumber"] = organization_registration_number
    body: dict[str, object] = {
        "companyProfile": company,
        "billingProfile": billing_profile.to_wire(),
    }
    if associated_partner_id:
        body["associatedPartnerId"] = associated_partner_id
    if enable_gdap_by_default is not None:
        # Documented only in the GDAP FAQ as a bool on the customer created (its place in the
        # body is not shown): sent at the top level, here only.
        body[ENABLE_GDAP_BY_DEFAULT] = enable_gdap_by_default
    return Call(
        "POST",
        "/v1/customers",
        model(PCCustomer),
        json=body,
        app_user=associated_partner_id is not None,
        request_id=request_id,
    )


def _get(customer_id: str) -> Call[PCCustomer]:
    """A customer by tenant id (404 code 1000 when unknown)."""
    return Call("GET", f"/v1/customers/{quote(customer_id)}", model(PCCustomer))


def _list(
    *,
    size: int = 100,
    company_name: str | None = None,
    domain: str | None = None,
    indirect_reseller: str | None = None,
) -> PageSpec[PCCustomer]:
    """The partner's customers, ``size`` per page (seek paging); at most one search:
    ``company_name`` or ``domain`` (a prefix) or ``indirect_reseller`` (the reseller's tenant
    id: the customers it sells to), sent as Partner Center's ``starts_with`` filter."""
    searches = {
        "CompanyName": company_name,
        "Domain": domain,
        "IndirectReseller": indirect_reseller,
    }
    given = {field: value for field, value in searches.items() if value is not None}
    if len(given) > 1:
        raise ValueError("search by one of company_name, domain or indirect_reseller")
    params: dict[str, str | int] = {"size": size}
    for field, value in given.items():
        search = {"Field": field, "Value": value, "Operator": "starts_with"}
        params["filter"] = json.dumps(search, separators=(",", ":"))
    return PageSpec(Call("GET", "/v1/customers", collection(PCCustomer), params=params))


def _company_profile(customer_id: str) -> Call[CustomerCompanyProfile]:
    """The customer's company profile: tenant id, domain, company name."""
    path = f"/v1/customers/{quote(customer_id)}/profiles/company"
    return Call("GET", path, model(CustomerCompanyProfile))


def _billing_profile(customer_id: str) -> Call[CustomerBillingProfile]:
    """The customer's billing profile, with the ``attributes.etag`` an update must send."""
    path = f"/v1/customers/{quote(customer_id)}/profiles/billing"
    return Call("GET", path, model(CustomerBillingProfile))


def _domain_prefix_available(prefix: str) -> Call[bool]:
    """Whether ``{prefix}.onmicrosoft.com`` is free for a new tenant
    (``GET /v1/validations/checkdomainavailability/{prefix}``, a JSON boolean)."""
    path = f"/v1/validations/checkdomainavailability/{quote(prefix)}"
    return Call("GET", path, model(bool))


def _domain_available(domain: str) -> Call[bool]:
    """Whether ``domain`` (``name.onmicrosoft.com``) is free for a new tenant (HEAD: 404)."""
    return Call("HEAD", f"/v1/domains/{quote(domain)}", status_is(404), accept=frozenset({404}))


class _Operations:
    create = operation(_create)
    get = operation(_get)
    list = listing(_list)
    domain_available = operation(_domain_available)
    domain_prefix_available = operation(_domain_prefix_available)
    company_profile = operation(_company_profile)
    billing_profile = operation(_billing_profile)


class Customers(SyncResource, _Operations):
    """``client.customers``: create, get, list, profiles, domain availability."""


class AsyncCustomers(AsyncResource, _Operations):
    """``client.customers`` (async): create, get, list, profiles, domain availability."""
