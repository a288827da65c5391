"""The fields Partner Center documents, present in the sandbox's answers (issue 16, shapes)."""

from __future__ import annotations

import re

import httpx

from csp_commerce.sandbox import Sandbox

from .conftest import buy, line, ready_customer

COUNTRY_FIELDS = (
    "iso2Code",
    "defaultCulture",
    "isStateRequired",
    "supportedStatesList",
    "supportedLanguagesList",
    "supportedCulturesList",
    "isPostalCodeRequired",
    "postalCodeRegex",
    "isCityRequired",
    "isVatIdSupported",
    "taxIdFormat",
    "taxIdSample",
    "vatIdRegex",
    "phoneNumberRegex",
    "isTaxIdSupported",
    "isTaxIdOptional",
    "countryCallingCodesList",
    "attributes",
)
INVOICE_FIELDS = (
    "id",
    "invoiceDate",
    "billingPeriodStartDate",
    "billingPeriodEndDate",
    "totalCharges",
    "paidAmount",
    "currencyCode",
    "currencySymbol",
    "invoiceDetails",
    "amendments",
    "documentType",
    "amendsOf",
    "invoiceType",
    "taxReceipts",
    "pdfDownloadLink",
)
#: Partner Center's OneTimeInvoiceLineItem (reference §11), plus the line's type and provider.
LINE_FIELDS = [
    "invoiceLineItemType",
    "billingProvider",
    "partnerId",
    "customerId",
    "customerName",
    "customerDomainName",
    "customerCountry",
    "invoiceNumber",
    "mpnId",
    "resellerMpnId",
    "orderId",
    "orderDate",
    "productId",
    "skuId",
    "availabilityId",
    "productName",
    "skuName",
    "productQualifiers",
    "chargeType",
    "unitPrice",
    "effectiveUnitPrice",
    "unitType",
    "quantity",
    "subtotal",
    "taxTotal",
    "totalForCustomer",
    "currency",
    "publisherName",
    "publisherId",
    "subscriptionDescription",
    "subscriptionId",
    "subscriptionStartDate",
    "subscriptionEndDate",
    "chargeStartDate",
    "chargeEndDate",
    "termAndBillingCycle",
    "alternateId",
    "referenceId",
    "priceAdjustmentDescription",
    "discountDetails",
    "pricingCurrency",
    "pcToBCExchangeRate",
    "pcToBCExchangeRateDate",
    "billableQuantity",
    "meterDescription",
    "billingFrequency",
    "reservationOrderId",
    "creditReasonCode",
    "promotionId",
]


def test_country_rules_carry_every_documented_field(user: httpx.Client) -> None:
    us = user.get("/v1/countryvalidationrules/US").json()
    assert set(COUNTRY_FIELDS) <= set(us)
    # the reference's US sample
    assert us["defaultCulture"] == "en-US"
    assert us["supportedLanguagesList"] == ["en", "es"]
    assert us["supportedCulturesList"] == ["en-US", "es-US"]
    assert us["countryCallingCodesList"] == ["1"]
    assert us["isVatIdSupported"] is False and us["vatIdRegex"] is None
    assert us["taxIdFormat"] == "US######"


def test_vat_rules_are_exercised(user: httpx.Client) -> None:
    de = user.get("/v1/countryvalidationrules/de").json()
    assert set(COUNTRY_FIELDS) <= set(de)
    assert de["isVatIdSupported"] is True and de["defaultCulture"] == "de-DE"
    assert re.fullmatch(de["vatIdRegex"], "DE123456789")
    assert not re.fullmatch(de["vatIdRegex"], "DE12345678")
    assert de["countryCallingCodesList"] == ["49"]
    # a country the sandbox has no locale data for still answers every field
    iceland = user.get("/v1/countryvalidationrules/IS").json()
    assert set(COUNTRY_FIELDS) <= set(iceland)
    assert iceland["isVatIdSupported"] is False and iceland["countryCallingCodesList"] == []


