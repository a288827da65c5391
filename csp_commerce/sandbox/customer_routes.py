"""Handlers: customers, domains, agreements, qualifications, relationships, resellers, users."""

from __future__ import annotations

import json
from typing import Any

from csp_commerce.errors import EmulatedError
from csp_commerce.models.clouds import Cloud
from csp_commerce.sandbox import gdap_routes, pc_rules
from csp_commerce.sandbox._http import (
    Context,
    Reply,
    Request,
    bad_request,
    collection,
    not_found,
    parse_timestamp,
    refusal,
    seek_page,
    timestamp,
)
from csp_commerce.sandbox.address_checks import check_new_customer_address, country_rules_body
from csp_commerce.sandbox.state import JSON, CustomerState
from csp_commerce.validation.tenancy import DOMAIN_PREFIX_MAX_LENGTH, domain_is_valid

MCA_TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"
MCA_LINK = "https://aka.ms/customeragreement"
SETTABLE_QUALIFICATIONS = frozenset({"Education", "GovernmentCommunityCloud", "StateOwnedEntity"})
EDUCATION_SEGMENTS = frozenset({"K12", "HigherEducation"})


def customer_of(ctx: Context, customer_id: str, *, related: bool = True) -> CustomerState:
    """The customer, or Partner Center's error: 404 / 1000 unknown, 403 / 20002 unrelated."""
    customer = ctx.world.customers.get(customer_id)
    if customer is None:
        raise not_found(f"Customer {customer_id}")
    if related and not customer.related:
        raise refusal(pc_rules.relationship(customer))  # type: ignore[arg-type]
    return customer


def _text(data: JSON, key: str, where: str, *, max_length: int = 200, required: bool = True) -> str:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad_request(f"{where}.{key} is required.")
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise bad_request(f"{where}.{key} must be a string of at most {max_length} characters.")
    return value.strip()


# -- customers -----------------------------------------------------------------------------------


