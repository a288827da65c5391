"""The client against the in-process sandbox (the emulator of the same endpoint table)."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from csp_commerce.checkout.gather_facts import gather_facts, gather_facts_async
from csp_commerce.errors import AppUserRequiredError, StaleETagError
from csp_commerce.models import Address, CompanyProfile, Customer, Offer, Order, OrderLine
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.wire import (
    CartLineItem,
    CustomerBillingProfile,
    PCAddress,
    PrimaryContact,
)
from csp_commerce.sandbox import Sandbox, SandboxCredential

#: January 2025: new-commerce lines of this period are still served by v1 (cut-over April 2025).
BEFORE_CUTOVER = datetime(2025, 1, 10, tzinfo=timezone.utc).timestamp()
ADDRESS = PCAddress(
    country="US",
    address_line1="1 Microsoft Way",
    city="Redmond",
    state="WA",
    postal_code="98052",
    first_name="Ana",
    last_name="Lee",
    phone_number="4255550100",
)
CONTACT = PrimaryContact(
    first_name="Ana", last_name="Lee", email="ana@newco.example", phone_number="4255550100"
)


def onboard(client: PartnerCenterClient) -> tuple[str, str]:
    """Create a customer, confirm the MCA, buy one offer; (customer id, subscription id)."""
    assert client.customers.domain_available("newco.onmicrosoft.com")
    customer = client.customers.create(
        domain="newco.onmicrosoft.com",
        billing_profile=CustomerBillingProfile(
            email="ana@newco.example",
            culture="en-US",
            language="en",
            company_name="NewCo",
            default_address=ADDRESS,
        ),
        request_id="customer-1",
    )
    (template,) = client.agreements.templates()
    confirm = {"contact": CONTACT, "template_id": template.template_id}
    now = datetime.now(timezone.utc)
    assert not client.agreements.confirm(customer.id, date_agreed=now, **confirm).already_confirmed
    assert client.agreements.confirm(customer.id, date_agreed=now, **confirm).already_confirmed
    product = next(iter(client.products.list("US")))
    sku = next(iter(client.products.skus(product.id, "US")))
    availability = next(iter(client.products.availabilities(product.id, sku.id, "US")))
    term = availability.terms[0]
    line = CartLineItem(
        id=0,
        catalog_item_id=availability.catalog_item_id,
        quantity=max(1, sku.minimum_quantity or 1),
        billing_cycle=term.billing_cycle or "monthly",
        term_duration=term.duration,
    )
    cart = client.carts.create(customer.id, [line], request_id="cart-1")
    result = client.carts.checkout(customer.id, cart.id, request_id="checkout-1")
    assert result.orders and not result.order_errors
    (subscription,) = client.subscriptions.list(customer.id)
    return customer.id, subscription.id


def test_sync_round_trip() -> None:
    sandbox = Sandbox(seed=3)
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        customer_id, subscription_id = onboard(client)
        before = client.subscriptions.get(customer_id, subscription_id).quantity
        changed = client.subscriptions.change_quantity(customer_id, subscription_id, before + 2)
        assert changed.quantity == before + 2
        assert client.subscriptions.cancel(customer_id, subscription_id).status == "deleted"
        app_only = client.with_options(credential=SandboxCredential(user=False))
        with pytest.raises(AppUserRequiredError):
            app_only.agreements.list(customer_id)


async def test_facts_from_the_sandbox_sync_and_async() -> None:
    sandbox = Sandbox(seed=4)
    with httpx.Client(transport=sandbox.transport()) as http:
        customer_id, _ = onboard(PartnerCenterClient(SandboxCredential(), http_client=http))
        order = Order(
            customer=Customer(
                reference="host-1",
                company=CompanyProfile(company_name="NewCo", domain="newco.onmicrosoft.com"),
                address=Address(country="US", state="WA", city="Redmond", postal_code="98052"),
                tenant_id=customer_id,
            ),
            lines=(OrderLine(offer=Offer(id="x", product_id="x", name="x"), quantity=1),),
        )
        facts = gather_facts(PartnerCenterClient(SandboxCredential(), http_client=http), order)
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        async_facts = await gather_facts_async(client, order)
    assert facts == async_facts
    assert facts.mca.accepted and len(facts.subscriptions) == 1
    assert facts.tenant.relationship.value == "reseller"


def test_profiles_users_roles_and_status_sync() -> None:
    sandbox = Sandbox(seed=5)
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        assert client.customers.domain_prefix_available("newco")
        customer_id, subscription_id = onboard(client)
        assert not client.customers.domain_prefix_available("NewCo")
        company = client.customers.company_profile(customer_id)
        assert (company.tenant_id, company.domain) == (customer_id, "newco.onmicrosoft.com")
        billing = client.customers.billing_profile(customer_id)
        assert billing.email == "ana@newco.example" and billing.attributes is not None
        assert billing.attributes.etag
        status = client.subscriptions.provisioning_status(customer_id, subscription_id)
        subscription = client.subscriptions.get(customer_id, subscription_id)
        assert (status.status, status.quantity) == ("success", subscription.quantity)
        assert status.end_date == subscription.commitment_end_date
        admin = next(
            u
            for u in client.users.list(customer_id)
            if u.user_principal_name == "admin@newco.onmicrosoft.com"
        )
        assert client.users.get(customer_id, admin.id) == admin
        roles = list(client.users.directory_roles(customer_id, admin.id))
        assert [role.name for role in roles] == ["Company Administrator"]


async def test_profiles_users_roles_and_status_async() -> None:
    sandbox = Sandbox(seed=6)
    with httpx.Client(transport=sandbox.transport()) as http:
        customer_id, subscription_id = onboard(
            PartnerCenterClient(SandboxCredential(), http_client=http)
        )
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        assert not await client.customers.domain_prefix_available("newco")
        assert await client.customers.domain_prefix_available("othercoo")
        company = await client.customers.company_profile(customer_id)
        assert company.tenant_id == customer_id
        billing = await client.customers.billing_profile(customer_id)
        assert billing.company_name == "NewCo"
        status = await client.subscriptions.provisioning_status(customer_id, subscription_id)
        assert status.status == "success" and status.sku_id
        users = [user async for user in client.users.list(customer_id)]
        (admin,) = users
        assert (await client.users.get(customer_id, admin.id)).id == admin.id
        roles = [role async for role in client.users.directory_roles(customer_id, admin.id)]
        assert [role.id for role in roles] == ["62e90394-69f5-4237-9190-012177145e10"]


def _queries_world() -> tuple[Sandbox, str, str, str]:
    """A sandbox with a customer (NewCo: one subscription, the admin licensed and one deleted
    user) and an indirect reseller; (sandbox, customer id, deleted user id, reseller id)."""
    sandbox = Sandbox(seed=8)
    reseller = sandbox.add_reseller("5100001", "Reseller One")
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        customer_id, _ = onboard(client)
        (sku,) = client.subscribed_skus.list(customer_id)
        (admin,) = client.users.list(customer_id)
        client.users.update_licenses(customer_id, admin.id, assign=[sku.product_sku.id])
        gone = client.users.create(
            customer_id,
            user_principal_name="gone@newco.onmicrosoft.com",
            first_name="Gone",
            last_name="User",
            display_name="Gone User",
            usage_location="US",
            password="Pa55w.rd!x",
        )
        http.patch(
            f"https://api.partnercenter.microsoft.com/v1/customers/{customer_id}/users/{gone.id}",
            json={"state": "inactive"},
            headers={"Authorization": "Bearer sandbox-user"},
        ).raise_for_status()
    return sandbox, customer_id, gone.id, reseller


def test_searches_groups_and_providers_sync() -> None:
    sandbox, customer_id, gone, reseller = _queries_world()
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        assert [c.id for c in client.customers.list(company_name="new")] == [customer_id]
        assert [c.id for c in client.customers.list(domain="NEWCO.")] == [customer_id]
        assert list(client.customers.list(company_name="other")) == []
        assert list(client.customers.list(indirect_reseller=reseller)) == []
        with pytest.raises(ValueError, match="one of"):
            client.customers.list(company_name="a", domain="b")
        assert [u.id for u in client.users.list(customer_id, state="Inactive")] == [gone]
        assert gone not in {u.id for u in client.users.list(customer_id)}
        (sku,) = client.subscribed_skus.list(customer_id, license_group="Group1")
        assert list(client.subscribed_skus.list(customer_id, license_group="Group2")) == []
        admin = next(u for u in client.users.list(customer_id) if u.id != gone)
        (licence,) = client.users.licenses(customer_id, admin.id, license_group="Group1")
        assert (licence.product_sku or {})["id"] == sku.product_sku.id
        assert list(client.users.licenses(customer_id, admin.id, license_group="Group2")) == []
        assert list(client.relationships.indirect_providers()) == []
        assert [r.id for r in client.relationships.indirect_resellers()] == [reseller]


async def test_searches_groups_and_providers_async() -> None:
    sandbox, customer_id, gone, reseller = _queries_world()
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        assert [c.id async for c in client.customers.list(domain="newco")] == [customer_id]
        assert [c async for c in client.customers.list(company_name="zzz")] == []
        inactive = [u.id async for u in client.users.list(customer_id, state="Inactive")]
        assert inactive == [gone]
        skus = [s async for s in client.subscribed_skus.list(customer_id, license_group="Group1")]
        assert len(skus) == 1
        assert [
            s async for s in client.subscribed_skus.list(customer_id, license_group="Group2")
        ] == []
        active = [u async for u in client.users.list(customer_id)]
        (admin,) = active
        mine = [
            x async for x in client.users.licenses(customer_id, admin.id, license_group="Group1")
        ]
        assert [(x.product_sku or {})["id"] for x in mine] == [skus[0].product_sku.id]
        assert [r async for r in client.relationships.indirect_providers()] == []
        assert [r.id async for r in client.relationships.indirect_resellers()] == [reseller]


def test_update_sends_the_etag_in_header_and_body() -> None:
    sandbox = Sandbox(seed=9)
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        customer_id, subscription_id = onboard(client)
        read = client.subscriptions.get(customer_id, subscription_id).to_wire()
        assert read["attributes"]["etag"]
        changed = client.subscriptions.update(customer_id, read, {"quantity": 3})
        assert changed.quantity == 3
        with pytest.raises(StaleETagError):
            client.subscriptions.update(customer_id, read, {"quantity": 4})


def test_documented_fields_parse_into_the_wire_models() -> None:
    sandbox = Sandbox(seed=8, clock=lambda: BEFORE_CUTOVER)  # v1 still serves the period
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        customer_id, subscription_id = onboard(client)
        rules = client.country_validation_rules.get("DE")
        assert (rules.default_culture, rules.is_vat_id_supported) == ("de-DE", True)
        assert rules.supported_languages_list and rules.supported_cultures_list
        assert rules.country_calling_codes_list == ["49"] and rules.vat_id_regex
        assert rules.is_tax_id_supported is False and rules.is_tax_id_optional is True
        assert client.country_validation_rules.get("US").tax_id_format == "US######"
        subscription = client.subscriptions.get(customer_id, subscription_id)
        assert subscription.attention_needed is False and subscription.action_taken is None
        assert "attentionNeeded" in subscription.to_wire()
        now = datetime.fromtimestamp(BEFORE_CUTOVER, timezone.utc)
        number = sandbox.generate_invoice(now.year, now.month)["id"]
        invoice = client.invoices.get(number)
        assert invoice.pdf_download_link == f"/v1/invoices/{number}/documents/statement"
        (item,) = client.invoices.line_items(number)
        assert (item.invoice_line_item_type, item.billing_provider) == (
            "billing_line_items",
            "one_time",
        )
        assert (item.pricing_currency, item.pc_to_bc_exchange_rate) == ("USD", 1.0)
        assert item.discount_details == "" and item.pc_to_bc_exchange_rate_date
        assert item.model_extra == {"attributes": {"objectType": "OneTimeInvoiceLineItem"}}
        profile = client.relationships.mpn_profile(sandbox.world.partner_mpn_id)
        assert profile.attributes is not None
        assert profile.attributes.object_type == "MpnProfile"


def test_catalog_reads_statement_and_unbilled_lines_sync() -> None:
    sandbox = Sandbox(seed=9, clock=lambda: BEFORE_CUTOVER)  # v1 still serves the period
    with httpx.Client(transport=sandbox.transport()) as http:
        client = PartnerCenterClient(SandboxCredential(), http_client=http)
        onboard(client)
        product = next(iter(client.products.list("US")))
        assert client.products.get(product.id, "US") == product
        sku = next(iter(client.products.skus(product.id, "US")))
        assert client.products.sku(product.id, sku.id, "US") == sku
        availability = next(iter(client.products.availabilities(product.id, sku.id, "US")))
        assert client.products.availability(product.id, sku.id, availability.id, "US") == (
            availability
        )
        (unbilled,) = client.invoices.line_items("unbilled", currency_code="USD", period="current")
        assert unbilled.sku_id == sku.id and unbilled.invoice_number == ""
        now = datetime.fromtimestamp(BEFORE_CUTOVER, timezone.utc)
        number = sandbox.generate_invoice(now.year, now.month)["id"]
        pdf = client.invoices.statement(number)
        assert pdf.startswith(b"%PDF-") and number.encode() in pdf
        assert list(client.invoices.line_items(number, currency_code="EUR")) == []


async def test_catalog_reads_statement_and_unbilled_lines_async() -> None:
    sandbox = Sandbox(seed=10, clock=lambda: BEFORE_CUTOVER)  # v1 still serves the period
    with httpx.Client(transport=sandbox.transport()) as http:
        onboard(PartnerCenterClient(SandboxCredential(), http_client=http))
    now = datetime.fromtimestamp(BEFORE_CUTOVER, timezone.utc)
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        product, *_ = [p async for p in client.products.list("US")]
        assert await client.products.get(product.id, "US") == product
        sku, *_ = [s async for s in client.products.skus(product.id, "US")]
        assert await client.products.sku(product.id, sku.id, "US") == sku
        availabilities = client.products.availabilities(product.id, sku.id, "US")
        availability, *_ = [a async for a in availabilities]
        got = await client.products.availability(product.id, sku.id, availability.id, "US")
        assert got == availability
        lines = client.invoices.line_items("unbilled", currency_code="USD", period="current")
        assert [line.sku_id async for line in lines] == [sku.id]
        number = sandbox.generate_invoice(now.year, now.month)["id"]
        pdf = await client.invoices.statement(number)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
