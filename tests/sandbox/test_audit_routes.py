"""The activity log: the sandbox records writes; both clients list them (respx for the wire)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import respx

from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.sandbox import API_BASE, Sandbox, SandboxCredential, World
from csp_commerce.sandbox.seed_discovery import seed_sandbox

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_the_sandbox_records_a_subscription_change_with_its_customer() -> None:
    sandbox = Sandbox(seed=5, clock=lambda: NOW.timestamp())
    (customer,) = seed_sandbox(sandbox, 1, 1)
    subscription = next(iter(sandbox.world.customers[customer].subscriptions))
    with PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client()) as client:
        assert list(client.audit_records.list(NOW - timedelta(days=1))) == []
        client.subscriptions.change_quantity(customer, subscription, 4)
        (record,) = client.audit_records.list(NOW - timedelta(days=1), NOW)
        assert record.customer_id == customer
        assert record.operation_type == "update_subscription"
        assert record.operation_date == "2025-03-01T12:00:00Z"
        earlier = NOW - timedelta(days=2), NOW - timedelta(seconds=1)
        assert list(client.audit_records.list(*earlier)) == []


def test_records_survive_save_and_load() -> None:
    world = World(seed=1)
    world.audit_records.append({"customerId": "c", "operationDate": "2025-03-01T12:00:00Z"})
    assert World.from_json(world.to_json()).audit_records == world.audit_records


def test_a_start_older_than_90_days_is_refused() -> None:
    sandbox = Sandbox(seed=5, clock=lambda: NOW.timestamp())
    with sandbox.httpx_client(token="sandbox-app") as http:
        old = (NOW - timedelta(days=91)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert http.get("/v1/auditrecords", params={"startDate": old}).status_code == 400


@respx.mock
def test_the_sync_client_sends_the_window_and_follows_pages() -> None:
    route = respx.get(f"{API_BASE}/v1/auditrecords").mock(
        side_effect=[
            httpx.Response(
                200,
                json={
                    "items": [{"customerId": "a", "operationType": "create_order"}],
                    "links": {
                        "next": {
                            "uri": "/v1/auditrecords?seekOperation=Next",
                            "headers": [{"key": "MS-ContinuationToken", "value": "t1"}],
                        }
                    },
                },
            ),
            httpx.Response(200, json={"items": [{"customerId": "b"}], "links": {}}),
        ]
    )
    with PartnerCenterClient(SandboxCredential()) as client:
        records = list(client.audit_records.list(datetime(2025, 3, 1), NOW, size=1))
    assert [record.customer_id for record in records] == ["a", "b"]
    first = route.calls[0].request.url.params
    assert first["startDate"] == "2025-03-01T00:00:00Z"
    assert first["endDate"] == "2025-03-01T12:00:00Z"
    assert route.calls[1].request.headers["MS-ContinuationToken"] == "t1"


@respx.mock
async def test_the_async_client_lists_the_same() -> None:
    respx.get(f"{API_BASE}/v1/auditrecords").mock(
        return_value=httpx.Response(200, json={"items": [{"customerId": "a"}]})
    )
    async with AsyncPartnerCenterClient(SandboxCredential()) as client:
        records = await client.audit_records.list(NOW).to_list()
    assert [record.customer_id for record in records] == ["a"]


def test_every_page_keeps_the_requested_window() -> None:
    # 12 records 40 to 29 days old: the default window (30 days) holds only 2 of them, so a
    # second page computed without the caller's startDate would lose records.
    sandbox = Sandbox(seed=5, clock=lambda: NOW.timestamp())
    for days in range(40, 28, -1):
        moment = (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        sandbox.world.audit_records.append(
            {"customerId": f"c{days}", "operationDate": moment, "operationType": "x"}
        )
    with PartnerCenterClient(SandboxCredential(), http_client=sandbox.httpx_client()) as client:
        records = list(client.audit_records.list(NOW - timedelta(days=60), size=5))
    assert len(records) == 12
