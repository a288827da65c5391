"""The budget shared through a database: one bucket per target and API family, and one pause,
for every process (and every host) that opens the same database; on SQLite and PostgreSQL."""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import budget_processes
import pytest
from budget_processes import PER_PROCESS, RATE, TARGET, WINDOW

from csp_commerce.cli._env import Environment
from csp_commerce.provisioning.pacing import Budget, PartnerBudget
from csp_commerce.store.partner_budget import SharedPartnerBudget, budget_for

OTHER = "https://api.partnercenter.microsoft.com|fabrikam.onmicrosoft.com"


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def busiest_window(starts: list[float], window: float) -> int:
    starts = sorted(starts)
    return max(
        bisect.bisect_right(starts, start + window - 1e-9) - index
        for index, start in enumerate(starts)
    )


@pytest.fixture
def location(store_url: Callable[[str], str]) -> str:
    return store_url("budget")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def opened(location: str, clock: Clock) -> Iterator[Callable[..., SharedPartnerBudget]]:
    """``opened(target=..., rates=...)``: a budget on the test's database (a process's view)."""
    budgets: list[SharedPartnerBudget] = []

    def open_one(target: str = TARGET, **options: object) -> SharedPartnerBudget:
        options.setdefault("clock", clock)
        budget = SharedPartnerBudget(location, target, **options)  # type: ignore[arg-type]
        budgets.append(budget)
        return budget

    yield open_one
    for budget in budgets:
        budget.close()


def test_it_is_a_budget_the_clients_take_and_paces_by_the_in_process_rule(
    opened: Callable[..., SharedPartnerBudget], clock: Clock
) -> None:
    shared = opened(rates={"orders": 60, "customers": 12})
    local = PartnerBudget({"orders": 60, "customers": 12}, clock=clock)
    assert isinstance(shared, Budget)
    script: list[tuple[float, str]] = [(0.0, "orders")] * 30 + [(0.0, "customers")] * 5
    script += [(7.5, "orders"), (0.0, "customers"), (40.0, "orders"), (0.3, "orders")]
    script += [(200.0, "orders")] * 3
    for advance, family in script:
        clock.now += advance
        assert shared.reserve(family) == pytest.approx(local.reserve(family), abs=1e-6)
    shared.pause_until(clock.now + 30)
    local.pause_until(clock.now + 30)
    for family in ("orders", "orders", "customers", "carts"):  # carts: first seen while paused
        assert shared.reserve(family) == pytest.approx(local.reserve(family), abs=1e-6)
    assert shared.rate_of("carts") == 500  # no figure published: the default


def test_processes_on_one_database_draw_on_one_bucket(
    opened: Callable[..., SharedPartnerBudget], clock: Clock
) -> None:
    first, second = opened(rates={"orders": 12}), opened(rates={"orders": 12})
    starts = [budget.reserve("orders") for _ in range(12) for budget in (first, second)]
    assert len(set(starts)) == len(starts)  # nobody got a place another holds
    assert busiest_window(starts, 60.0) <= 12
    assert max(starts) - clock.now >= 60.0  # 24 places at 12 a minute: over a minute ahead


def test_targets_and_families_have_budgets_of_their_own(
    opened: Callable[..., SharedPartnerBudget], clock: Clock
) -> None:
    contoso, fabrikam = opened(rates={"orders": 6}), opened(OTHER, rates={"orders": 6})
    for _ in range(4):
        contoso.reserve("orders")
    assert contoso.reserve("orders") > clock.now + 30
    assert contoso.reserve("customers") == clock.now
    assert fabrikam.reserve("orders") == clock.now
    contoso.pause_until(clock.now + 100)
    assert fabrikam.paused_until() == 0.0
    assert fabrikam.reserve("customers") == clock.now


