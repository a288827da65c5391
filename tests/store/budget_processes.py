"""What the processes of the shared budget's tests run: a module of its own, light to import."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from csp_commerce.store.partner_budget import SharedPartnerBudget

TARGET = "https://api.partnercenter.microsoft.com|contoso.onmicrosoft.com"
RATE = 40  # per WINDOW: capacity 1, 38 places a second
WINDOW = 1.0
PER_PROCESS = 30


def context() -> Any:
    """Forked processes (instant) when this process runs one thread, where forking is safe;
    else processes started from a fork server (slower: each imports the store)."""
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def reserve_many(location: str, ready: Any, go: Any, out: Any) -> None:
    """Reserve ``PER_PROCESS`` places as fast as possible, all at once with the others."""
    with SharedPartnerBudget(location, TARGET, rates={"orders": RATE}, window=WINDOW) as budget:
        ready.put(True)
        go.wait()
        out.put([budget.reserve("orders") for _ in range(PER_PROCESS)])


def pause(location: str, until: float, ready: Any) -> None:
    """Pause the target until ``until``, from this process, once the other one is running."""
    with SharedPartnerBudget(location, TARGET) as budget:
        ready.get(timeout=60)
        budget.pause_until(until)


def reserve_after_pause(location: str, ready: Any, paused: Any, out: Any) -> None:
    """Take a place, let the other process pause the target, then take another: report both
    and the pause this process sees."""
    with SharedPartnerBudget(location, TARGET) as budget:
        before = budget.reserve("orders")
        ready.put(True)
        paused.wait(timeout=60)
        out.put((before, budget.paused_until(), budget.reserve("orders")))
