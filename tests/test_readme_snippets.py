"""Every ```python block of the README runs, against the sandbox.

A snippet is written as a host would write it for the live Partner Center. To run it here, the
names it leaves to the host (``order``, ``facts``, ``credential``, ``tenant_id``, ...) are bound
to sandbox ones (:func:`host_names`), and what would leave the machine is pointed at one
in-process sandbox: the client's HTTP, the refresh-token credential, the browser consent and
discovery's transport. Nothing else is replaced: the library's own code runs as it is.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

import csp_commerce
from csp_commerce import (
    AsyncPartnerCenterClient,
    Checkout,
    CheckoutFacts,
    HookManager,
    Ledger,
    McaEvidenceLog,
    Order,
    OrderLine,
    PartnerCenterClient,
    Provisioner,
    Sandbox,
    SandboxCredential,
)
from csp_commerce.models import (
    Address,
    CompanyProfile,
    Contact,
    Customer,
    McaAcceptance,
    McaFacts,
    TenantFacts,
)
from csp_commerce.models.agreement import AcceptanceSource
from csp_commerce.operations.discovery_runner import Discovery
from csp_commerce.operations.onboarding import StaticConsent
from csp_commerce.provisioning.wire import CartLineItem
from csp_commerce.sandbox.customer_routes import MCA_TEMPLATE_ID

README = Path(__file__).resolve().parents[1] / "README.md"
#: A python block, at the left margin or indented (inside a list item).
BLOCK = re.compile(r"^( *)```python\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
CONTACT = Contact(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", phone_number="+14255550100"
)


def snippets() -> list[Any]:
    text = README.read_text(encoding="utf-8")
    found = []
    for match in BLOCK.finditer(text):
        line = text.count("\n", 0, match.start()) + 2
        code = textwrap.dedent(match.group(2))
        found.append(pytest.param(code, id=f"README.md:{line}"))
    return found


def new_order(sandbox: Sandbox, n: int) -> Order:
    basic = next(o for o in sandbox.catalog.offers() if o.name == "Microsoft 365 Business Basic")
    customer = Customer(
        reference=f"readme-{n}",
        company=CompanyProfile(company_name=f"Readme {n}", domain=f"readme{n}.onmicrosoft.com"),
        address=Address(country="US", state="WA", city="Redmond", postal_code="98052",
                        address_line1="1 Microsoft Way"),
        contact=CONTACT,
    )  # fmt: skip
    return Order(
        id=f"readme-order-{n}", customer=customer, lines=(OrderLine(offer=basic, quantity=2),)
    )


def accepted(order: Order) -> McaAcceptance:
    return McaAcceptance(
        customer_reference=order.customer.reference, template_id=MCA_TEMPLATE_ID,
        contact=CONTACT, accepted_at="2026-11-01T00:00:00Z",
        source=AcceptanceSource.CUSTOMER, confirmed_by="ada@example.com",
    )  # fmt: skip


class WebApp:
    """A web framework's app as far as a snippet uses it: mount an ASGI app, route a view."""

    def __init__(self) -> None:
        self.mounted: dict[str, object] = {}

    def mount(self, path: str, asgi: object) -> None:
        self.mounted[path] = asgi

    def post(self, path: str) -> Any:
        return lambda view: view