def test_a_pause_seen_by_one_holds_every_other_and_only_moves_later(
    opened: Callable[..., SharedPartnerBudget], clock: Clock
) -> None:
    seeing, other = opened(), opened()
    assert other.reserve("orders") == clock.now
    seeing.pause_until(clock.now + 30)
    seeing.pause_until(clock.now + 10)  # an earlier end changes nothing
    assert other.paused_until() == clock.now + 30
    assert other.reserve("orders") >= clock.now + 30
    assert other.reserve("subscriptions") >= clock.now + 30  # every family
    clock.now += 31
    assert other.reserve("customers") == clock.now


def test_an_unpaced_shared_budget_only_shares_the_pause(
    opened: Callable[..., SharedPartnerBudget], clock: Clock
) -> None:
    seeing, other = opened(rates=None), opened(rates=None)
    assert [other.reserve("orders") for _ in range(50)] == [clock.now] * 50
    seeing.pause_until(clock.now + 5)
    assert other.reserve("orders") == clock.now + 5


def test_an_unusable_rate_is_refused_before_the_database_is_touched(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        SharedPartnerBudget(tmp_path / "budget.sqlite3", TARGET, rates={"orders": 2})
    assert not (tmp_path / "budget.sqlite3").exists()


# -- real processes --------------------------------------------------------------------------


def test_processes_contending_for_one_bucket_never_double_spend_nor_exceed_the_rate(
    location: str,
) -> None:
    context = budget_processes.context()
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    SharedPartnerBudget(location, TARGET).close()  # the schema, before the race
    workers = [
        context.Process(target=budget_processes.reserve_many, args=(location, ready, go, out))
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        ready.get(timeout=60)
    go.set()
    starts = sorted(start for _ in workers for start in out.get(timeout=60))
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    rate = (RATE - 2) / WINDOW
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(starts) == 4 * PER_PROCESS
    # One burst token, then one place every 1/rate seconds: a token spent twice would give two
    # processes the same place (a gap of zero).
    assert min(gaps[1:]) >= 1 / rate - 1e-6
    assert busiest_window(starts, WINDOW) <= RATE
    assert starts[-1] - starts[0] >= (len(starts) - 2) / rate - 1e-6


def test_a_pause_set_in_one_process_holds_another(location: str) -> None:
    context = budget_processes.context()
    SharedPartnerBudget(location, TARGET).close()  # the schema, before the processes
    ready, out = context.Queue(), context.Queue()
    paused = context.Event()
    until = time.time() + 600
    observer = context.Process(
        target=budget_processes.reserve_after_pause, args=(location, ready, paused, out)
    )
    pauser = context.Process(target=budget_processes.pause, args=(location, until, ready))
    observer.start()
    pauser.start()
    pauser.join(timeout=60)
    paused.set()
    before, seen, after = out.get(timeout=60)
    observer.join(timeout=60)
    assert (pauser.exitcode, observer.exitcode) == (0, 0)
    assert before < until
    assert seen == pytest.approx(until)
    assert after >= until


# -- the command's live client ------------------------------------------------------------------


def test_the_commands_live_client_paces_by_the_targets_shared_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("TENANT_ID", "Contoso.onmicrosoft.com"), ("CLIENT_ID", "c")):
        monkeypatch.setenv(f"CSP_COMMERCE_{name}", value)
    monkeypatch.setenv("CSP_COMMERCE_CLIENT_SECRET", "s")
    monkeypatch.delenv("CSP_COMMERCE_DATABASE_URL", raising=False)
    with Environment(tmp_path, live=True) as env, Environment(tmp_path, live=True) as again:
        budget = env.client.budget
        assert isinstance(budget, SharedPartnerBudget)
        assert budget.target == TARGET == env.target
        assert Path(str(budget.location)) == env.state_dir / "budget.sqlite3"
        budget.pause_until(time.time() + 600)  # another command on this data directory...
        assert again.client.budget.paused_until() > time.time() + 500  # ...is held by it
    with budget_for(tmp_path / "elsewhere.sqlite3", TARGET) as fresh:
        assert fresh.paused_until() == 0.0
