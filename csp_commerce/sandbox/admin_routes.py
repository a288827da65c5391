"""Sandbox-only administration (not Partner Center's API): the world's other actors.

Existing tenants, their admins accepting the partner's invitation, Microsoft approving
qualifications, indirect resellers, the invoice run, and saving/loading the state.
"""

from __future__ import annotations

from csp_commerce.sandbox import customer_routes, invoice_routes, webhook_routes
from csp_commerce.sandbox._http import Context, Reply, Request, bad_request, not_found, timestamp
from csp_commerce.sandbox.faults import FaultPlan
from csp_commerce.sandbox.state import JSON, CustomerState, World

VETTING_STATUSES = frozenset({"InReview", "Approved", "Denied"})
QUALIFICATIONS = frozenset(
    {"Education", "Nonprofit", "GovernmentCommunityCloud", "StateOwnedEntity"}
)


def add_existing_tenant(
    ctx: Context, domain: str, company_name: str | None = None, country: str = "US"
) -> str:
    """A tenant that exists but has no relationship with the partner yet; returns its id."""
    domain = domain.strip().lower()
    if "." not in domain:
        domain = f"{domain}.onmicrosoft.com"
    if domain in ctx.world.domains:
        raise bad_request(f"The domain {domain} is already in use.")
    world = ctx.world
    tenant_id = world.next_id()
    name = company_name or domain.split(".", 1)[0].title()
    customer: JSON = {
        "id": tenant_id,
        "commerceId": world.next_id(),
        "companyProfile": {
            "tenantId": tenant_id,
            "domain": domain,
            "companyName": name,
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "billingProfile": {
            "id": world.next_id(),
            "companyName": name,
            "defaultAddress": {"country": country.upper()},
            "attributes": {"etag": world.next_etag(), "objectType": "CustomerBillingProfile"},
        },
        "relationshipToPartner": "none",
        "allowDelegatedAccess": False,
        "attributes": {"objectType": "Customer"},
    }
    world.customers[tenant_id] = CustomerState(customer=customer)
    world.domains[domain] = tenant_id
    return tenant_id


def accept_relationship(ctx: Context, customer_id: str) -> JSON:
    """The tenant's global admin accepts the partner's reseller invitation."""
    customer = ctx.world.customers.get(customer_id)
    if customer is None:
        raise not_found(f"Tenant {customer_id}")
    accepted = customer.customer.get("relationshipToPartner") != "reseller"
    customer.customer["relationshipToPartner"] = "reseller"
    if accepted:
        webhook_routes.emit(
            ctx,
            "reseller-relationship-accepted-by-customer",
            f"/v1/customers/{customer_id}",
            "customer",
        )
    return customer.customer


def add_reseller(
    ctx: Context, mpn_id: str, name: str, mpa_signed: bool = True, location: str = "US"
) -> JSON:
    """An indirect reseller with a relationship to the partner; returns the reseller."""
    if not mpn_id.isdigit():
        raise bad_request("mpnId must be numeric.")
    existing = ctx.world.reseller_by_mpn(mpn_id)
    if existing is not None:
        existing.update(name=name, mpaSigned=mpa_signed, location=location)
        return existing
    reseller = {
        "id": ctx.world.next_id(),
        "name": name,
        "mpnId": mpn_id,
        "mpaSigned": mpa_signed,
        "location": location,
    }
    ctx.world.add_reseller(reseller)
    return reseller


def set_qualification(ctx: Context, customer_id: str, qualification: str, status: str) -> JSON:
    """Microsoft's vetting outcome for a customer's qualification."""
    if qualification not in QUALIFICATIONS:
        raise bad_request(f"qualification must be one of {sorted(QUALIFICATIONS)}.")
    if status not in VETTING_STATUSES:
        raise bad_request(f"vettingStatus must be one of {sorted(VETTING_STATUSES)}.")
    customer = customer_routes.customer_of(ctx, customer_id, related=False)
    return customer_routes.set_qualification(customer, qualification, status, timestamp(ctx.now()))


# -- HTTP handlers -------------------------------------------------------------------------------


def _field(body: JSON, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{key} is required.")
    return value.strip()


def post_tenant(ctx: Context, req: Request) -> Reply:
    """``POST /sandbox/v1/tenants`` ``{domain, companyName?, country?}`` → ``{tenantId}``."""
    body = req.json_object()
    tenant = add_existing_tenant(
        ctx, _field(body, "domain"), body.get("companyName"), str(body.get("country") or "US")
    )
    return Reply(201, {"tenantId": tenant})


def post_accept(ctx: Context, req: Request) -> Reply:
    """``POST /sandbox/v1/customers/{c}/relationship/accept``."""
    return Reply(200, accept_relationship(ctx, req.params[0]))


def post_reseller(ctx: Context, req: Request) -> Reply:
    """``POST /sandbox/v1/resellers`` ``{mpnId, name, mpaSigned?, location?}``."""
    body = req.json_object()
    reseller = add_reseller(
        ctx,
        _field(body, "mpnId"),
        _field(body, "name"),
        body.get("mpaSigned", True) is True,
        str(body.get("location") or "US"),
    )
    return Reply(201, reseller)


def post_qualification(ctx: Context, req: Request) -> Reply:
    """``POST /sandbox/v1/customers/{c}/qualifications`` ``{qualification, vettingStatus}``."""
    body = req.json_object()
    record = set_qualification(
        ctx, req.params[0], _field(body, "qualification"), _field(body, "vettingStatus")
    )
    return Reply(200, record)


def post_invoice(ctx: Context, req: Request) -> Reply:
    """``POST /sandbox/v1/invoices`` ``{year, month}``: run the monthly invoice generator."""
    body = req.json_object()
    year, month = body.get("year"), body.get("month")
    if not isinstance(year, int) or not isinstance(month, int):
        raise bad_request("year and month must be integers.")
    return Reply(201, invoice_routes.generate_invoice(ctx, year, month))


def post_clock(ctx: Context, req: Request) -> Reply:
    """``POST /sandbox/v1/clock`` ``{advanceSeconds}``: move the sandbox's time ahead (never
    back), so that term ends, renewals and the extended term can be seen without waiting."""
    seconds = req.json_object().get("advanceSeconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise bad_request("advanceSeconds must be a number of seconds, not negative.")
    ctx.world.clock_offset += float(seconds)
    return Reply(200, {"now": timestamp(ctx.now()), "clockOffset": ctx.world.clock_offset})


def get_state(ctx: Context, req: Request) -> Reply:
    """``GET /sandbox/v1/state``: the whole world as JSON."""
    return Reply(200, ctx.world.to_json())


def put_state(ctx: Context, req: Request) -> Reply:
    """``PUT /sandbox/v1/state``: replace the world."""
    try:
        world = World.from_json(req.json_object())
    except (KeyError, TypeError, ValueError) as error:
        raise bad_request(f"Not a sandbox state: {error}") from None
    ctx.world = world
    return Reply(200, {"customers": len(world.customers)})


def put_faults(ctx: Context, req: Request) -> Reply:
    """``PUT /sandbox/v1/faults``: fault rates, latency and rate limits (camelCase fields)."""
    try:
        plan = FaultPlan.from_json(req.json_object(), base=ctx.injector.plan)
    except (TypeError, ValueError) as error:
        raise bad_request(f"Not a fault plan: {error}") from None
    ctx.injector.configure(plan)
    return Reply(200, plan.to_json())
