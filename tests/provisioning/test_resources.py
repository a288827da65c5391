"""Every resource over respx, on both clients: method, path, query, headers and body of the
request, and the parsing of responses shaped like Partner Center's documented examples."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx
from pc_fakes import collection, pc_error

from csp_commerce.errors import CancellationWindowClosedError, StaleETagError
from csp_commerce.provisioning import (
    AsyncPager,
    AsyncPartnerCenterClient,
    PartnerCenterClient,
    SyncPager,
)
from csp_commerce.provisioning.wire import (
    CartLineItem,
    CustomerBillingProfile,
    OrderLineItem,
    PCAddress,
    PrimaryContact,
    transaction_reseller,
)

ADDRESS = {
    "country": "US",
    "region": "WA",
    "city": "Redmond",
    "state": "WA",
    "addressLine1": "One Microsoft Way",
    "postalCode": "98052",
    "firstName": "Ana",
    "lastName": "Lee",
    "phoneNumber": "4255550100",
}
CUSTOMER = {
    "id": "c-1",
    "commerceId": "c-1",
    "companyProfile": {
        "tenantId": "c-1",
        "domain": "contoso.onmicrosoft.com",
        "companyName": "Contoso",
    },
    "billingProfile": {
        "id": "b-1",
        "email": "ana@contoso.example",
        "culture": "en-US",
        "language": "en",
        "companyName": "Contoso",
        "defaultAddress": ADDRESS,
        "attributes": {"etag": "e1", "objectType": "CustomerBillingProfile"},
    },
    "relationshipToPartner": "reseller",
    "userCredentials": {"userName": "admin", "password": "Initial-Pass-1"},
    "attributes": {"objectType": "Customer"},
}
SUBSCRIPTION = {
    "id": "s-1",
    "offerId": "CFQ7TTC0LH18:0001:CFQ7TTC0KDLJ",
    "offerName": "Microsoft 365 Business Basic",
    "friendlyName": "Basic",
    "quantity": 5,
    "unitType": "Licenses",
    "status": "active",
    "billingCycle": "monthly",
    "termDuration": "P1Y",
    "autoRenewEnabled": True,
    "partnerId": "1234567",
    "orderId": "o-1",
    "creationDate": "2025-01-01T00:00:00Z",
    "commitmentEndDate": "2026-01-01T00:00:00Z",
    "cancellationAllowedUntilDate": "2099-01-08T00:00:00Z",
    "refundableQuantity": {"totalQuantity": 5, "details": []},
    "attributes": {"etag": "eTag-1", "objectType": "Subscription"},
}
ORDER = {
    "id": "o-1",
    "referenceCustomerId": "c-1",
    "billingCycle": "monthly",
    "lineItems": [
        {"lineItemNumber": 0, "offerId": "off-1", "quantity": 2, "partnerIdOnRecord": "7654321"}
    ],
    "status": "pending",
    "creationDate": "2025-01-01T00:00:00Z",
    "attributes": {"objectType": "Order"},
}
LINE = CartLineItem(
    id=0,
    catalog_item_id="CFQ7TTC0LH18:0001:CFQ7TTC0KDLJ",
    quantity=2,
    billing_cycle="monthly",
    term_duration="P1Y",
    participants=[transaction_reseller("7654321")],
)


@dataclass
class Case:
    """One operation: how to call it, the request it must send, what comes back."""

    invoke: Callable[[Any], Any]
    method: str
    path: str
    response: Any
    status: int = 200
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    check: Callable[[Any], bool] = lambda result: result is not None


CASES: dict[str, Case] = {
    "customers.create": Case(
        lambda c: c.customers.create(
            domain="contoso.onmicrosoft.com",
            billing_profile=CustomerBillingProfile(
                email="ana@contoso.example",
                culture="en-US",
                language="en",
                company_name="Contoso",
                default_address=PCAddress.model_validate(ADDRESS),
            ),
            organization_registration_number="123",
            request_id="cust-1",
        ),
        "POST",
        "/v1/customers",
        CUSTOMER,
        status=201,
        body={
            "companyProfile": {
                "domain": "contoso.onmicrosoft.com",
                "organizationRegistrationNumber": "123",
            },
            "billingProfile": {
                "email": "ana@contoso.example",
                "culture": "en-US",
                "language": "en",
                "companyName": "Contoso",
                "defaultAddress": ADDRESS,
            },
        },
        check=lambda r: r.id == "c-1" and r.user_credentials.password == "Initial-Pass-1",
    ),
    "customers.get": Case(
        lambda c: c.customers.get("c-1"),
        "GET",
        "/v1/customers/c-1",
        CUSTOMER,
        check=lambda r: (
            r.relationship_to_partner == "reseller"
            and r.billing_profile.default_address.postal_code == "98052"
        ),
    ),
    "customers.list": Case(
        lambda c: c.customers.list(size=2),
        "GET",
        "/v1/customers",
        collection([CUSTOMER, {**CUSTOMER, "id": "c-2"}]),
        params={"size": "2"},
        check=lambda r: [x.id for x in r] == ["c-1", "c-2"],
    ),
    "customers.domain_available (taken)": Case(
        lambda c: c.customers.domain_available("contoso.onmicrosoft.com"),
        "HEAD",
        "/v1/domains/contoso.onmicrosoft.com",
        None,
        check=lambda r: r is False,
    ),
    "customers.domain_available (free)": Case(
        lambda c: c.customers.domain_available("fresh.onmicrosoft.com"),
        "HEAD",
        "/v1/domains/fresh.onmicrosoft.com",
        None,
        status=404,
        check=lambda r: r is True,
    ),
    "validations.validate_address": Case(
        lambda c: c.validations.validate_address(
            PCAddress(
                country="US",
                address_line1="1 Main",
                city="Redmond",
                state="WA",
                postal_code="98052",
            )
        ),
        "POST",
        "/v1/validations/address",
        {
            "originalAddress": {"country": "US", "postalCode": "98052"},
            "suggestedAddresses": [{"country": "US", "postalCode": "98052-8300"}],
            "status": "VerifiedShippable",
        },
        body={
            "country": "US",
            "addressLine1": "1 Main",
            "city": "Redmond",
            "state": "WA",
            "postalCode": "98052",
        },
        check=lambda r: r.verified and r.suggested_addresses[0].postal_code == "98052-8300",
    ),
    "country_validation_rules.get (current shape)": Case(
        lambda c: c.country_validation_rules.get("us"),
        "GET",
        "/v1/countryvalidationrules/US",
        {
            "iso2Code": "US",
            "defaultCulture": "en-US",
            "isStateRequired": True,
            "supportedStatesList": ["AK", "AL", "WA"],
            "supportedLanguagesList": ["en", "es"],
            "supportedCulturesList": ["en-US", "es-US"],
            "isPostalCodeRequired": True,
            "postalCodeRegex": "^\\d{5}(-\\d{4})?$",
            "isCityRequired": True,
            "isVatIdSupported": False,
            "countryCallingCodesList": ["1"],
            "resellerAgreementRegion": "AOC",
        },
        check=lambda r: (
            r.supported_states_list == ["AK", "AL", "WA"]
            and r.model_extra["resellerAgreementRegion"] == "AOC"
        ),
    ),
    "country_validation_rules.get (older shape)": Case(
        lambda c: c.country_validation_rules.get("US"),
        "GET",
        "/v1/countryvalidationrules/US",
        {
            "iso2Code": "US",
            "isStateRequired": True,
            "states": {"value": ["AK", "WA"]},
            "supportedLanguages": {"value": ["en"]},
            "supportedCultures": {"value": ["en-US"]},
            "countryCallingCodes": {"value": ["1"]},
            "isPostalCodeRequired": True,
            "postalCodeRegex": "^\\d{5}$",
        },
        check=lambda r: (
            r.supported_states_list == ["AK", "WA"]
            and r.supported_cultures_list == ["en-US"]
            and r.country_calling_codes_list == ["1"]
        ),
    ),
    "agreements.templates": Case(
        lambda c: c.agreements.templates(),
        "GET",
        "/v1/agreements",
        {
            "totalCount": 1,
            "items": [
                {
                    "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
                    "agreementType": "MicrosoftCustomerAgreement",
                    "agreementLink": "https://aka.ms/customeragreement",
                    "versionRank": 0,
                }
            ],
            "attributes": {"objectType": "Collection"},
        },
        params={"agreementType": "MicrosoftCustomerAgreement"},
        check=lambda r: r[0].template_id.startswith("117a77b0"),
    ),
    "agreements.confirm": Case(
        lambda c: c.agreements.confirm(
            "c-1",
            contact=PrimaryContact(first_name="Ana", last_name="Lee", email="ana@contoso.example"),
            template_id="tpl-1",
            date_agreed=datetime(2025, 2, 3, 4, 5, 6, 789000, tzinfo=timezone.utc),
            request_id="mca-1",
        ),
        "POST",
        "/v1/customers/c-1/agreements",
        {
            "primaryContact": {
                "firstName": "Ana",
                "lastName": "Lee",
                "email": "ana@contoso.example",
            },
            "templateId": "tpl-1",
            "dateAgreed": "2025-02-03T04:05:06.789Z",
            "type": "MicrosoftCustomerAgreement",
            "userId": "u-77",
        },
        status=201,
        body={
            "primaryContact": {
                "firstName": "Ana",
                "lastName": "Lee",
                "email": "ana@contoso.example",
            },
            "templateId": "tpl-1",
            "dateAgreed": "2025-02-03T04:05:06.789Z",
            "type": "MicrosoftCustomerAgreement",
        },
        check=lambda r: r.agreement.user_id == "u-77" and not r.already_confirmed,
    ),
    "agreements.list": Case(
        lambda c: c.agreements.list("c-1"),
        "GET",
        "/v1/customers/c-1/agreements",
        collection([{"templateId": "tpl-1", "type": "MicrosoftCustomerAgreement"}]),
        params={"agreementType": "MicrosoftCustomerAgreement"},
        check=lambda r: r[0].type == "MicrosoftCustomerAgreement",
    ),
    "qualifications.get": Case(
        lambda c: c.qualifications.get("c-1"),
        "GET",
        "/v1/customers/c-1/qualifications",
        [
            {
                "qualification": "Education",
                "vettingStatus": "Approved",
                "vettingCreateDate": "2025-01-01",
            }
        ],
        check=lambda r: (
            r[0].vetting_status == "Approved" and r[0].vetting_create_date == "2025-01-01"
        ),
    ),
    "qualifications.set": Case(
        lambda c: c.qualifications.set(
            "c-1", "Education", education_segment="K12", website="k12.example"
        ),
        "POST",
        "/v1/customers/c-1/qualifications",
        {"qualification": "Education", "vettingStatus": "InReview"},
        status=201,
        body={"qualification": "Education", "educationSegment": "K12", "website": "k12.example"},
        check=lambda r: r.vetting_status == "InReview",
    ),
    "relationships.request_link": Case(
        lambda c: c.relationships.request_link(),
        "GET",
        "/v1/customers/relationshiprequests",
        {
            "url": "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=p#/BillingAccounts/partner-invitation"
        },
        check=lambda r: "partner-invitation" in r.url,
    ),
    "relationships.indirect_resellers": Case(
        lambda c: c.relationships.indirect_resellers(),
        "GET",
        "/v1/relationships",
        collection(
            [
                {
                    "id": "r-1",
                    "name": "Fabrikam",
                    "relationshipType": "is_indirect_cloud_solution_provider_of",
                    "state": "Active",
                    "mpnId": "7654321",
                    "location": "US",
                }
            ]
        ),
        params={"relationship_type": "IsIndirectCloudSolutionProviderOf"},
        check=lambda r: r[0].mpn_id == "7654321",
    ),
    "relationships.customer_resellers": Case(
        lambda c: c.relationships.customer_resellers("c-1"),
        "GET",
        "/v1/customers/c-1/relationships",
        collection([{"id": "r-1", "mpnId": "7654321"}]),
        check=lambda r: r[0].id == "r-1",
    ),
    "relationships.mpn_profile": Case(
        lambda c: c.relationships.mpn_profile("4391507"),
        "GET",
        "/v1/profiles/mpn",
        {"mpnId": "4391507", "partnerName": "Fabrikam", "profileType": "MpnProfile"},
        params={"mpnId": "4391507"},
        check=lambda r: r.mpn_id == "4391507",
    ),
    "relationships.mpa_status": Case(
        lambda c: c.relationships.mpa_status("4391507"),
        "GET",
        "/v1/compliance/csp/agreementstatus",
        {"isAgreementSigned": True},
        params={"mpnId": "4391507"},
        check=lambda r: r.is_agreement_signed is True,
    ),
    "orders.create": Case(
        lambda c: c.orders.create(
            "c-1",
            [
                OrderLineItem(
                    line_item_number=0, offer_id="off-1", quantity=2, partner_id_on_record="7654321"
                )
            ],
            request_id="line-1",
        ),
        "POST",
        "/v1/customers/c-1/orders",
        ORDER,
        status=201,
        body={
            "referenceCustomerId": "c-1",
            "billingCycle": "monthly",
            "lineItems": [
                {
                    "lineItemNumber": 0,
                    "offerId": "off-1",
                    "quantity": 2,
                    "partnerIdOnRecord": "7654321",
                }
            ],
        },
        check=lambda r: r.line_items[0].partner_id_on_record == "7654321",
    ),
    "orders.list": Case(
        lambda c: c.orders.list("c-1"),
        "GET",
        "/v1/customers/c-1/orders",
        collection([ORDER]),
        check=lambda r: r[0].id == "o-1",
    ),
    "orders.get": Case(
        lambda c: c.orders.get("c-1", "o-1"),
        "GET",
        "/v1/customers/c-1/orders/o-1",
        ORDER,
        check=lambda r: r.status == "pending",
    ),
    "orders.provisioning_status": Case(
        lambda c: c.orders.provisioning_status("c-1", "o-1"),
        "GET",
        "/v1/customers/c-1/orders/o-1/provisioningstatus",
        collection([{"lineItemNumber": 0, "status": "fulfilled"}]),
        check=lambda r: r[0].status == "fulfilled",
    ),
    "carts.create": Case(
        lambda c: c.carts.create("c-1", [LINE], request_id="cart-line-1"),
        "POST",
        "/v1/customers/c-1/carts",
        {
            "id": "cart-1",
            "status": "Active",
            "lineItems": [{**LINE.to_wire(), "orderGroup": "0", "currencyCode": "USD"}],
            "expirationTimestamp": "2025-01-08T00:00:00Z",
        },
        status=201,
        body={
            "lineItems": [
                {
                    "id": 0,
                    "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0KDLJ",
                    "quantity": 2,
                    "billingCycle": "monthly",
                    "termDuration": "P1Y",
                    "participants": [{"key": "transaction_reseller", "value": "7654321"}],
                }
            ],
            "partnerOnRecordAttestationAccepted": True,
        },
        check=lambda r: r.id == "cart-1" and r.line_items[0].order_group == "0",
    ),
    "carts.get": Case(
        lambda c: c.carts.get("c-1", "cart-1"),
        "GET",
        "/v1/customers/c-1/carts/cart-1",
        {"id": "cart-1", "status": "Active", "lineItems": []},
        check=lambda r: r.status == "Active",
    ),
    "carts.update": Case(
        lambda c: c.carts.update("c-1", _cart()),
        "PUT",
        "/v1/customers/c-1/carts/cart-1",
        {"id": "cart-1", "status": "Active"},
        body={"id": "cart-1", "status": "Active", "lineItems": [LINE.to_wire()]},
    ),
    "carts.checkout (partial success)": Case(
        lambda c: c.carts.checkout("c-1", "cart-1", request_id="chk-1"),
        "POST",
        "/v1/customers/c-1/carts/cart-1/checkout",
        {
            "orders": [ORDER],
            "orderErrors": [{"orderGroupId": "1", "code": 800002, "description": "failed"}],
        },
        status=201,
        check=lambda r: r.partial and r.orders[0].id == "o-1" and r.order_errors[0].code == 800002,
    ),
    "subscriptions.list": Case(
        lambda c: c.subscriptions.list("c-1", order_id="o-1", mpn_id="7654321"),
        "GET",
        "/v1/customers/c-1/subscriptions",
        collection([SUBSCRIPTION]),
        params={"order_id": "o-1", "mpn_id": "7654321"},
        check=lambda r: r[0].etag == "eTag-1" and r[0].model_extra["unitType"] == "Licenses",
    ),
    "subscriptions.get": Case(
        lambda c: c.subscriptions.get("c-1", "s-1"),
        "GET",
        "/v1/customers/c-1/subscriptions/s-1",
        SUBSCRIPTION,
        check=lambda r: r.quantity == 5 and r.auto_renew_enabled,
    ),
    "subscriptions.addons": Case(
        lambda c: c.subscriptions.addons("c-1", "s-1"),
        "GET",
        "/v1/customers/c-1/subscriptions/s-1/addons",
        collection([{**SUBSCRIPTION, "id": "s-2", "parentSubscriptionId": "s-1"}]),
        check=lambda r: r[0].parent_subscription_id == "s-1",
    ),
    "users.create": Case(
        lambda c: c.users.create(
            "c-1",
            user_principal_name="bo@contoso.onmicrosoft.com",
            first_name="Bo",
            last_name="Ek",
            display_name="Bo Ek",
            usage_location="US",
            password="Str0ng-Passw0rd",
        ),
        "POST",
        "/v1/customers/c-1/users",
        {
            "id": "u-1",
            "userPrincipalName": "bo@contoso.onmicrosoft.com",
            "state": "active",
            "userDomainType": "none",
        },
        status=201,
        body={
            "userPrincipalName": "bo@contoso.onmicrosoft.com",
            "firstName": "Bo",
            "lastName": "Ek",
            "displayName": "Bo Ek",
            "usageLocation": "US",
            "passwordProfile": {"password": "Str0ng-Passw0rd", "forceChangePassword": True},
        },
        check=lambda r: r.state == "active",
    ),
    "users.list": Case(
        lambda c: c.users.list("c-1", size=50),
        "GET",
        "/v1/customers/c-1/users",
        collection([{"id": "u-1"}]),
        params={"size": "50"},
        check=lambda r: r[0].id == "u-1",
    ),
    "users.reset_password": Case(
        lambda c: c.users.reset_password("c-1", "u-1", "N3w-Passw0rd"),
        "PATCH",
        "/v1/customers/c-1/users/u-1",
        {"id": "u-1"},
        body={
            "passwordProfile": {"password": "N3w-Passw0rd", "forceChangePassword": True},
            "attributes": {"objectType": "CustomerUser"},
        },
    ),
    "users.update_licenses": Case(
        lambda c: c.users.update_licenses("c-1", "u-1", assign=["sku-1"], remove=["sku-0"]),
        "POST",
        "/v1/customers/c-1/users/u-1/licenseupdates",
        {"licensesToAssign": [{"skuId": "sku-1"}], "licenseWarnings": []},
        status=201,
        body={"licensesToAssign": [{"skuId": "sku-1"}], "licensesToRemove": ["sku-0"]},
        check=lambda r: r.licenses_to_assign[0].sku_id == "sku-1",
    ),
    "users.licenses": Case(
        lambda c: c.users.licenses("c-1", "u-1"),
        "GET",
        "/v1/customers/c-1/users/u-1/licenses",
        collection([{"productSku": {"id": "sku-1", "name": "Basic"}}]),
        check=lambda r: r[0].product_sku["id"] == "sku-1",
    ),
    "subscribed_skus.list": Case(
        lambda c: c.subscribed_skus.list("c-1"),
        "GET",
        "/v1/customers/c-1/subscribedskus",
        collection(
            [
                {
                    "availableUnits": 3,
                    "activeUnits": 5,
                    "consumedUnits": 2,
                    "suspendedUnits": 0,
                    "totalUnits": 5,
                    "warningUnits": 0,
                    "productSku": {"id": "sku-1", "name": "Basic", "skuPartNumber": "O365_BASIC"},
                    "capabilityStatus": "Enabled",
                }
            ]
        ),
        check=lambda r: (r[0].available_units, r[0].consumed_units) == (3, 2),
    ),
    "invoices.get": Case(
        lambda c: c.invoices.get("G001"),
        "GET",
        "/v1/invoices/G001",
        {"id": "G001", "totalCharges": 12.5, "currencyCode": "USD", "documentType": "Invoice"},
        check=lambda r: r.total_charges == 12.5,
    ),
    "invoices.line_items": Case(
        lambda c: c.invoices.line_items("G001", size=100),
        "GET",
        "/v1/invoices/G001/lineitems",
        collection([{"invoiceNumber": "G001", "chargeType": "new", "quantity": 2, "mpnId": "1"}]),
        params={"provider": "onetime", "invoicelineitemtype": "billinglineitems", "size": "100"},
        check=lambda r: r[0].charge_type == "new" and r[0].mpn_id == "1",
    ),
    "invoices.line_items(unbilled)": Case(
        lambda c: c.invoices.line_items("unbilled", currency_code="EUR", period="previous"),
        "GET",
        "/v1/invoices/unbilled/lineitems",
        collection([{"invoiceNumber": "", "currency": "EUR", "pricingCurrency": "USD"}]),
        params={
            "provider": "onetime",
            "invoicelineitemtype": "billinglineitems",
            "currencycode": "EUR",
            "period": "previous",
            "size": "2000",
        },
        check=lambda r: r[0].currency == "EUR" and r[0].pricing_currency == "USD",
    ),
    "invoices.statement": Case(
        lambda c: c.invoices.statement("G001"),
        "GET",
        "/v1/invoices/G001/documents/statement",
        b"%PDF-1.4\n%%EOF\n",
        check=lambda r: r == b"%PDF-1.4\n%%EOF\n",
    ),
    "products.get": Case(
        lambda c: c.products.get("CFQ7TTC0LH18", "US"),
        "GET",
        "/v1/products/CFQ7TTC0LH18",
        {"id": "CFQ7TTC0LH18", "title": "Microsoft 365 Business Basic"},
        params={"country": "US"},
        check=lambda r: r.id == "CFQ7TTC0LH18",
    ),
    "products.sku": Case(
        lambda c: c.products.sku("CFQ7TTC0LH18", "0001", "US"),
        "GET",
        "/v1/products/CFQ7TTC0LH18/skus/0001",
        {"id": "0001", "productId": "CFQ7TTC0LH18", "title": "Basic"},
        params={"country": "US"},
        check=lambda r: r.id == "0001",
    ),
    "products.availability": Case(
        lambda c: c.products.availability("CFQ7TTC0LH18", "0001", "CFQ7TTC0KDLJ", "US"),
        "GET",
        "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities/CFQ7TTC0KDLJ",
        {"id": "CFQ7TTC0KDLJ", "skuId": "0001", "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0KDLJ"},
        params={"country": "US"},
        check=lambda r: r.id == "CFQ7TTC0KDLJ",
    ),
    "products.list": Case(
        lambda c: c.products.list("US"),
        "GET",
        "/v1/products",
        collection([{"id": "CFQ7TTC0LH18", "title": "Microsoft 365 Business Basic"}]),
        params={"country": "US", "targetView": "OnlineServices"},
        check=lambda r: r[0].id == "CFQ7TTC0LH18",
    ),
    "products.skus": Case(
        lambda c: c.products.skus("CFQ7TTC0LH18", "US"),
        "GET",
        "/v1/products/CFQ7TTC0LH18/skus",
        collection(
            [
                {
                    "id": "0001",
                    "productId": "CFQ7TTC0LH18",
                    "minimumQuantity": 1,
                    "maximumQuantity": 300,
                }
            ]
        ),
        params={"country": "US"},
        check=lambda r: r[0].maximum_quantity == 300,
    ),
    "products.availabilities": Case(
        lambda c: c.products.availabilities("CFQ7TTC0LH18", "0001", "US"),
        "GET",
        "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities",
        collection(
            [
                {
                    "id": "CFQ7TTC0KDLJ",
                    "productId": "CFQ7TTC0LH18",
                    "skuId": "0001",
                    "catalogItemId": "CFQ7TTC0LH18:0001:CFQ7TTC0KDLJ",
                    "terms": [{"duration": "P1Y", "billingCycle": "monthly"}],
                }
            ]
        ),
        params={"country": "US"},
        check=lambda r: r[0].terms[0].duration == "P1Y",
    ),
}


def _cart() -> Any:
    from csp_commerce.provisioning.wire import Cart

    return Cart(id="cart-1", status="Active", line_items=[LINE])


def _register(router: respx.MockRouter, case: Case) -> respx.Route:
    if isinstance(case.response, bytes):
        return router.route(method=case.method, path=case.path).respond(
            case.status, content=case.response, headers={"Content-Type": "application/pdf"}
        )
    content = b"" if case.response is None else json.dumps(case.response).encode()
    return router.route(method=case.method, path=case.path).respond(
        case.status, content=content, headers={"Content-Type": "application/json"}
    )


def _check_request(route: respx.Route, case: Case) -> None:
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.method == case.method
    assert dict(request.url.params) == case.params
    assert request.headers["MS-Contract-Version"] == "v1"
    assert request.headers["Authorization"].startswith("Bearer ")
    if case.body is None:
        assert request.content == b""
    else:
        assert request.headers["Content-Type"] == "application/json"
        assert json.loads(request.content) == case.body


@pytest.mark.parametrize("name", list(CASES))
def test_sync(name: str, client: PartnerCenterClient, router: respx.MockRouter) -> None:
    case = CASES[name]
    route = _register(router, case)
    result = case.invoke(client)
    if isinstance(result, SyncPager):
        result = list(result)
    _check_request(route, case)
    assert case.check(result)


@pytest.mark.parametrize("name", list(CASES))
async def test_async(
    name: str, async_client: AsyncPartnerCenterClient, router: respx.MockRouter
) -> None:
    case = CASES[name]
    route = _register(router, case)
    result = case.invoke(async_client)
    if isinstance(result, AsyncPager):
        result = await result.to_list()
    else:
        assert inspect.isawaitable(result)
        result = await result
    _check_request(route, case)
    assert case.check(result)


def test_caller_request_ids_reach_writes(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    for name in ("customers.create", "orders.create", "carts.create", "agreements.confirm"):
        route = _register(router, CASES[name])
        CASES[name].invoke(client)
        assert route.calls.last.request.headers["MS-RequestId"] in {
            "cust-1",
            "line-1",
            "cart-line-1",
            "mca-1",
        }


def test_mca_already_confirmed_is_success(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    router.post("/v1/customers/c-1/agreements").mock(
        return_value=httpx.Response(
            400,
            json={
                "code": 600061,
                "description": "A partner confirmed agreement already exists",
                "errorName": "PartnerConfirmedAgreementAlreadyExists",
                "isRetryable": False,
            },
        )
    )
    result = CASES["agreements.confirm"].invoke(client)
    assert result.already_confirmed is True
    assert result.agreement.template_id == "tpl-1"
    assert result.agreement.primary_contact.email == "ana@contoso.example"


@pytest.mark.parametrize(
    ("method", "args", "change"),
    [
        ("change_quantity", (7,), {"quantity": 7}),
        ("suspend", (), {"status": "suspended"}),
        ("reactivate", (), {"status": "active"}),
        ("set_auto_renew", (False,), {"autoRenewEnabled": False}),
        ("cancel", (), {"status": "deleted"}),
    ],
)
def test_subscription_changes_patch_the_subscription_as_read(
    client: PartnerCenterClient,
    router: respx.MockRouter,
    method: str,
    args: tuple[Any, ...],
    change: dict[str, Any],
) -> None:
    router.get("/v1/customers/c-1/subscriptions/s-1").respond(json=SUBSCRIPTION)
    patch = router.patch("/v1/customers/c-1/subscriptions/s-1").respond(
        json={**SUBSCRIPTION, **change}
    )
    result = getattr(client.subscriptions, method)("c-1", "s-1", *args, request_id="chg-1")
    request = patch.calls.last.request
    assert request.headers["If-Match"] == '"eTag-1"'
    assert request.headers["MS-RequestId"] == "chg-1"
    assert json.loads(request.content) == {**SUBSCRIPTION, **change}  # unknown fields kept
    assert result.to_wire().items() >= change.items()


async def test_async_subscription_change(
    async_client: AsyncPartnerCenterClient, router: respx.MockRouter
) -> None:
    router.get("/v1/customers/c-1/subscriptions/s-1").respond(json=SUBSCRIPTION)
    patch = router.patch("/v1/customers/c-1/subscriptions/s-1").respond(
        json={**SUBSCRIPTION, "quantity": 9}
    )
    result = await async_client.subscriptions.change_quantity("c-1", "s-1", 9)
    assert result.quantity == 9 and json.loads(patch.calls.last.request.content)["quantity"] == 9


def test_cancel_after_the_window_fails_before_the_patch(
    client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    past = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    router.get("/v1/customers/c-1/subscriptions/s-1").respond(
        json={**SUBSCRIPTION, "cancellationAllowedUntilDate": past}
    )
    patch = router.patch("/v1/customers/c-1/subscriptions/s-1").respond(json=SUBSCRIPTION)
    with pytest.raises(CancellationWindowClosedError):
        client.subscriptions.cancel("c-1", "s-1")
    assert patch.call_count == 0


def test_stale_etag(client: PartnerCenterClient, router: respx.MockRouter) -> None:
    router.get("/v1/customers/c-1/subscriptions/s-1").respond(json=SUBSCRIPTION)
    router.patch("/v1/customers/c-1/subscriptions/s-1").mock(return_value=pc_error(400, 2055))
    with pytest.raises(StaleETagError):
        client.subscriptions.change_quantity("c-1", "s-1", 3)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.orders.create(
            "c", [OrderLineItem(line_item_number=1, offer_id="o", quantity=1)]
        ),
        lambda c: c.carts.create("c", []),
        lambda c: c.subscriptions.change_quantity("c", "s", 0),
        lambda c: c.users.update_licenses("c", "u"),
        lambda c: c.customers.get(""),
    ],
)
def test_bad_arguments_fail_before_any_request(
    call: Callable[[Any], Any], client: PartnerCenterClient, router: respx.MockRouter
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each raises its own message
        call(client)
    assert len(router.calls) == 0


def test_path_segments_are_encoded(client: PartnerCenterClient, router: respx.MockRouter) -> None:
    route = router.get(url__regex=r".*/v1/customers/a%2Fb%3Fc$").respond(json={"id": "x"})
    client.customers.get("a/b?c")
    assert route.called