def host_names(sandbox: Sandbox, client: PartnerCenterClient, tmp_path: Path) -> dict[str, Any]:
    """What a host has at hand where a snippet starts: an order, its facts, a customer
    already in Partner Center with a cart line to buy, credentials and paths."""
    order = new_order(sandbox, 1)
    # The storefront captured the customer's MCA acceptance in its evidence log.
    with McaEvidenceLog("data/mca.sqlite3") as log:
        Checkout(mca_log=log).record_mca_acceptance(accepted(order))
    # A customer placed earlier, for the client snippet's cart.
    hooks = HookManager(entry_points=False)
    earlier = new_order(sandbox, 2)
    with McaEvidenceLog(tmp_path / "earlier-mca.sqlite3") as log:
        checkout = Checkout(
            hooks=hooks,
            mca_log=log,
            provisioner=Provisioner(client, Ledger(tmp_path / "earlier.sqlite3"), hooks),
        )
        assert checkout.record_mca_acceptance(accepted(earlier)) == []
        outcome = checkout.place(earlier).outcome
    assert outcome is not None and outcome.customer_tenant_id is not None
    product = next(iter(client.products.list("US")))
    sku = next(iter(client.products.skus(product.id, "US")))
    availability = next(iter(client.products.availabilities(product.id, sku.id, "US")))
    line = CartLineItem(
        id=0,
        catalog_item_id=availability.catalog_item_id,
        quantity=max(1, sku.minimum_quantity or 1),
        billing_cycle=availability.terms[0].billing_cycle or "monthly",
        term_duration=availability.terms[0].duration,
    )
    # The GDAP template a partner keeps next to its configuration (the README's example).
    (tmp_path / "gdap.json").write_text(
        json.dumps({
            "roles": ["User Administrator", "License Administrator", "Global Reader"],
            "duration": "P730D", "autoExtend": "P180D", "displayName": "{customer} GDAP",
            "groups": [{"groupId": "00000000-0000-0000-0000-0000000000b1",
                        "roles": ["Global Reader"]}],
        }),
        encoding="utf-8",
    )  # fmt: skip
    return {
        # The host's web framework around a webhook receiver (only defined, never served).
        "app": WebApp(),
        "request": None,
        "csrf_exempt": lambda view: view,
        "HttpResponse": object,
        "body_bytes": b"{}",  # an unsigned delivery: the receiver answers 401
        "headers": {},
        "url": "https://shop.example/partner-center/events",
        "events": ["test-created", "subscription-updated"],
        "sandbox": sandbox,
        "order": order,
        "facts": CheckoutFacts(
            mca=McaFacts(accepted=True),
            tenant=TenantFacts(domain=order.customer.company.domain, domain_available=True),
        ),
        "credential": SandboxCredential(),
        "tenant_id": sandbox.world.partner_tenant_id,
        "app_id": "00000000-0000-0000-0000-0000000000a1",
        "client_id": "00000000-0000-0000-0000-000000000c1d",
        "secret": "app-secret",
        "client_secret": "app-secret",
        "path": tmp_path / "tokens" / "contoso",
        "customer_id": outcome.customer_tenant_id,
        "ids": [outcome.customer_tenant_id],
        "lines": [line],
        "durable_id": "readme-cart-1",
        "other_durable_id": "readme-checkout-1",
        "hooks": HookManager(entry_points=False),
        "client": client,
    }


@pytest.mark.parametrize("snippet", snippets())
def test_the_readme_snippet_runs_against_the_sandbox(
    snippet: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.chdir(tmp_path)
    sandbox = Sandbox(seed=11)

    class SandboxClient(PartnerCenterClient):
        """The client, its HTTP going to the sandbox instead of api.partnercenter.microsoft.com."""

        def __init__(self, credential: Any, **options: Any) -> None:
            options.setdefault("http_client", sandbox.httpx_client())
            options.setdefault("sleep", lambda _: None)
            super().__init__(credential, **options)

    class SandboxAsyncClient(AsyncPartnerCenterClient):
        """The async client, its HTTP going to the sandbox."""

        def __init__(self, credential: Any, **options: Any) -> None:
            options.setdefault("http_client", sandbox.async_httpx_client())
            super().__init__(credential, **options)

    class SandboxDiscovery(Discovery):
        """Discovery, its HTTP going to the sandbox."""

        def __init__(self, *args: Any, **options: Any) -> None:
            options.setdefault("transport", sandbox.transport())
            options.setdefault("requests_per_minute", 60_000)
            super().__init__(*args, **options)

    def sandbox_user(*_: Any, **__: Any) -> SandboxCredential:
        return SandboxCredential(user=True)  # instead of Entra ID's tokens

    def browser_consent(*_: Any, **__: Any) -> StaticConsent:
        return StaticConsent("sandbox-refresh-token", "admin@partner.example")

    for name, stand_in in {
        "PartnerCenterClient": SandboxClient,
        "AsyncPartnerCenterClient": SandboxAsyncClient,
        "RefreshTokenCredential": sandbox_user,
        "credential_for": sandbox_user,
        "AuthCodeConsent": browser_consent,
        "Discovery": SandboxDiscovery,
    }.items():
        monkeypatch.setattr(csp_commerce, name, stand_in, raising=False)

    namespace = host_names(sandbox, SandboxClient(SandboxCredential()), tmp_path)
    # The places a snippet names: the storefront's PostgreSQL is the tests' server, its
    # /var/lib/shop the test's folder, its invoice one the sandbox billed.
    if "postgresql://shop@db.internal/shop" in snippet:
        from pg_server import _with_schema

        server = request.getfixturevalue("postgres_url")
        snippet = re.sub(
            r"postgresql://shop@db\.internal/shop(?:\?schema=(\w+))?",
            lambda found: _with_schema(server, f"readme_{found.group(1) or 'shop'}"),
            snippet,
        )
    snippet = snippet.replace("/var/lib/shop", str(tmp_path / "var-lib-shop"))
    if "G016907411" in snippet:
        snippet = snippet.replace("G016907411", str(sandbox.generate_invoice(2026, 1)["id"]))
    exec(compile(snippet, "README.md", "exec"), namespace)


def test_every_python_block_is_found() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(snippets()) == text.count("```python") > 0
