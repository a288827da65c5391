"""``client.transitions`` and ``client.transfers`` on the async twin, against the sandbox (the
sync twin is exercised by the operations tests)."""

from __future__ import annotations

import httpx

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential

from .test_sandbox_roundtrip import onboard

OTHER = "0a1b2c3d-0000-4000-8000-00000000beef"


async def test_transitions_and_transfers_on_the_async_client() -> None:
    sandbox = Sandbox(seed=6)
    with httpx.Client(transport=sandbox.transport()) as http:
        customer_id, subscription_id = onboard(
            PartnerCenterClient(SandboxCredential(), http_client=http)
        )
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        targets = [t async for t in client.transitions.eligibilities(customer_id, subscription_id)]
        assert targets and targets[0].eligible_types
        made = await client.transitions.create(
            customer_id, subscription_id, targets[0].catalog_item_id, 1, request_id="t-1"
        )
        assert made.to_subscription_id and made.events[0].name == "Conversion"
        listed = [t async for t in client.transitions.list(customer_id, subscription_id)]
        assert [t.id for t in listed] == [made.id]
        body = {
            "sourcePartnerTenantId": OTHER,
            "sourcePartnerName": "Contoso Partner",
            "customerEmailId": "ana@newco.example",
            "transferType": 5,
        }
        transfer = await client.transfers.create(customer_id, body, request_id="x-1")
        assert (await client.transfers.get(customer_id, transfer.id)).status == "Active"
        assert [t.id async for t in client.transfers.list(customer_id)] == [transfer.id]
