"""``csp-commerce worker`` processes over one database: every order placed exactly once.

The sandbox is served over HTTP from this process (one world, counted directly); the orders
are submitted here with ``Checkout.submit``; the workers are real processes running the
command with ``--sandbox-url``. Two and four workers share the queue; a worker killed with
SIGKILL mid-order leaves its order to the next worker once its lease ran out; a worker sent
SIGTERM finishes the step in flight, begins no other and exits 0. Both engines.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import worker_process
from fulfilment_world import Recorder, acceptance, client_for, new_customer_order, offer

from csp_commerce import Checkout, HookManager, OrderLine
from csp_commerce.cli._env import LEDGER_FILE, Environment
from csp_commerce.fulfilment.order_saga import Provisioner
from csp_commerce.sandbox import FaultPlan, Sandbox, SandboxServer
from csp_commerce.store.ledger import Ledger, OrderStatus, StepStatus
from csp_commerce.store.mca_log import McaEvidenceLog

LEASE = 1.0  # a killed worker's order waits this long for the next worker


class Worker:
    """A ``csp-commerce worker`` process (forked from the forkserver) and its output file."""

    def __init__(self, argv: list[str], output: Path) -> None:
        self.output = output
        self.process = worker_process.context().Process(
            target=worker_process.run, args=(argv, str(output))
        )
        self.process.start()

    def finish(self, timeout: float = 60) -> tuple[int | None, str]:
        self.process.join(timeout)
        assert self.process.exitcode is not None, "the worker did not stop"
        return self.process.exitcode, self.output.read_text()


class Deployment:
    """One served sandbox, one database, and the command's view of where the ledger is."""

    def __init__(self, tmp_path: Path, database: str, latency: float) -> None:
        self.home = tmp_path / "home"
        self.database = database
        self.latency = latency
        self.started = 0
        self.sandbox = Sandbox(seed=11)
        self.server: SandboxServer = self.sandbox.server().start()
        env = Environment(self.home, database=database)
        self.ledger = Ledger(env.store_location(LEDGER_FILE))
        self.mca = McaEvidenceLog(tmp_path / "mca.sqlite3")
        hooks = HookManager(entry_points=False, plugins=[Recorder()])
        provisioner = Provisioner(client_for(self.sandbox), self.ledger, hooks)
        self.checkout = Checkout(hooks=hooks, mca_log=self.mca, provisioner=provisioner)

    def submit(self, count: int) -> list[str]:
        e3 = offer(self.sandbox, "Office 365 E3")
        ids = []
        for n in range(count):
            order = new_customer_order(n, OrderLine(offer=e3, quantity=1 + n % 3))
            assert self.checkout.record_mca_acceptance(acceptance(order)) == []
            result = self.checkout.submit(order)
            assert result.plan is not None, result.problems
            ids.append(order.id)
        # From now on every request the workers send takes ``latency`` seconds.
        self.sandbox.set_faults(FaultPlan(seed=11, latency_seconds=self.latency))
        return ids

    def worker(self, *options: str) -> Worker:
        argv = [
            "--home", str(self.home), "--database", self.database, "worker",
            "--sandbox-url", self.server.url, "--lease", str(LEASE), "--poll", "0.05",
            "--retry-after", "0.2", *options,
        ]  # fmt: skip
        self.started += 1
        return Worker(argv, self.home.parent / f"worker{self.started}.log")

    def purchases(self) -> dict[str, int]:
        """Orders Partner Center took, per customer domain."""
        return {
            str(state.customer["companyProfile"]["domain"]): len(state.orders)
            for state in self.sandbox.world.customers.values()
        }

    def placed(self) -> int:
        return len(self.ledger.orders(OrderStatus.PLACED))

    def close(self) -> None:
        self.server.stop()
        self.ledger.close()
        self.mca.close()


@pytest.fixture
def deploy(
    tmp_path: Path, db_engine: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[float], Deployment]]:
    made: list[Deployment] = []

    def make(latency: float) -> Deployment:
        if db_engine == "sqlite":
            database = f"sqlite:///{tmp_path / 'db'}"
        else:
            database = request.getfixturevalue("store_url")("workers")
        made.append(Deployment(tmp_path, database, latency))
        return made[-1]

    yield make
    for deployment in made:
        deployment.close()


def _exactly_once(deployment: Deployment, count: int) -> None:
    assert deployment.placed() == count
    assert deployment.purchases() == {f"contoso{n}.onmicrosoft.com": 1 for n in range(count)}, (
        "an order was bought twice, or not at all"
    )


def test_worker_processes_place_every_order_exactly_once(
    deploy: Callable[[float], Deployment], db_engine: str
) -> None:
    workers = 2 if db_engine == "sqlite" else 4  # (keeps the suite short: each shows the claim)
    deployment = deploy(0.005)
    count = 8
    deployment.submit(count)

    processes = [deployment.worker("--until-idle") for _ in range(workers)]
    results = [process.finish() for process in processes]

    assert [code for code, _ in results] == [0] * workers, results
    _exactly_once(deployment, count)
    placed = [int(out.split("worker done: ")[1].split(" placed")[0]) for _, out in results]
    assert sum(placed) == count  # each order claimed by one worker


def _wait_for(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_a_worker_killed_mid_order_is_taken_up_by_another_without_buying_twice(
    deploy: Callable[[float], Deployment],
) -> None:
    deployment = deploy(0.02)
    count = 2
    deployment.submit(count)
    first = deployment.worker("--until-idle")

    def mid_order() -> bool:
        return any(
            record.status is OrderStatus.PLACING
            and any(
                step.status is StepStatus.DONE for step in deployment.ledger.steps(record.order_id)
            )
            for record in deployment.ledger.orders()
        )

    _wait_for(mid_order, "a worker to be mid-order")
    first.process.kill()
    code, _ = first.finish()
    assert code == -signal.SIGKILL
    (stranded,) = deployment.ledger.orders(OrderStatus.PLACING)

    time.sleep(LEASE)  # the dead worker's lease runs out
    code, output = deployment.worker("--until-idle").finish()

    assert stranded.order_id in output  # taken up by the second worker
    assert code == 0, output
    _exactly_once(deployment, count)


def test_sigterm_finishes_the_step_in_flight_and_exits_0(
    deploy: Callable[[float], Deployment],
) -> None:
    deployment = deploy(0.2)  # each request takes 0.2 s: the signal lands mid-step
    deployment.submit(1)
    worker = deployment.worker()  # runs until stopped

    def in_flight() -> bool:
        return any(step.status is StepStatus.SENT for step in deployment.ledger.steps())

    _wait_for(in_flight, "a step to be sent")
    (sent,) = [step for step in deployment.ledger.steps() if step.status is StepStatus.SENT]
    worker.process.terminate()  # SIGTERM
    code, output = worker.finish()

    assert code == 0, output
    assert "worker stopped" in output
    steps = deployment.ledger.steps(sent.operation_id)
    assert steps[-1].key == sent.key  # no step begun after it
    assert steps[-1].status is StepStatus.DONE  # and it finished, its outcome recorded
    record = deployment.ledger.order(sent.operation_id)
    assert record is not None and record.status is OrderStatus.PLACING  # the rest left
    deployment.sandbox.set_faults(FaultPlan(seed=11))
    code, output = deployment.worker("--until-idle").finish()  # at once: the lease was given back
    assert code == 0, output
    assert "1 placed" in output
    _exactly_once(deployment, 1)
