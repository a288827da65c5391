"""``client.webhooks`` (sync and async twins) against the sandbox: the registration's life,
the supported events, and the test event with its delivery status."""

from __future__ import annotations

import httpx
import pytest

from csp_commerce.errors import ConflictError, NotFoundError, RateLimitError
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.provisioning.retry import RetryPolicy
from csp_commerce.sandbox import Sandbox, SandboxCredential

URL = "https://host.example/events"


def test_registration_test_event_and_status_sync() -> None:
    sandbox = Sandbox(seed=3)
    with sandbox.httpx_client() as http:
        client = PartnerCenterClient(SandboxCredential(user=False), http_client=http)
        with pytest.raises(NotFoundError):
            client.webhooks.get()
        created = client.webhooks.register(URL, ["test-created"])
        assert created.webhook_url == URL and created.subscriber_id
        with pytest.raises(ConflictError):
            client.webhooks.register(URL, ["test-created"])
        updated = client.webhooks.update(URL, ["test-created", "invoice-ready"])
        assert updated.webhook_events == ["test-created", "invoice-ready"]
        assert client.webhooks.get() == updated
        assert "invoice-ready" in client.webhooks.supported_events()
        sent = client.webhooks.send_test_event()
        assert client.webhooks.test_event_status(sent.correlation_id).status == "pending"
        refusing = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(418)))
        (delivery,) = sandbox.deliver_webhooks(refusing)
        assert delivery.status == 418
        status = client.webhooks.test_event_status(sent.correlation_id)
        assert (status.status, status.response_code) == ("failed", 418)
        assert client.webhooks.delete() is True
        with pytest.raises(NotFoundError):
            client.webhooks.get()


def test_the_test_event_limit_surfaces_as_a_rate_limit() -> None:
    sandbox = Sandbox(seed=3)
    with sandbox.httpx_client() as http:
        client = PartnerCenterClient(
            SandboxCredential(), http_client=http, retry_policy=RetryPolicy(max_retries=0)
        )
        client.webhooks.register(URL, ["test-created"])
        client.webhooks.send_test_event()
        client.webhooks.send_test_event()
        with pytest.raises(RateLimitError) as caught:
            client.webhooks.send_test_event()
        assert caught.value.retry_after is not None and caught.value.retry_after > 0


async def test_registration_async() -> None:
    sandbox = Sandbox(seed=3)
    async with sandbox.async_httpx_client() as http:
        client = AsyncPartnerCenterClient(SandboxCredential(), http_client=http)
        created = await client.webhooks.register(URL, ["test-created"])
        assert (await client.webhooks.get()) == created
        updated = await client.webhooks.update(URL + "/2", ["test-created"])
        assert updated.webhook_url == URL + "/2"
        sent = await client.webhooks.send_test_event()
        assert (await client.webhooks.test_event_status(sent.correlation_id)).correlation_id
        assert "test-created" in await client.webhooks.supported_events()
        assert await client.webhooks.delete() is True
