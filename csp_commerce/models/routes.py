"""The route-and-shape contract: every route the project knows, as data.

One row per operation: method, path template (``{name}`` for each id), the query parameter
names, who may call it, the answer's type, and the client operations that send it. The client's
and the sandbox's route tests are generated from this table, ``docs/endpoints.md`` is rendered
from it (``scripts/render_endpoints.py``) and the sandbox serves it as an OpenAPI 3.1 document
(``GET /openapi.json``).

``auth``: ``app`` (an app-only or an app+user token), ``app+user`` (app+user only), ``admin``
(the sandbox admin token; the sandbox's own routes), ``sas`` (no token: the URL's SAS token is
the credential, as for the export blobs in Azure Storage) or ``none`` (no token).

Paths under ``/reports/partners/billing/`` are Microsoft Graph's (relative to the cloud's Graph
base, ``https://graph.microsoft.com/v1.0``); ``/storage/...`` stands for the export's blob
storage (the manifest's ``rootDirectory``); the sandbox serves both on its own base.
``response``: a Partner Center resource name, ``Collection[Name]`` (the paged envelope),
``Name[]`` (a bare JSON array), ``bool`` (bare JSON), ``object`` (untyped JSON), ``pdf`` (a
PDF document), ``gzip`` (a gzip JSON-lines blob), ``pem`` (PEM certificates) or ``""``
(no body).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Auth = Literal["app", "app+user", "admin", "sas", "none"]
AUTH_KINDS: tuple[Auth, ...] = ("app", "app+user", "admin", "sas", "none")
_PARAM = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")


@dataclass(frozen=True)
class RouteSpec:
    """One operation of the contract (see the module's documentation for the fields)."""

    resource: str
    method: str
    path: str
    auth: Auth
    response: str
    status: int = 200
    query: tuple[str, ...] = ()
    client: tuple[str, ...] = ()
    notes: str = ""

    @property
    def sandbox_only(self) -> bool:
        """Whether only the sandbox serves it (its own administration, its OpenAPI document)."""
        return self.auth in ("admin", "none")

    @property
    def graph(self) -> bool:
        """Whether Microsoft Graph serves it (the billing reconciliation v2 exports)."""
        return self.path.startswith("/reports/")

    @property
    def path_params(self) -> tuple[str, ...]:
        """The names of the path's ids, in order."""
        return tuple(_PARAM.findall(self.path))

    @property
    def shape(self) -> str:
        """The path with every id as ``{}`` (how the sandbox's routes spell it)."""
        return _PARAM.sub("{}", self.path)

    @property
    def key(self) -> tuple[str, str]:
        """``(method, shape)``: what identifies the route whatever its ids are called."""
        return (self.method, self.shape)


def _r(
    resource: str,
    method: str,
    path: str,
    auth: Auth,
    response: str,
    *,
    status: int = 200,
    query: tuple[str, ...] = (),
    client: tuple[str, ...] = (),
    notes: str = "",
) -> RouteSpec:
    return RouteSpec(resource, method, path, auth, response, status, query, client, notes)


C = "/v1/customers/{customerId}"
WH = "/webhooks/v1/registration"
GDAP = "/tenantRelationships/delegatedAdminRelationships"  # relative to Graph's /v1.0 base
SEEK = ("size",)  # seek paging: the continuation token travels in MS-ContinuationToken

ROUTES: tuple[RouteSpec, ...] = (
    # customers, domains, addresses
    _r(
        "customers",
        "POST",
        "/v1/customers",
        "app",
        "Customer",
        status=201,
        client=("customers.create",),
        notes="body `companyProfile{domain, organizationRegistrationNumber?}`, "
        "`billingProfile{email, culture, language, companyName, defaultAddress{...}}`, "
        "`associatedPartnerId?` → 201 "
        "customer (`id`, `companyProfile`, `billingProfile`, `relationshipToPartner`, "
        "`userCredentials`)",
    ),
    _r(
        "customers",
        "GET",
        C,
        "app",
        "Customer",
        client=("customers.get",),
        notes="404 code 1000 when unknown",
    ),
    _r(
        "customers",
        "GET",
        "/v1/customers",
        "app",
        "Collection[Customer]",
        query=(*SEEK, "filter"),
        client=("customers.list",),
        notes="seek paging; `filter`: a JSON search by CompanyName, Domain or IndirectReseller",
    ),
    _r(
        "company profile",
        "GET",
        C + "/profiles/company",
        "app",
        "CustomerCompanyProfile",
        client=("customers.company_profile",),
        notes="`{tenantId, domain, companyName, organizationRegistrationNumber?}`",
    ),
    _r(
        "billing profile",
        "GET",
        C + "/profiles/billing",
        "app",
        "CustomerBillingProfile",
        client=("customers.billing_profile",),
        notes="`{id, firstName, lastName, email, culture, language, companyName, defaultAddress, "
        "attributes.etag}`",
    ),
    _r(
        "domains",
        "HEAD",
        "/v1/domains/{domain}",
        "app",
        "",
        client=("customers.domain_available",),
        notes="200 = taken, 404 = available",
    ),
    _r(
        "domain prefix",
        "GET",
        "/v1/validations/checkdomainavailability/{prefix}",
        "app",
        "bool",
        client=("customers.domain_prefix_available",),
        notes="bare JSON `true` = `{prefix}.onmicrosoft.com` free, `false` = taken; the sandbox "
        "refuses a prefix that cannot be a domain with 400 2000 (undocumented: stricter)",
    ),
    _r(
        "address validation",
        "POST",
        "/v1/validations/address",
        "app",
        "AddressValidationResult",
        client=("validations.validate_address",),
        notes="→ 200 `{originalAddress, suggestedAddresses, status, validationMessage?}`",
    ),
    _r(
        "country rules",
        "GET",
        "/v1/countryvalidationrules/{countryCode}",
        "app",
        "CountryValidationRules",
        client=("country_validation_rules.get",),
        notes="`supportedStatesList`, `isStateRequired`, `isPostalCodeRequired`, "
        "`postalCodeRegex`, `isCityRequired`, ...",
    ),
    # agreements, qualifications, relationships, resellers
    _r(
        "agreements (templates)",
        "GET",
        "/v1/agreements",
        "app+user",
        "Collection[AgreementTemplate]",
        query=("agreementType",),
        client=("agreements.templates",),
        notes="`agreementType=MicrosoftCustomerAgreement` → collection `{templateId, "
        "agreementType, agreementLink, versionRank}`",
    ),
    _r(
        "agreements",
        "POST",
        C + "/agreements",
        "app+user",
        "Agreement",
        status=201,
        client=("agreements.confirm",),
        notes="body `{primaryContact{firstName,lastName,email,phoneNumber?}, templateId, "
        "dateAgreed, type}` → 201; same contact again → 400 code 600061 (treat as success)",
    ),
    _r(
        "agreements",
        "GET",
        C + "/agreements",
        "app+user",
        "Collection[Agreement]",
        query=("agreementType",),
        client=("agreements.list",),
        notes="collection",
    ),
    _r(
        "qualifications",
        "GET",
        C + "/qualifications",
        "app",
        "CustomerQualification[]",
        client=("qualifications.get",),
        notes="`[{qualification, vettingStatus, vettingReason?, vettingCreateDate?}]`",
    ),
    _r(
        "qualifications",
        "POST",
        C + "/qualifications",
        "app+user",
        "CustomerQualification",
        status=201,
        client=("qualifications.set",),
        notes="body `{qualification, educationSegment?, website?, validationCode?}` → 201 "
        "(`vettingStatus: InReview`)",
    ),
    _r(
        "relationship link",
        "GET",
        "/v1/customers/relationshiprequests",
        "app+user",
        "RelationshipRequest",
        client=("relationships.request_link",),
        notes='→ `{"url": "https://admin.microsoft.com/...partnerId=...'
        '#/BillingAccounts/partner-invitation"}`',
    ),
    _r(
        "indirect resellers",
        "GET",
        "/v1/relationships",
        "app+user",
        "Collection[PartnerRelationship]",
        query=("relationship_type",),
        client=("relationships.indirect_resellers", "relationships.indirect_providers"),
        notes="`relationship_type=IsIndirectCloudSolutionProviderOf` (the partner's resellers) or "
        "`IsIndirectResellerOf` (a reseller's providers) → collection `{id, name, "
        "relationshipType, state, mpnId, location}`",
    ),
    _r(
        "customer's resellers",
        "GET",
        C + "/relationships",
        "app+user",
        "Collection[PartnerRelationship]",
        client=("relationships.customer_resellers",),
        notes="collection",
    ),
    _r(
        "MPN profile",
        "GET",
        "/v1/profiles/mpn",
        "app+user",
        "MpnProfile",
        query=("mpnId",),
        client=("relationships.mpn_profile", "mfa.check"),
        notes="404 code 3000 when unknown; without `mpnId` the partner's own (`mfa.check` sends it "
        "with `ValidateMfa: true`: 401 code 900421 when the token has no MFA claim)",
    ),
    _r(
        "MPA status",
        "GET",
        "/v1/compliance/csp/agreementstatus",
        "app+user",
        "MpaStatus",
        query=("mpnId", "tenantId"),
        client=("relationships.mpa_status",),
        notes='→ `{"isAgreementSigned": bool}`; 400 codes 2000-2206',
    ),
    # orders, carts, subscriptions
    _r(
        "legacy orders",
        "POST",
        C + "/orders",
        "app",
        "Order",
        status=201,
        client=("orders.create",),
        notes="body `{referenceCustomerId, billingCycle, lineItems[{lineItemNumber, offerId, "
        "quantity, partnerIdOnRecord?, termDuration?}]}` → 201 order",
    ),
    _r("orders", "GET", C + "/orders", "app", "Collection[Order]", client=("orders.list",)),
    _r("orders", "GET", C + "/orders/{orderId}", "app", "Order", client=("orders.get",)),
    _r(
        "order status",
        "GET",
        C + "/orders/{orderId}/provisioningstatus",
        "app+user",
        "Collection[ProvisioningStatus]",
        client=("orders.provisioning_status",),
        notes="collection `{lineItemNumber, status}`",
    ),
    _r(
        "carts",
        "POST",
        C + "/carts",
        "app",
        "Cart",
        status=201,
        client=("carts.create",),
        notes="body `{partnerOnRecordAttestationAccepted?, lineItems[{id, catalogItemId, "
        'quantity, billingCycle, termDuration, participants?[{key:"transaction_reseller", '
        "value}], provisioningContext?}]}` → 201 cart (`id`, `status: Active`)",
    ),
    _r("carts", "GET", C + "/carts/{cartId}", "app", "Cart", client=("carts.get",)),
    _r("carts", "PUT", C + "/carts/{cartId}", "app", "Cart", client=("carts.update",)),
    _r(
        "checkout",
        "POST",
        C + "/carts/{cartId}/checkout",
        "app",
        "CartCheckoutResult",
        status=201,
        client=("carts.checkout",),
        notes="→ 201 `{orders: [...], orderErrors: [{orderGroupId, code, description}]}`; "
        "409 800064 busy; 400 800065 already submitted",
    ),
    _r(
        "subscriptions",
        "GET",
        C + "/subscriptions",
        "app",
        "Collection[Subscription]",
        query=("order_id", "mpn_id"),
        client=("subscriptions.list",),
        notes="only an order's (`order_id`) or a reseller's (`mpn_id`) if given",
    ),
    _r(
        "subscriptions",
        "GET",
        C + "/subscriptions/{subscriptionId}",
        "app",
        "Subscription",
        client=("subscriptions.get",),
        notes="`id, offerId, offerName, friendlyName, quantity, status, billingCycle, "
        "termDuration, autoRenewEnabled, partnerId, orderId, creationDate, commitmentEndDate, "
        "cancellationAllowedUntilDate, refundableQuantity, attributes.etag`",
    ),
    _r(
        "subscriptions",
        "PATCH",
        C + "/subscriptions/{subscriptionId}",
        "app",
        "Subscription",
        client=(
            "subscriptions.update",
            "subscriptions.change_quantity",
            "subscriptions.suspend",
            "subscriptions.reactivate",
            "subscriptions.set_auto_renew",
            "subscriptions.cancel",
        ),
        notes="the subscription as read, changed: `quantity`, `status` (`suspended`/`active`/"
        "`deleted` to cancel), `autoRenewEnabled`; `If-Match` etag (stale → 400 2055)",
    ),
    _r(
        "add-ons",
        "GET",
        C + "/subscriptions/{subscriptionId}/addons",
        "app",
        "Collection[Subscription]",
        client=("subscriptions.addons",),
        notes="collection",
    ),
    _r(
        "subscription status",
        "GET",
        C + "/subscriptions/{subscriptionId}/provisioningstatus",
        "app+user",
        "SubscriptionProvisioningStatus",
        client=("subscriptions.provisioning_status",),
        notes="`{skuId, status: success|pending|failed, quantity, endDate}` (the sandbox: always "
        "`success`)",
    ),
    # upgrades (transitions) and partner-to-partner transfers
    _r(
        "upgrades",
        "GET",
        C + "/subscriptions/{subscriptionId}/transitionEligibilities",
        "app",
        "Collection[TransitionEligibility]",
        query=("eligibilityType",),
        client=("transitions.eligibilities",),
        notes="`eligibilityType=immediate|scheduled` → items `{catalogItemId, title, quantity, "
        "eligibilities[{isEligible, transitionType, errors[{code, description}]}]}`",
    ),
    _r(
        "upgrades",
        "POST",
        C + "/subscriptions/{subscriptionId}/transitions",
        "app",
        "Transition",
        client=("transitions.create",),
        notes="body `{fromCatalogItemId?, toCatalogItemId, quantity, termDuration, billingCycle, "
        "transitionType, promotionId?}`; answer's shape unconfirmed; 400 2002 more seats than "
        "the subscription has",
    ),
    _r(
        "upgrades",
        "GET",
        C + "/subscriptions/{subscriptionId}/transitions",
        "app",
        "Collection[Transition]",
        query=("operationId",),
        client=("transitions.list",),
        notes="the transitions made, with their `events[{name, status, timestamp}]`",
    ),
    _r(
        "transfers",
        "GET",
        C + "/transfers",
        "app",
        "Collection[Transfer]",
        client=("transfers.list",),
    ),
    _r(
        "transfers",
        "POST",
        C + "/transfers",
        "app",
        "Transfer",
        status=201,
        client=("transfers.create",),
        notes="the incoming partner: `{sourcePartnerTenantId, sourcePartnerName, customerEmailId, "
        "targetProductTypes, transferType: 5}`; 409 while one is active from that partner",
    ),
    _r(
        "transfers",
        "GET",
        C + "/transfers/{transferId}",
        "app",
        "Transfer",
        client=("transfers.get",),
    ),
    _r(
        "transfers",
        "PATCH",
        C + "/transfers/{transferId}",
        "app",
        "Transfer",
        client=("transfers.update",),
        notes="the current partner submits (`lineItems`, `status: Complete`) or cancels; "
        "a complete transfer cannot change (submit body unconfirmed)",
    ),
    # users and licences
    _r(
        "users",
        "POST",
        C + "/users",
        "app+user",
        "CustomerUser",
        status=201,
        client=("users.create",),
        notes="not offered in China",
    ),
    _r(
        "users",
        "GET",
        C + "/users",
        "app+user",
        "Collection[CustomerUser]",
        query=(*SEEK, "filter"),
        client=("users.list",),
        notes="seek paging; `filter`: UserState equals Inactive (deleted users)",
    ),
    _r(
        "users",
        "GET",
        C + "/users/{userId}",
        "app+user",
        "CustomerUser",
        client=("users.get",),
        notes="404 60002 unknown user",
    ),
    _r(
        "users",
        "PATCH",
        C + "/users/{userId}",
        "app+user",
        "CustomerUser",
        client=("users.reset_password",),
        notes="password reset (`passwordProfile{password, forceChangePassword}`) or `state`; "
        "404 60002 unknown user; not offered in China or US Government",
    ),
    _r(
        "users",
        "DELETE",
        C + "/users/{userId}",
        "app+user",
        "",
        status=204,
        client=("users.delete",),
        notes="the user stays `inactive` 30 days (listed with the UserState filter); "
        "404 60002 unknown user",
    ),
    _r(
        "user's roles",
        "GET",
        C + "/users/{userId}/directoryroles",
        "app+user",
        "Collection[DirectoryRole]",
        client=("users.directory_roles",),
        notes="collection `{id, name}` (the sandbox: the tenant's first admin is `Company "
        "Administrator`, others none)",
    ),
    _r(
        "licences",
        "POST",
        C + "/users/{userId}/licenseupdates",
        "app+user",
        "LicenseUpdate",
        status=201,
        client=("users.update_licenses",),
        notes="`{licensesToAssign[{skuId}], licensesToRemove[skuId]}`; 400 60012 when none free",
    ),
    _r(
        "licences",
        "GET",
        C + "/users/{userId}/licenses",
        "app+user",
        "Collection[License]",
        query=("licenseGroupIds",),
        client=("users.licenses",),
    ),
    _r(
        "subscribed SKUs",
        "GET",
        C + "/subscribedskus",
        "app+user",
        "Collection[SubscribedSku]",
        query=("licenseGroupIds",),
        client=("subscribed_skus.list",),
        notes="`{availableUnits, activeUnits, consumedUnits, totalUnits, productSku{id, name}}`",
    ),
    # billing reconciliation v2 (Microsoft Graph) and the export blobs
    _r(
        "reconciliation v2",
        "POST",
        "/reports/partners/billing/reconciliation/billed/export",
        "app",
        "",
        status=202,
        client=("reconciliation.export_billed",),
        notes="Graph; body `{invoiceId, attributeSet: full|basic}` → 202 + `Location` of the "
        "operation; new-commerce invoices only (a legacy one fails the operation with code 5000)",
    ),
    _r(
        "reconciliation v2",
        "POST",
        "/reports/partners/billing/reconciliation/unbilled/export",
        "app",
        "",
        status=202,
        client=("reconciliation.export_unbilled",),
        notes="Graph; body `{billingPeriod: current|last, currencyCode, attributeSet}` → 202 + "
        "`Location`",
    ),
    _r(
        "usage v2",
        "POST",
        "/reports/partners/billing/usage/billed/export",
        "app",
        "",
        status=202,
        client=("reconciliation.export_billed",),
        notes="Graph; daily-rated usage of an invoice (`usage=True`); body as the billed export",
    ),
    _r(
        "usage v2",
        "POST",
        "/reports/partners/billing/usage/unbilled/export",
        "app",
        "",
        status=202,
        client=("reconciliation.export_unbilled",),
        notes="Graph; unbilled daily-rated usage (`usage=True`); body as the unbilled export",
    ),
    _r(
        "export operation",
        "GET",
        "/reports/partners/billing/operations/{operationId}",
        "app",
        "ExportOperation",
        client=("reconciliation.export_billed", "reconciliation.export_unbilled"),
        notes="Graph; `status` running (with `Retry-After`), succeeded (`resourceLocation`: the "
        "manifest `{eTag, blobCount, blobs[{name}], rootDirectory, sasToken, dataFormat: "
        "compressedJSONLines}`) or failed (`error{code, message}`)",
    ),
    _r(
        "export blob",
        "GET",
        "/storage/exports/{exportId}/{blobName}",
        "sas",
        "gzip",
        query=("se", "sig"),
        notes="the manifest's `rootDirectory` + blob name + `sasToken`; gzip JSON lines, one "
        "line item a line (`client.reconciliation.line_items` streams them); 403 when the SAS "
        "expired, 404 when the blob is missing",
    ),
    # invoices, audit, catalog
    _r(
        "invoices",
        "GET",
        "/v1/invoices",
        "app",
        "Collection[Invoice]",
        query=("size", "offset"),
        client=("invoices.list",),
        notes="offset paging",
    ),
    _r(
        "invoices",
        "GET",
        "/v1/invoices/{invoiceId}",
        "app",
        "Invoice",
        client=("invoices.get",),
        notes="with its PDF link",
    ),
    _r(
        "invoice statement",
        "GET",
        "/v1/invoices/{invoiceId}/documents/statement",
        "app",
        "pdf",
        client=("invoices.statement",),
        notes="the invoice as a PDF (`application/pdf`)",
    ),
    _r(
        "invoice lines",
        "GET",
        "/v1/invoices/{invoiceId}/lineitems",
        "app",
        "Collection[InvoiceLineItem]",
        query=("provider", "invoicelineitemtype", "currencycode", "period", "size"),
        client=("invoices.line_items",),
        notes="`provider=onetime&invoicelineitemtype=billinglineitems`; `unbilled` as the invoice "
        "id with `currencycode` and `period` (`current`, `previous`); seek paging",
    ),
    _r(
        "audit records",
        "GET",
        "/v1/auditrecords",
        "app",
        "Collection[AuditRecord]",
        query=("startDate", "endDate", "size"),
        client=("audit_records.list",),
        notes="seek paging; 90 days kept (an older start is a 400); records `customerId`, "
        "`resourceType`, `operationType`, `operationDate`",
    ),
    _r(
        "catalog",
        "GET",
        "/v1/products",
        "app",
        "Collection[Product]",
        query=("country", "targetView", "targetSegment"),
        client=("products.list",),
        notes="`country=CC&targetView=OnlineServices`",
    ),
    _r(
        "catalog",
        "GET",
        "/v1/products/{productId}",
        "app",
        "Product",
        query=("country", "targetSegment"),
        client=("products.get",),
    ),
    _r(
        "catalog",
        "GET",
        "/v1/products/{productId}/skus",
        "app",
        "Collection[Sku]",
        query=("country", "targetSegment"),
        client=("products.skus",),
    ),
    _r(
        "catalog",
        "GET",
        "/v1/products/{productId}/skus/{skuId}",
        "app",
        "Sku",
        query=("country", "targetSegment"),
        client=("products.sku",),
    ),
    _r(
        "catalog",
        "GET",
        "/v1/products/{productId}/skus/{skuId}/availabilities",
        "app",
        "Collection[Availability]",
        query=("country", "targetSegment"),
        client=("products.availabilities",),
    ),
    _r(
        "catalog",
        "GET",
        "/v1/products/{productId}/skus/{skuId}/availabilities/{availabilityId}",
        "app",
        "Availability",
        query=("country", "targetSegment"),
        client=("products.availability",),
    ),
    # promotions and co-termination (new commerce; learn get-promotions,
    # verify-promotion-eligibility, custom-term-end-dates)
    _r(
        "promotions",
        "GET",
        "/v1/productpromotions",
        "app",
        "Collection[ProductPromotion]",
        query=("country", "segment"),
        client=("promotions.list",),
        notes="the promotions active now in a market and segment: `{id, name, description, "
        "startDate, endDate, properties{isAutoApplicable}, requiredProducts[{productId, skuId, "
        "term{duration, billingCycle}, pricingPolicies[{policyType, value}]}]}`",
    ),
    _r(
        "promotions",
        "GET",
        "/v1/productpromotions/{promotionId}",
        "app",
        "ProductPromotion",
        query=("country",),
        client=("promotions.get",),
        notes="404 code 1000 when unknown",
    ),
    _r(
        "promotion eligibilities",
        "POST",
        C + "/promotionEligibilities",
        "app",
        "Collection[PromotionEligibilities]",
        client=("promotions.eligibilities",),
        notes="body `{items[{id, catalogItemId, quantity, termDuration, billingCycle, "
        "promotionId?}]}` → per item `eligibilities[{promotionId, isEligible, errors[{type, "
        "description, minimumRequiredSeats?, maximumRequiredSeats?, availableSeats?}]}]`; "
        "625 requests/min per partner tenant (429 beyond)",
    ),
    _r(
        "custom term end dates",
        "GET",
        C + "/subscriptions/customTermEndDates",
        "app",
        "Collection[CustomTermEndDate]",
        query=("term_duration", "term_start_date", "target_coterm_subscription_id"),
        client=("term_end_dates.list",),
        notes="`{allowedCustomTermEndDate, allowedCustomTermEndDateType, "
        "cotermSubscriptionIds?}`; ≤300 a page, seek paging; a term other than P1M, P1Y or "
        "P3Y → 400",
    ),
    # webhooks (one registration per partner; PascalCase bodies)
    _r(
        "webhooks",
        "POST",
        WH,
        "app",
        "WebhookRegistration",
        client=("webhooks.register",),
        notes="body `{WebhookUrl, WebhookEvents[]}` → `{SubscriberId, WebhookUrl, "
        "WebhookEvents}`; the sandbox answers 409 when one exists (undocumented)",
    ),
    _r("webhooks", "GET", WH, "app", "WebhookRegistration", client=("webhooks.get",)),
    _r(
        "webhooks",
        "PUT",
        WH,
        "app",
        "WebhookRegistration",
        client=("webhooks.update",),
        notes="replaces URL and events",
    ),
    _r("webhooks", "DELETE", WH, "app", "", status=204, client=("webhooks.delete",)),
    _r(
        "webhooks",
        "GET",
        WH + "/events",
        "app",
        "string[]",
        client=("webhooks.supported_events",),
        notes="the event names a registration may ask for",
    ),
    _r(
        "webhooks",
        "POST",
        WH + "/validationEvents",
        "app",
        "WebhookValidationEvent",
        client=("webhooks.send_test_event",),
        notes="sends `test-created` (must be registered); 2 requests/minute → 429",
    ),
    _r(
        "webhooks",
        "GET",
        WH + "/validationEvents/{correlationId}",
        "app",
        "WebhookValidationStatus",
        client=("webhooks.test_event_status",),
        notes="`status`, `responseCode` (the receiver's HTTP status), `systemMessage`; "
        "shape from Microsoft's sample answer",
    ),
    # GDAP on Microsoft Graph (the cloud's Graph base; a Graph-scoped token)
    _r(
        "gdap relationships",
        "POST",
        GDAP,
        "app",
        "DelegatedAdminRelationship",
        status=201,
        client=("gdap.create_relationship",),
        notes="body `{displayName (≤50, unique), duration (P1D..P2Y), customer?{tenantId}, "
        "accessDetails{unifiedRoles[{roleDefinitionId}]}, autoExtendDuration (PT0S|P180D)}` → "
        "201 `created`",
    ),
    _r(
        "gdap relationships",
        "GET",
        GDAP,
        "app",
        "object",
        client=("gdap.list_relationships",),
        notes="`{value[], @odata.nextLink?}`; the client follows every page",
    ),
    _r(
        "gdap relationships",
        "GET",
        GDAP + "/{relationshipId}",
        "app",
        "DelegatedAdminRelationship",
        client=("gdap.get_relationship",),
        notes="`status`: created, approvalPending, active, terminated, expired, ...",
    ),
    _r(
        "gdap relationships",
        "POST",
        GDAP + "/{relationshipId}/requests",
        "app",
        "DelegatedAdminRelationshipRequest",
        status=201,
        client=("gdap.lock_for_approval", "gdap.terminate", "gdap.approve", "gdap.reject"),
        notes='`{"action": "lockForApproval"|"terminate"}`; an indirect reseller\'s '
        '`"approve"|"reject"` of a relationship its provider made (`reject` with '
        "`Prefer: include-unknown-enum-members`)",
    ),
    _r(
        "gdap relationships",
        "GET",
        GDAP + "/{relationshipId}/operations",
        "app",
        "object",
        client=("gdap.operations",),
        notes="long-running operations `{value[]}`",
    ),
    _r(
        "gdap access assignments",
        "POST",
        GDAP + "/{relationshipId}/accessAssignments",
        "app+user",
        "DelegatedAdminAccessAssignment",
        status=201,
        client=("gdap.create_access_assignment",),
        notes="`{accessContainer{accessContainerId, accessContainerType: securityGroup}, "
        "accessDetails{unifiedRoles[]}}` on an active relationship → `pending`, then `active`",
    ),
    _r(
        "gdap access assignments",
        "GET",
        GDAP + "/{relationshipId}/accessAssignments",
        "app+user",
        "object",
        client=("gdap.list_access_assignments",),
    ),
    _r(
        "gdap access assignments",
        "GET",
        GDAP + "/{relationshipId}/accessAssignments/{assignmentId}",
        "app+user",
        "DelegatedAdminAccessAssignment",
        client=("gdap.get_access_assignment",),
    ),
    _r(
        "gdap access assignments",
        "PATCH",
        GDAP + "/{relationshipId}/accessAssignments/{assignmentId}",
        "app+user",
        "DelegatedAdminAccessAssignment",
        client=("gdap.update_access_assignment",),
        notes="`If-Match` etag; new roles (within the relationship's)",
    ),
    _r(
        "gdap access assignments",
        "DELETE",
        GDAP + "/{relationshipId}/accessAssignments/{assignmentId}",
        "app+user",
        "",
        status=204,
        client=("gdap.delete_access_assignment",),
        notes="`If-Match` etag",
    ),
    # the sandbox's own routes (the admin token only; no faults, no throttling)
    _r(
        "sandbox tenants",
        "POST",
        "/sandbox/v1/tenants",
        "admin",
        "object",
        status=201,
        notes="an existing tenant the partner has no relationship with yet",
    ),
    _r(
        "sandbox relationships",
        "POST",
        "/sandbox/v1/customers/{customerId}/relationship/accept",
        "admin",
        "object",
        notes="the tenant's admin accepts the invitation",
    ),
    _r(
        "sandbox qualifications",
        "POST",
        "/sandbox/v1/customers/{customerId}/qualifications",
        "admin",
        "object",
        notes="set a qualification's vetting outcome",
    ),
    _r(
        "sandbox resellers",
        "POST",
        "/sandbox/v1/resellers",
        "admin",
        "object",
        status=201,
        notes="an indirect reseller",
    ),
    _r(
        "sandbox invoices",
        "POST",
        "/sandbox/v1/invoices",
        "admin",
        "object",
        status=201,
        notes="generate a month's invoice",
    ),
    _r(
        "sandbox webhooks",
        "POST",
        "/sandbox/v1/webhooks/events",
        "admin",
        "object",
        status=201,
        notes="queue an event `{eventName, resourceUri, resourceName?}` as if it happened",
    ),
    _r(
        "sandbox webhooks",
        "GET",
        "/sandbox-certificates/webhook-signer.pem",
        "none",
        "pem",
        notes="the signing certificate events point to (`X-MS-Certificate-Url`)",
    ),
    _r(
        "sandbox webhooks",
        "GET",
        "/sandbox-certificates/webhook-root.pem",
        "none",
        "pem",
        notes="the sandbox's root: trust it only to receive the sandbox's events",
    ),
    _r(
        "sandbox gdap",
        "POST",
        "/sandbox/v1/gdap/{relationshipId}/approve",
        "admin",
        "object",
        notes="the customer's admin approves a relationship pending approval (`{tenantId?}`)",
    ),
    _r(
        "sandbox gdap",
        "POST",
        "/sandbox/v1/gdap/reseller-relationships",
        "admin",
        "object",
        status=201,
        notes="an indirect provider made a relationship for this partner as its reseller "
        "(`{indirectProviderTenantId, customerTenantId, displayName?, duration?, roles?}`); "
        "answers a `ResellerDelegatedAdminRelationship`",
    ),
    _r(
        "sandbox clock",
        "POST",
        "/sandbox/v1/clock",
        "admin",
        "object",
        notes="move the sandbox's time ahead (term ends, renewals)",
    ),
    _r("sandbox state", "GET", "/sandbox/v1/state", "admin", "object", notes="save the world"),
    _r("sandbox state", "PUT", "/sandbox/v1/state", "admin", "object", notes="load the world"),
    _r(
        "sandbox faults",
        "PUT",
        "/sandbox/v1/faults",
        "admin",
        "object",
        notes="fault rates, latency, rate limits",
    ),
    _r(
        "OpenAPI",
        "GET",
        "/openapi.json",
        "none",
        "object",
        notes="this table as an OpenAPI 3.1 document",
    ),
)