def test_invoice_and_lines_carry_every_documented_field(
    sandbox: Sandbox, user: httpx.Client
) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    customer = ready_customer(user)
    buy(user, customer, line(basic.catalog_item_id, 2, "monthly", "P1M"))
    number = sandbox.generate_invoice(2025, 1)["id"]
    invoice = user.get(f"/v1/invoices/{number}").json()
    assert set(INVOICE_FIELDS) <= set(invoice)
    statement = f"/v1/invoices/{number}/documents/statement"
    assert invoice["pdfDownloadLink"] == statement
    query = {"provider": "onetime", "invoicelineitemtype": "billinglineitems"}
    (item,) = user.get(f"/v1/invoices/{number}/lineitems", params=query).json()["items"]
    assert set(LINE_FIELDS) <= set(item), set(LINE_FIELDS) - set(item)
    assert (item["invoiceLineItemType"], item["billingProvider"]) == (
        "billing_line_items",
        "one_time",
    )
    assert (item["pricingCurrency"], item["pcToBCExchangeRate"]) == ("USD", 1.0)


def test_subscription_attention_and_mpn_object_type(sandbox: Sandbox, user: httpx.Client) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    customer = ready_customer(user)
    buy(user, customer, line(basic.catalog_item_id, 1, "monthly", "P1M"))
    (subscription,) = user.get(f"/v1/customers/{customer}/subscriptions").json()["items"]
    assert subscription["attentionNeeded"] is False and "actionTaken" in subscription
    profile = user.get("/v1/profiles/mpn").json()
    assert profile["profileType"] == "MpnProfile"
    assert profile["attributes"]["objectType"] == "MpnProfile"


def test_one_product_sku_and_availability(sandbox: Sandbox, user: httpx.Client) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    us = {"country": "US"}
    product = user.get(f"/v1/products/{basic.product_id}", params=us).json()
    assert product["id"] == basic.product_id
    sku_path = f"/v1/products/{basic.product_id}/skus/{basic.sku_id}"
    sku = user.get(sku_path, params=us).json()
    assert (sku["id"], sku["attributes"]["objectType"]) == (basic.sku_id, "Sku")
    availability = user.get(f"{sku_path}/availabilities/{basic.availability_id}", params=us)
    assert availability.json()["catalogItemId"] == basic.catalog_item_id
    assert user.get(f"{sku_path}/availabilities/NOPE", params=us).status_code == 404
    assert user.get(f"/v1/products/{basic.product_id}/skus/NOPE", params=us).status_code == 404
    assert user.get(sku_path).status_code == 400  # country is required


def test_statement_is_a_pdf(sandbox: Sandbox, user: httpx.Client) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    customer = ready_customer(user)
    buy(user, customer, line(basic.catalog_item_id, 2, "monthly", "P1M"))
    number = sandbox.generate_invoice(2025, 1)["id"]
    pdf = user.get(f"/v1/invoices/{number}/documents/statement")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.content.rstrip().endswith(b"%%EOF")
    assert number.encode() in pdf.content
    # the xref offsets point at the objects
    xref = int(pdf.content.rsplit(b"startxref\n", 1)[1].split()[0])
    assert pdf.content[xref:].startswith(b"xref")
    assert user.get("/v1/invoices/G999/documents/statement").status_code == 404


def test_unbilled_lines_by_currency_and_period(sandbox: Sandbox, user: httpx.Client) -> None:
    basic = sandbox.catalog.find("Microsoft 365 Business Basic")
    customer = ready_customer(user)
    buy(user, customer, line(basic.catalog_item_id, 2, "monthly", "P1M"))
    path = "/v1/invoices/unbilled/lineitems"
    query = {"provider": "onetime", "invoicelineitemtype": "billinglineitems"}
    assert user.get(path, params=query).status_code == 400  # currencycode and period needed
    current = {**query, "currencycode": "USD", "period": "current"}
    (item,) = user.get(path, params=current).json()["items"]
    assert (item["customerId"], item["invoiceNumber"]) == (customer, "")
    assert user.get(path, params={**current, "currencycode": "EUR"}).json()["items"] == []
    assert user.get(path, params={**current, "period": "previous"}).json()["items"] == []
    assert user.get(path, params={**current, "period": "later"}).status_code == 400
    usage = {**current, "invoicelineitemtype": "usagelineitems"}
    assert user.get(path, params=usage).json()["items"] == []
    # once the month is invoiced, its lines are billed, not unbilled
    sandbox.generate_invoice(2025, 1)
    assert user.get(path, params=current).json()["items"] == []
