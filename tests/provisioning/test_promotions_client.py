"""``client.promotions`` and ``client.term_end_dates``, both twins, against the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from csp_commerce.errors import NotFoundError
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.wire import PromotionEligibilityRequestItem
from csp_commerce.sandbox import Sandbox, SandboxCredential

E3_ANNUAL = "39NFJQT1SP01:0001:39NFJQT1Q5P1"


def related_tenant(sandbox: Sandbox) -> str:
    tenant = sandbox.add_existing_tenant("contoso.onmicrosoft.com", "Contoso")
    sandbox.accept_relationship(tenant)
    return tenant


def test_sync_twin_lists_gets_and_judges_promotions() -> None:
    sandbox = Sandbox(seed=1)
    tenant = related_tenant(sandbox)
    e3 = sandbox.catalog.find("Microsoft 365 E3").catalog_item_id
    with PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client()) as client:
        listed = {p.id: p for p in client.promotions.list("US")}
        assert listed[E3_ANNUAL].required_products[0].percent_discount() == Decimal("0.15")
        assert client.promotions.get(E3_ANNUAL, "US").name == listed[E3_ANNUAL].name
        with pytest.raises(NotFoundError):
            client.promotions.get("39NFJQT1NONE:0001:X", "US")
        item = PromotionEligibilityRequestItem(
            id=0, catalog_item_id=e3, quantity=3, term_duration="P1Y", billing_cycle="annual",
            promotion_id=E3_ANNUAL,
        )  # fmt: skip
        (answer,) = client.promotions.eligibilities(tenant, [item])
        (verdict,) = answer.eligibilities
        assert verdict.is_eligible is False
        assert (
            verdict.errors[0].type == "SeatCount" and verdict.errors[0].minimum_required_seats == 5
        )
        dates = list(client.term_end_dates.list(tenant, "P1M"))
        assert [d.allowed_custom_term_end_date_type for d in dates] == ["calendarMonthAligned"]


async def test_async_twin_reads_the_same_end_dates() -> None:
    sandbox = Sandbox(seed=1)
    tenant = related_tenant(sandbox)
    with PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client()) as client:
        expected = list(client.term_end_dates.list(tenant, "P3Y"))
    async with AsyncPartnerCenterClient(
        SandboxCredential(), http_client=sandbox.async_httpx_client()
    ) as aclient:
        dates = await aclient.term_end_dates.list(tenant, "P3Y").to_list()
        promotions = await aclient.promotions.list("US", "commercial").to_list()
    assert dates == expected
    assert E3_ANNUAL in {p.id for p in promotions}
