"""Billing reconciliation reads v2: the same report as v1 on the same sandbox data, v2 alone
after the cut-over, v1 for legacy invoices (shown), eTag no-ops, and bad input never passing
for a complete report."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
from cli.test_cli_subscriptions import E3, STANDARD, _post, buy, price_list

from csp_commerce.errors import BadRequestError, BlobCorruptError
from csp_commerce.money import PriceList
from csp_commerce.operations.invoice_lines import V1_ASKED, V1_LEGACY, V2, MemoryEtagMemory
from csp_commerce.operations.sales import reconcile_invoice, reconcile_unbilled
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential


class Clock:
    def __init__(self, when: datetime) -> None:
        self.now = when.timestamp()

    def __call__(self) -> float:
        return self.now


def _customer(http: httpx.Client) -> str:
    address = {
        "firstName": "Ada", "lastName": "Lovelace", "addressLine1": "1 Microsoft Way",
        "city": "Redmond", "state": "WA", "postalCode": "98052", "country": "US",
    }  # fmt: skip
    customer = _post(http, "/v1/customers", {
        "companyProfile": {"domain": "fabrikam.onmicrosoft.com"},
        "billingProfile": {"email": "ada@fabrikam.com", "culture": "en-US", "language": "en",
                           "companyName": "Fabrikam", "defaultAddress": address},
    })["id"]  # fmt: skip
    _post(http, f"/v1/customers/{customer}/agreements", {
        "primaryContact": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@fabrikam.com"},
        "templateId": "117a77b0-9360-443b-8795-c6dedc750cf9",
        "dateAgreed": "2023-01-01T00:00:00Z", "type": "MicrosoftCustomerAgreement",
    })  # fmt: skip
    return str(customer)


class World:
    """Two subscriptions bought in ``when``'s month and that month's invoice."""

    def __init__(self, when: datetime, seed: int = 1) -> None:
        self.clock = Clock(when)
        self.sandbox = Sandbox(seed=seed, clock=self.clock)
        with self.sandbox.httpx_client(token="sandbox-user") as http:
            customer = _customer(http)
            self.standard = buy(http, self.sandbox, customer, STANDARD, quantity=5)
            self.e3 = buy(http, self.sandbox, customer, E3, billingCycle="annual")
        self.prices: PriceList = price_list(self.sandbox)
        self.invoice = self.sandbox.generate_invoice(when.year, when.month)["id"]
        self.blob_requests = 0
        transport = self.sandbox.transport()

        def counting(request: httpx.Request) -> httpx.Response:
            if request.url.path.startswith("/storage/"):
                self.blob_requests += 1
            return transport.handle_request(request)

        self.client = PartnerCenterClient(
            SandboxCredential(),
            http_client=httpx.Client(transport=httpx.MockTransport(counting)),
            sleep=lambda _: None,
            clock=self.clock,
        )

    def perturb(self) -> None:
        lines = {
            line["subscriptionId"]: line for line in self.sandbox.world.invoice_lines[self.invoice]
        }
        lines[self.standard]["quantity"] = 7
        lines[self.e3]["effectiveUnitPrice"] = 999.0


BEFORE_CUTOVER = datetime(2025, 1, 10, tzinfo=timezone.utc)
AFTER_CUTOVER = datetime(2026, 10, 10, tzinfo=timezone.utc)


def test_v2_gives_the_same_report_as_v1_on_the_same_data() -> None:
    world = World(BEFORE_CUTOVER)
    world.perturb()
    v2, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    v1, _ = reconcile_invoice(world.client, world.invoice, world.prices, use_v1=True)
    assert (v2.source, v1.source) == (V2, V1_ASKED)
    assert v2.differences == v1.differences
    assert {d.kind.value for d in v2.differences} == {"quantity_differs", "price_differs"}
    clean = World(BEFORE_CUTOVER, seed=2)
    report, _ = reconcile_invoice(clean.client, clean.invoice, clean.prices)
    assert report.is_clean and report.source == V2 and "reconciliation v2" in report.title


def test_after_the_cut_over_v2_alone_serves_the_report() -> None:
    world = World(AFTER_CUTOVER)
    with pytest.raises(BadRequestError, match="reconciliation API v2"):
        list(world.client.invoices.line_items(world.invoice))
    report, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    assert report.is_clean and report.source == V2
    world.perturb()
    again, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    assert len(again.differences) == 2


def test_a_legacy_invoice_falls_back_to_v1_and_says_so() -> None:
    world = World(datetime(2023, 12, 5, tzinfo=timezone.utc))
    report, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    assert report.source == V1_LEGACY and report.is_clean
    assert "legacy invoice" in report.title
    world.perturb()
    report, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    assert report.source == V1_LEGACY and len(report.differences) == 2  # read from v1


def test_a_repeated_export_of_the_same_data_is_not_downloaded_again() -> None:
    world = World(AFTER_CUTOVER)
    memory = MemoryEtagMemory()
    first, _ = reconcile_invoice(world.client, world.invoice, world.prices, memory=memory)
    assert world.blob_requests == 1
    second, _ = reconcile_invoice(world.client, world.invoice, world.prices, memory=memory)
    assert world.blob_requests == 1 and second == first
    world.perturb()  # the data changed: a new eTag, downloaded again
    third, _ = reconcile_invoice(world.client, world.invoice, world.prices, memory=memory)
    assert world.blob_requests == 2 and len(third.differences) == 2


def test_an_unreadable_line_makes_the_report_incomplete_never_clean() -> None:
    world = World(AFTER_CUTOVER)
    world.sandbox.exports.settings.bad_line = (0, 1)
    report, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    assert not report.is_clean and len(report.bad_rows) == 1
    assert "INCOMPLETE" in report.title and "line 2" in report.bad_rows[0]
    assert report.rows()[-1].cells[0] == "bad_row"


def test_a_line_item_without_a_currency_is_a_bad_row() -> None:
    world = World(AFTER_CUTOVER)
    del world.sandbox.world.invoice_lines[world.invoice][0]["currency"]
    report, _ = reconcile_invoice(world.client, world.invoice, world.prices)
    assert not report.is_clean and "currency" in report.bad_rows[0]


def test_a_broken_blob_gives_no_report() -> None:
    world = World(AFTER_CUTOVER)
    world.sandbox.exports.settings.truncated_blob = 0
    with pytest.raises(BlobCorruptError):
        reconcile_invoice(world.client, world.invoice, world.prices)


def test_the_unbilled_charges_reconcile_against_this_month() -> None:
    world = World(AFTER_CUTOVER)
    world.clock.now = datetime(2026, 11, 3, tzinfo=timezone.utc).timestamp()
    today = datetime(2026, 11, 3, tzinfo=timezone.utc).date()
    report, sales = reconcile_unbilled(world.client, world.prices, today=today)
    assert report.source == V2 + " (unbilled)" and report.invoice_id is None
    # November: the monthly subscription is charged, the annual one was billed in October
    assert [r.subscription_id for r in sales.records] == [world.standard]
    assert report.is_clean, report.differences
