"""The clients on a budget shared through a database: a Retry-After one client (one process)
is answered holds the other, sync or async, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from csp_commerce.errors import RateLimitError
from csp_commerce.fulfilment import target_of
from csp_commerce.provisioning import AsyncPartnerCenterClient, PartnerCenterClient
from csp_commerce.sandbox import Fault, Sandbox, SandboxCredential
from csp_commerce.store.partner_budget import SharedPartnerBudget


class VirtualTime:
    """One clock for both clients (the processes share the wall clock); only sleeps move it."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)


async def test_a_retry_after_seen_by_one_client_holds_a_client_of_another_process(
    store_url: Callable[[str], str],
) -> None:
    location = store_url("budget")
    time = VirtualTime()
    sandbox = Sandbox(seed=1)
    retry_after = sandbox.faults.plan.injected_retry_after_seconds
    first = PartnerCenterClient(
        SandboxCredential(),
        http_client=sandbox.httpx_client(),
        clock=time.clock,
        sleep=time.sleep,
        max_retries=0,  # the 429 reaches this caller: the other client must still wait it out
    )
    target = target_of(first)
    with (
        SharedPartnerBudget(location, target, clock=time.clock) as budget_one,
        SharedPartnerBudget(location, target, clock=time.clock) as budget_two,
    ):
        first = first.with_options(budget=budget_one)
        second = AsyncPartnerCenterClient(
            SandboxCredential(),
            http_client=sandbox.async_httpx_client(),
            clock=time.clock,
            sleep=time.async_sleep,
            budget=budget_two,
        )
        sandbox.faults.force(Fault.THROTTLE)
        with pytest.raises(RateLimitError):
            first.relationships.request_link()
        assert time.slept == []
        started = time.now
        async with second:
            await second.relationships.request_link()  # held until the pause ends, then sent
        assert time.now - started >= retry_after
        assert budget_two.paused_until() == started + retry_after
    assert sandbox.faults.counts[Fault.THROTTLE] == 1  # the second client was never refused