def create_customer(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers``: a new tenant with the partner as its reseller."""
    body = req.json_object()
    company = body.get("companyProfile")
    billing = body.get("billingProfile")
    if not isinstance(company, dict) or not isinstance(billing, dict):
        raise bad_request("companyProfile and billingProfile are required.")
    address = billing.get("defaultAddress")
    if not isinstance(address, dict):
        raise bad_request("billingProfile.defaultAddress is required.")
    given = _text(company, "domain", "companyProfile", max_length=256)
    violation = pc_rules.domain(given, ctx.world)
    if violation is not None:
        raise refusal(violation)
    domain = given.lower()
    email = _text(billing, "email", "billingProfile", max_length=254)
    if "@" not in email:
        raise bad_request("billingProfile.email is not an email address.")
    company_name = _text(billing, "companyName", "billingProfile")
    culture = _text(billing, "culture", "billingProfile", max_length=16)
    language = _text(billing, "language", "billingProfile", max_length=8)
    registration = _text(
        company, "organizationRegistrationNumber", "companyProfile", max_length=64, required=False
    )
    clean_address = check_new_customer_address(address, registration or None)
    reseller_id = body.get("associatedPartnerId")
    if reseller_id is not None:
        if not req.user:
            raise EmulatedError(
                401, 800001, "Creating a customer for a reseller needs app+user auth."
            )
        if reseller_id not in ctx.world.resellers:
            # Undocumented code: the reseller must have a relationship with the provider.
            raise bad_request(f"{reseller_id} is not an indirect reseller of this partner.")

    world = ctx.world
    tenant_id = world.next_id()
    customer: JSON = {
        "id": tenant_id,
        "commerceId": world.next_id(),
        "companyProfile": {
            "tenantId": tenant_id,
            "domain": domain,
            "companyName": company_name,
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "billingProfile": {
            "id": world.next_id(),
            "firstName": clean_address.get("firstName", ""),
            "lastName": clean_address.get("lastName", ""),
            "email": email,
            "culture": culture,
            "language": language,
            "companyName": company_name,
            "defaultAddress": clean_address,
            "attributes": {"etag": world.next_etag(), "objectType": "CustomerBillingProfile"},
        },
        "relationshipToPartner": "reseller",
        "allowDelegatedAccess": False,
        "attributes": {"objectType": "Customer"},
    }
    if registration:
        customer["companyProfile"]["organizationRegistrationNumber"] = registration
    state = CustomerState(customer=customer)
    if reseller_id is not None:
        customer["associatedPartnerId"] = reseller_id
        state.resellers.append(reseller_id)
    world.customers[tenant_id] = state
    world.domains[domain] = tenant_id
    # The tenant's first global admin: its password is shown this once, never again.
    admin_id = world.next_id()
    state.users[admin_id] = {
        "id": admin_id,
        "userPrincipalName": f"admin@{domain}",
        "firstName": "",
        "lastName": "",
        "displayName": "Administrator",
        "usageLocation": str(clean_address.get("country", "")),
        "userDomainType": "managed",
        "state": "active",
        "attributes": {"objectType": "CustomerUser"},
    }
    state.licenses[admin_id] = []
    gdap_default = body.get("enableGDAPByDefault")
    if gdap_default is not None and not isinstance(gdap_default, bool):
        raise bad_request("enableGDAPByDefault must be true or false.")
    if gdap_default is not False:  # true, or left out (since 1 Nov 2023): Default GDAP
        gdap_routes.default_relationship(ctx, tenant_id, domain)
    credentials = {"userName": "admin", "password": f"Sb!{tenant_id[:8]}{world.counter:04d}"}
    return Reply(201, {**customer, "userCredentials": credentials})


def get_customer(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}``: tenants without a relationship are not visible (404)."""
    customer = ctx.world.customers.get(req.params[0])
    if customer is None or not customer.related:
        raise not_found(f"Customer {req.params[0]}")
    return Reply(200, customer.customer)


def query_filter(req: Request, fields: frozenset[str], operators: frozenset[str]) -> JSON | None:
    """The ``filter`` query parameter: Partner Center's URL-encoded JSON
    ``{"Field": ..., "Value": ..., "Operator": ...}``, or None when absent.

    Stricter than the documentation (which lists the operators of every search but not which
    field takes which): a field or operator the sandbox does not know is refused with 400 / 2000
    rather than ignored, so a search is never silently answered with everything.
    """
    raw = req.query.get("filter")
    if raw is None or not raw.strip():
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise bad_request("filter must be a JSON object.") from None
    if not isinstance(parsed, dict):
        raise bad_request("filter must be a JSON object.")
    field, value, operator = parsed.get("Field"), parsed.get("Value"), parsed.get("Operator")
    if not isinstance(field, str) or field.lower() not in {f.lower() for f in fields}:
        raise bad_request(f"filter Field must be one of {sorted(fields)}.")
    if not isinstance(operator, str) or operator.lower() not in operators:
        raise bad_request(f"filter Operator must be one of {sorted(operators)}.")
    if not isinstance(value, str):
        raise bad_request("filter Value must be a string.")
    canonical = next(f for f in fields if f.lower() == field.lower())
    return {"Field": canonical, "Value": value, "Operator": operator.lower()}


#: The customer search fields the reference lists (§2.3; ``IndirectCloudSolutionProvider`` is
#: a reseller's search and the sandbox's partner is a provider, so it is refused here).
CUSTOMER_FILTER_FIELDS = frozenset({"CompanyName", "Domain", "IndirectReseller"})


def _customer_matches(state: CustomerState, query: JSON) -> bool:
    wanted = query["Value"].lower()
    if query["Field"] == "IndirectReseller":
        return any(reseller.lower().startswith(wanted) for reseller in state.resellers)
    profile = state.customer["companyProfile"]
    key = "companyName" if query["Field"] == "CompanyName" else "domain"
    return str(profile.get(key, "")).lower().startswith(wanted)


def list_customers(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers?size=N[&filter=...]``: seek paging; the ``filter`` searches by
    company name, domain or indirect reseller tenant id with ``starts_with`` (case-insensitive),
    the only operator Partner Center documents for a customer search."""
    query = query_filter(req, CUSTOMER_FILTER_FIELDS, frozenset({"starts_with"}))
    items = [
        state.customer
        for state in ctx.world.customers.values()
        if state.related and (query is None or _customer_matches(state, query))
    ]
    return Reply(200, seek_page(req, "customers", items, "/v1/customers"))


def domain_exists(ctx: Context, req: Request) -> Reply:
    """``HEAD /v1/domains/{domain}``: 200 taken, 404 available; empty body."""
    return Reply(200 if req.params[0].lower() in ctx.world.domains else 404)


def company_profile(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/profiles/company``: the tenant id, domain and company name."""
    customer = customer_of(ctx, req.params[0])
    return Reply(200, customer.customer["companyProfile"])


def billing_profile(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/profiles/billing``: the profile with its ``attributes.etag``."""
    customer = customer_of(ctx, req.params[0])
    return Reply(200, customer.customer["billingProfile"])


def check_domain_availability(ctx: Context, req: Request) -> Reply:
    """``GET /v1/validations/checkdomainavailability/{prefix}``: a bare JSON ``true`` when
    ``{prefix}.onmicrosoft.com`` is free for a new tenant, ``false`` when taken.

    Undocumented in the reference (the SDK's answer is a boolean): the sandbox takes the prefix
    only (no ``.onmicrosoft.com``) and, stricter, refuses one that could never be an initial
    domain with 400 / 2000 rather than answering ``false``. Like ``HEAD /v1/domains/{domain}``
    it takes app-only tokens.
    """
    prefix = req.params[0]
    domain = f"{prefix}.onmicrosoft.com"
    if not domain_is_valid(domain, Cloud.GLOBAL):
        raise bad_request(
            f"The domain prefix must be ASCII letters and digits, at most "
            f"{DOMAIN_PREFIX_MAX_LENGTH} of them, not {prefix!r}."
        )
    return Reply(200, domain.lower() not in ctx.world.domains)


def validate_address(ctx: Context, req: Request) -> Reply:
    """``POST /v1/validations/address``: judged by the offline country rules."""
    from csp_commerce.sandbox.address_checks import validate_address_body

    return Reply(200, validate_address_body(req.json_object()))


def country_rules(ctx: Context, req: Request) -> Reply:
    """``GET /v1/countryvalidationrules/{iso2}``."""
    return Reply(200, country_rules_body(req.params[0]))


# -- agreements ----------------------------------------------------------------------------------


def agreement_templates(ctx: Context, req: Request) -> Reply:
    """``GET /v1/agreements?agreementType=...``: the MCA template."""
    wanted = req.query.get("agreementType")
    template = {
        "templateId": MCA_TEMPLATE_ID,
        "agreementType": pc_rules.MCA_TYPE,
        "agreementLink": MCA_LINK,
        "versionRank": 0,
    }
    items = [template] if wanted in (None, "", pc_rules.MCA_TYPE) else []
    return Reply(200, collection(items))


def create_agreement(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/agreements``: the partner confirms the customer's MCA."""
    customer = customer_of(ctx, req.params[0])
    body = req.json_object()
    if body.get("type") != pc_rules.MCA_TYPE:
        raise bad_request(f"type must be {pc_rules.MCA_TYPE}.")
    if body.get("templateId") != MCA_TEMPLATE_ID:
        raise bad_request("templateId is not a known agreement template.")
    contact = body.get("primaryContact")
    if not isinstance(contact, dict):
        raise bad_request("primaryContact is required.")
    clean = {
        "firstName": _text(contact, "firstName", "primaryContact", max_length=50),
        "lastName": _text(contact, "lastName", "primaryContact", max_length=50),
        "email": _text(contact, "email", "primaryContact", max_length=254),
    }
    phone = _text(contact, "phoneNumber", "primaryContact", max_length=32, required=False)
    if phone:
        clean["phoneNumber"] = phone
    try:
        agreed = parse_timestamp(str(body.get("dateAgreed") or ""))
    except ValueError:
        raise bad_request("dateAgreed must be an ISO-8601 date and time.") from None
    if any(pc_rules.same_contact(old["primaryContact"], clean) for old in customer.agreements):
        # Status of 600061 is undocumented; the sandbox answers 400 (the stricter reading).
        raise EmulatedError(
            400,
            600061,
            "A partner confirmed agreement already exists for this contact.",
            extra={
                "errorName": "PartnerConfirmedAgreementAlreadyExists",
                "isRetryable": False,
            },
        )
    agreement = {
        "primaryContact": clean,
        "templateId": MCA_TEMPLATE_ID,
        "dateAgreed": timestamp(agreed),
        "type": pc_rules.MCA_TYPE,
        "agreementLink": MCA_LINK,
        "userId": "sandbox-user-0001",
        "attributes": {"objectType": "Agreement"},
    }
    customer.agreements.append(agreement)
    return Reply(201, agreement)


def list_agreements(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/agreements``."""
    customer = customer_of(ctx, req.params[0])
    wanted = req.query.get("agreementType")
    items = [a for a in customer.agreements if wanted in (None, "", a["type"])]
    return Reply(200, collection(items))


# -- qualifications ------------------------------------------------------------------------------


def list_qualifications(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/qualifications``: a plain JSON array."""
    return Reply(200, customer_of(ctx, req.params[0]).qualifications)


def create_qualification(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/qualifications``: starts Microsoft's vetting (InReview)."""
    customer = customer_of(ctx, req.params[0])
    body = req.json_object()
    name = body.get("qualification")
    if name not in SETTABLE_QUALIFICATIONS:
        raise bad_request(f"qualification must be one of {sorted(SETTABLE_QUALIFICATIONS)}.")
    if name == "Education" and body.get("educationSegment") not in EDUCATION_SEGMENTS:
        raise bad_request("educationSegment must be K12 or HigherEducation.")
    if name == "GovernmentCommunityCloud" and not body.get("validationCode"):
        raise bad_request("validationCode is required for GovernmentCommunityCloud.")
    if any(
        q["qualification"] == name and q["vettingStatus"] != "Denied"
        for q in customer.qualifications
    ):
        # Undocumented: qualifications are irreversible, so a second one is refused.
        raise bad_request(f"The customer already has the {name} qualification.")
    record = {
        "qualification": name,
        "vettingStatus": "InReview",
        "vettingCreateDate": timestamp(ctx.now()),
    }
    customer.qualifications.append(record)
    return Reply(201, record)


def set_qualification(customer: CustomerState, name: str, status: str, when: str) -> JSON:
    """Record (or overwrite) a qualification's vetting outcome (sandbox administration)."""
    for record in customer.qualifications:
        if record["qualification"] == name:
            record["vettingStatus"] = status
            return record
    record = {"qualification": name, "vettingStatus": status, "vettingCreateDate": when}
    customer.qualifications.append(record)
    return record


# -- relationships and resellers ------------------------------------------------------------------


def relationship_request(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/relationshiprequests``: the invitation link for existing tenants."""
    url = (
        "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship"
        f"&partnerId={ctx.world.partner_tenant_id}&msppId=0&DAP=false"
        "#/BillingAccounts/partner-invitation"
    )
    return Reply(200, {"url": url})


def reseller_wire(reseller: JSON, relationship_type: str) -> JSON:
    """A reseller as Partner Center's PartnerRelationship."""
    return {
        "id": reseller["id"],
        "name": reseller["name"],
        "relationshipType": relationship_type,
        "state": "Active",
        "mpnId": reseller["mpnId"],
        "location": reseller.get("location", "US"),
        "attributes": {"objectType": "PartnerRelationship"},
    }


RELATIONSHIP_TYPES = ("IsIndirectCloudSolutionProviderOf", "IsIndirectResellerOf")


def list_resellers(ctx: Context, req: Request) -> Reply:
    """``GET /v1/relationships?relationship_type=...``: ``IsIndirectCloudSolutionProviderOf``
    lists a provider's indirect resellers; ``IsIndirectResellerOf`` lists the indirect
    providers of a partner signed in as a reseller (Microsoft's "retrieve a list of indirect
    resellers" page, ``PartnerRelationshipType``).

    The sandbox's partner is an indirect provider and no one's reseller, so its
    ``IsIndirectResellerOf`` view is an empty collection (Partner Center's answer for a partner
    without providers; the documentation shows no error for it). Any other type: 400 / 2000.
    """
    wanted = req.query.get("relationship_type") or ""
    kind = next((t for t in RELATIONSHIP_TYPES if t.lower() == wanted.lower()), None)
    if kind is None:
        raise bad_request(f"relationship_type must be one of {', '.join(RELATIONSHIP_TYPES)}.")
    if kind == "IsIndirectResellerOf":
        return Reply(200, collection([]))
    items = [
        reseller_wire(r, "is_indirect_cloud_solution_provider_of")
        for r in ctx.world.resellers.values()
    ]
    return Reply(200, collection(items))


def customer_resellers(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/relationships``: the resellers ordering for this customer."""
    customer = customer_of(ctx, req.params[0])
    items = [
        reseller_wire(ctx.world.resellers[tenant], "is_indirect_reseller_of")
        for tenant in customer.resellers
    ]
    return Reply(200, collection(items))


def mpn_profile(ctx: Context, req: Request) -> Reply:
    """``GET /v1/profiles/mpn?mpnId=``: 404 / 3000 when unknown; the partner's own without id."""
    mpn_id = req.query.get("mpnId")
    world = ctx.world
    if not mpn_id or mpn_id == world.partner_mpn_id:
        name, mpn_id = world.partner_name, world.partner_mpn_id
    else:
        reseller = world.reseller_by_mpn(mpn_id)
        if reseller is None:
            raise EmulatedError(
                404, 3000, f"Partner Organization with partner_id {mpn_id} could not be found."
            )
        name = reseller["name"]
    return Reply(
        200,
        {
            "partnerName": name,
            "mpnId": mpn_id,
            "profileType": "MpnProfile",
            "attributes": {"objectType": "MpnProfile"},
        },
    )


def mpa_status(ctx: Context, req: Request) -> Reply:
    """``GET /v1/compliance/csp/agreementstatus?mpnId=|tenantId=`` (codes 2000-2206)."""
    mpn_id, tenant_id = req.query.get("mpnId"), req.query.get("tenantId")
    if mpn_id and tenant_id:
        raise bad_request("Pass either mpnId or tenantId, not both.")
    if not mpn_id and not tenant_id:
        raise bad_request("mpnId or tenantId is required.", code=2001)
    world = ctx.world
    if mpn_id:
        if not mpn_id.isdigit():
            raise bad_request("mpnId must be numeric.")
        reseller = world.reseller_by_mpn(mpn_id)
        if reseller is None:
            raise bad_request(f"MPN id {mpn_id} is not valid.", code=2200)
    else:
        reseller = world.resellers.get(str(tenant_id))
        if reseller is None:
            raise bad_request(f"No Partner Center account for tenant {tenant_id}.", code=2205)
    return Reply(200, {"isAgreementSigned": bool(reseller.get("mpaSigned", False))})


# -- users and licences --------------------------------------------------------------------------


def create_user(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/users``."""
    customer = customer_of(ctx, req.params[0])
    body = req.json_object()
    upn = _text(body, "userPrincipalName", "user", max_length=113).lower()
    domain = customer.customer["companyProfile"]["domain"]
    if not upn.endswith("@" + domain):
        raise bad_request(f"userPrincipalName must be in the customer's domain {domain}.")
    if any(user["userPrincipalName"] == upn for user in customer.users.values()):
        # Undocumented code for a duplicate user principal name.
        raise bad_request(f"A user with userPrincipalName {upn} already exists.")
    usage_location = _text(body, "usageLocation", "user", max_length=2)
    if len(usage_location) != 2:
        raise bad_request("usageLocation must be a two-letter country code.")
    profile = body.get("passwordProfile")
    if not isinstance(profile, dict) or not profile.get("password"):
        raise bad_request("passwordProfile.password is required.")
    user: JSON = {
        "id": ctx.world.next_id(),
        "userPrincipalName": upn,
        "firstName": _text(body, "firstName", "user", max_length=64),
        "lastName": _text(body, "lastName", "user", max_length=64),
        "displayName": _text(body, "displayName", "user", max_length=256),
        "usageLocation": usage_location.upper(),
        "userDomainType": "managed",
        "state": "active",
        "attributes": {"objectType": "CustomerUser"},
    }
    customer.users[user["id"]] = user
    customer.licenses[user["id"]] = []
    return Reply(201, user)


def update_user(ctx: Context, req: Request) -> Reply:
    """``PATCH /v1/customers/{c}/users/{u}``: a password reset (``passwordProfile``) or a
    change of ``state`` / names; 404 60002 for an unknown user."""
    customer = customer_of(ctx, req.params[0])
    user = customer.users.get(req.params[1])
    if user is None:
        raise EmulatedError(404, 60002, f"User {req.params[1]} was not found.")
    body = req.json_object()
    profile = body.get("passwordProfile")
    if profile is not None and (not isinstance(profile, dict) or not profile.get("password")):
        raise bad_request("passwordProfile.password is required to reset a password.")
    for field in ("displayName", "firstName", "lastName", "state", "usageLocation"):
        if isinstance(body.get(field), str):
            user[field] = body[field]
    return Reply(200, user)  # the password itself is never echoed


def delete_user(ctx: Context, req: Request) -> Reply:
    """``DELETE /v1/customers/{c}/users/{u}``: 204; the user becomes ``inactive`` (Partner
    Center keeps deleted users 30 days, listed with the ``UserState`` filter) and its licences
    are freed; 404 / 60002 for an unknown or already deleted user."""
    customer = customer_of(ctx, req.params[0])
    user = _user(customer, req.params[1])
    if user.get("state") == "inactive":
        raise EmulatedError(404, 60002, f"User object {req.params[1]} was not found.")
    user["state"] = "inactive"
    customer.licenses[user["id"]] = []
    return Reply(204, None)


def get_user(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/users/{u}``: 404 / 60002 for an unknown user."""
    customer = customer_of(ctx, req.params[0])
    return Reply(200, _user(customer, req.params[1]))


#: Entra ID's Global Administrator ("Company Administrator" in Partner Center's answers), by its
#: role template id, which is the same in every tenant.
COMPANY_ADMINISTRATOR = {
    "id": "62e90394-69f5-4237-9190-012177145e10",
    "name": "Company Administrator",
    "attributes": {"objectType": "DirectoryRole"},
}


def user_directory_roles(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/users/{u}/directoryroles``: a collection of ``{id, name}``.

    The sandbox assigns no roles but one: the tenant's first admin (``admin@{domain}``, made
    with the tenant) is its Company Administrator; every other user has none.
    """
    customer = customer_of(ctx, req.params[0])
    user = _user(customer, req.params[1])
    domain = customer.customer["companyProfile"]["domain"]
    roles = [dict(COMPANY_ADMINISTRATOR)] if user["userPrincipalName"] == f"admin@{domain}" else []
    return Reply(200, collection(roles))


def list_users(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/users?size=N[&filter=...]``: seek paging.

    Without a filter the deleted (``inactive``) users are left out, as Partner Center's "view
    deleted users" page says; ``{"Field":"UserState","Value":"Inactive","Operator":"equals"}``
    lists them (any state, case-insensitive)."""
    customer = customer_of(ctx, req.params[0])
    query = query_filter(req, frozenset({"UserState"}), frozenset({"equals"}))
    wanted = "active" if query is None else query["Value"].lower()
    items = [u for u in customer.users.values() if str(u.get("state", "active")).lower() == wanted]
    return Reply(200, seek_page(req, "users", items, f"/v1/customers/{customer.id}/users"))


def _skus(ctx: Context, customer: CustomerState) -> dict[str, JSON]:
    """Subscribed SKUs, computed from the customer's subscriptions and assigned licences."""
    result: dict[str, JSON] = {}
    for subscription in customer.subscriptions.values():
        item = ctx.catalog.get(subscription["offerId"])
        if item is None or subscription["status"] not in ("active", "suspended"):
            continue
        sku = result.setdefault(
            item.sku_guid,
            {
                "availableUnits": 0,
                "activeUnits": 0,
                "consumedUnits": 0,
                "suspendedUnits": 0,
                "totalUnits": 0,
                "warningUnits": 0,
                "productSku": {
                    "id": item.sku_guid,
                    "name": item.title,
                    "skuPartNumber": item.title.upper().replace(" ", "_"),
                    "targetType": "User",
                    "licenseGroupId": "Group1",
                },
                "servicePlans": [],
                "capabilityStatus": "Enabled",
                "attributes": {"objectType": "SubscribedSku"},
            },
        )
        key = "activeUnits" if subscription["status"] == "active" else "suspendedUnits"
        sku[key] += subscription["quantity"]
    for assigned in customer.licenses.values():
        for sku_id in assigned:
            if sku_id in result:
                result[sku_id]["consumedUnits"] += 1
    for sku in result.values():
        sku["totalUnits"] = sku["activeUnits"] + sku["warningUnits"]
        sku["availableUnits"] = max(sku["totalUnits"] - sku["consumedUnits"], 0)
    return result


LICENSE_GROUPS = ("Group1", "Group2")


def _license_group(req: Request) -> str | None:
    """The ``licenseGroupIds`` query parameter: ``Group1`` (Entra-managed products) or
    ``Group2`` (Minecraft), one group per request as the reference says; anything else is
    refused with 400 / 2000 (stricter: the documentation gives no error for it)."""
    raw = req.query.get("licenseGroupIds")
    if raw is None or not raw.strip():
        return None
    group = next((g for g in LICENSE_GROUPS if g.lower() == raw.strip().lower()), None)
    if group is None:
        raise bad_request(f"licenseGroupIds must be one of {', '.join(LICENSE_GROUPS)}.")
    return group


def subscribed_skus(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/subscribedskus[?licenseGroupIds=Group1|Group2]``."""
    customer = customer_of(ctx, req.params[0])
    group = _license_group(req)
    items = [
        sku
        for sku in _skus(ctx, customer).values()
        if group is None or sku["productSku"].get("licenseGroupId") == group
    ]
    return Reply(200, collection(items))


def _user(customer: CustomerState, user_id: str) -> JSON:
    user = customer.users.get(user_id)
    if user is None:
        raise EmulatedError(404, 60002, f"User object {user_id} was not found.")
    return user


def update_licenses(ctx: Context, req: Request) -> Reply:
    """``POST /v1/customers/{c}/users/{u}/licenseupdates``: 400 / 60012 when none are free."""
    customer = customer_of(ctx, req.params[0])
    user = _user(customer, req.params[1])
    body = req.json_object()
    to_assign = body.get("licensesToAssign") or []
    to_remove = body.get("licensesToRemove") or []
    if not isinstance(to_assign, list) or not isinstance(to_remove, list):
        raise bad_request("licensesToAssign and licensesToRemove must be lists.")
    assigned = customer.licenses.setdefault(user["id"], [])
    skus = _skus(ctx, customer)
    remove = {str(sku) for sku in to_remove}
    adding: list[str] = []
    for entry in to_assign:
        sku_id = str(entry.get("skuId") if isinstance(entry, dict) else entry)
        if sku_id in assigned or sku_id in adding:
            continue
        available = skus[sku_id]["availableUnits"] if sku_id in skus else 0
        if available <= 0:
            raise EmulatedError(
                400,
                60012,
                "Your organization has run out of licenses for this product.",
                data=["LicenseQuotaExceededException"],
            )
        adding.append(sku_id)
    assigned[:] = [sku for sku in assigned if sku not in remove] + adding
    return Reply(
        201,
        {
            "licensesToAssign": [{"skuId": sku, "excludedPlans": None} for sku in adding],
            "licensesToRemove": sorted(remove),
            "licenseWarnings": [],
            "attributes": {"objectType": "LicenseUpdate"},
        },
    )


def user_licenses(ctx: Context, req: Request) -> Reply:
    """``GET /v1/customers/{c}/users/{u}/licenses[?licenseGroupIds=Group1|Group2]``."""
    customer = customer_of(ctx, req.params[0])
    user = _user(customer, req.params[1])
    group = _license_group(req)
    skus = _skus(ctx, customer)
    items: list[Any] = []
    for sku_id in customer.licenses.get(user["id"], []):
        product = skus[sku_id]["productSku"] if sku_id in skus else {"id": sku_id}
        if group is not None and product.get("licenseGroupId", "Group1") != group:
            continue
        items.append(
            {"productSku": product, "servicePlans": [], "attributes": {"objectType": "License"}}
        )
    return Reply(200, collection(items))
