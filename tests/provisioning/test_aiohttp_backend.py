"""The async client over its aiohttp HTTP backend, against the sandbox on a real socket: the
same answers, typed errors and exactly-once resends as over httpx's own stack."""

from __future__ import annotations

import pytest

from csp_commerce.errors import APIConnectionError, ConfigurationError, NotFoundError
from csp_commerce.provisioning import AsyncPartnerCenterClient
from csp_commerce.provisioning.wire import CustomerBillingProfile
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox, SandboxCredential
from csp_commerce.sandbox.server import SandboxServer
from tests.provisioning.test_sandbox_roundtrip import ADDRESS

PROFILE = CustomerBillingProfile(
    email="ana@newco.example", culture="en-US", language="en", company_name="NewCo",
    default_address=ADDRESS,
)  # fmt: skip


async def no_wait(seconds: float) -> None:
    return None


def client(url: str) -> AsyncPartnerCenterClient:
    return AsyncPartnerCenterClient(
        SandboxCredential(), base_url=url, http_backend="aiohttp", sleep=no_wait
    )


async def test_reads_writes_and_refusals_are_as_over_httpcore() -> None:
    sandbox = Sandbox(seed=3)
    with SandboxServer(sandbox) as server:
        async with client(server.url) as pc:
            created = await pc.customers.create(
                domain="newco.onmicrosoft.com", billing_profile=PROFILE, request_id="c-1"
            )
            assert (await pc.customers.get(created.id)).id == created.id
            with pytest.raises(NotFoundError) as refused:
                await pc.customers.get("no-such-customer")
    assert refused.value.request_id  # Partner Center's request id reaches the error
    assert refused.value.status_code == 404


async def test_a_lost_answer_is_resent_under_its_request_id_and_acted_on_once() -> None:
    # Every first attempt is applied by the sandbox and its answer dropped on the socket.
    sandbox = Sandbox(seed=3)
    with SandboxServer(sandbox) as server:
        async with client(server.url) as pc:
            sandbox.set_faults(FaultPlan(seed=1, commit_then_drop_rate=0.6))
            for n in range(4):
                await pc.customers.create(
                    domain=f"newco{n}.onmicrosoft.com", billing_profile=PROFILE, request_id=f"c-{n}"
                )
            dropped = sandbox.faults.counts[Fault.COMMIT_THEN_DROP]
            sandbox.set_faults(FaultPlan())
            domains = [c.company_profile.domain async for c in pc.customers.list()]
    assert sorted(d for d in domains if d.startswith("newco")) == [
        f"newco{n}.onmicrosoft.com" for n in range(4)
    ]
    assert dropped > 0


async def test_nothing_listening_is_a_typed_connection_error() -> None:
    pc = AsyncPartnerCenterClient(
        SandboxCredential(), base_url="http://127.0.0.1:1", http_backend="aiohttp",
        sleep=no_wait, max_retries=1,
    )  # fmt: skip
    async with pc:
        with pytest.raises(APIConnectionError):
            await pc.customers.get("c-1")


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="unknown HTTP backend 'curl'"):
        AsyncPartnerCenterClient(SandboxCredential(), http_backend="curl")  # type: ignore[arg-type]
