"""What every store owes on both engines: versioned schemas and their upgrades, an index for
every lookup, ledger retention, and atomic claims and appends between separate connections."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from evidence_world import accepted

from csp_commerce.errors import ConfigurationError, McaEvidenceDamagedError
from csp_commerce.store import DiscoveryStore, Ledger, McaEvidenceLog
from csp_commerce.store._db import locate
from csp_commerce.store._schema import version
from csp_commerce.store.discovery_store import SUBSCRIPTION
from csp_commerce.store.ledger import OrderStatus, StepStatus

T = "https://api.partnercenter.microsoft.com|partner-a"

#: The ledger's schema as released before versioning (0.1.0), to prove old files upgrade.
OLD_LEDGER = """
CREATE TABLE orders (order_id TEXT PRIMARY KEY, target TEXT NOT NULL, customer_ref TEXT NOT NULL,
    correlation_id TEXT NOT NULL, status TEXT NOT NULL, order_json TEXT NOT NULL,
    plan_json TEXT NOT NULL, outcome_json TEXT, notified INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT, lease_until REAL NOT NULL DEFAULT 0, created_at REAL NOT NULL,
    updated_at REAL NOT NULL);
CREATE TABLE steps (operation_id TEXT NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,
    kind TEXT NOT NULL, target TEXT NOT NULL, request_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, intent_json TEXT NOT NULL,
    result_json TEXT, error_json TEXT, customer_id TEXT, subscription_id TEXT, actor TEXT,
    lock_name TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    PRIMARY KEY (operation_id, key));
CREATE TABLE locks (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until REAL NOT NULL);
CREATE INDEX orders_by_status ON orders(target, status);
INSERT INTO orders VALUES ('old-1', 'T', 'cust', 'c-1', 'placing', '{}', '{}', NULL, 0, NULL, 0,
    1.0, 1.0);
"""
OLD_DISCOVERY = """
CREATE TABLE partners (name TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, client_id TEXT NOT NULL,
    cloud TEXT NOT NULL, token_store TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, partner TEXT NOT NULL,
    state TEXT NOT NULL, started_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT,
    activity_since TEXT, counts_json TEXT NOT NULL, error TEXT);
CREATE TABLE run_done (run_id INTEGER NOT NULL, customer_id TEXT NOT NULL,
    PRIMARY KEY (run_id, customer_id));
CREATE TABLE fingerprints (partner TEXT NOT NULL, kind TEXT NOT NULL, record_id TEXT NOT NULL,
    parent_id TEXT, hash TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (partner, kind, record_id));
INSERT INTO fingerprints VALUES ('p', 'subscription', 's1', 'c1', 'h1', 1);
"""


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


# -- schemas ------------------------------------------------------------------------------------


def test_a_ledger_file_from_before_versioning_upgrades_and_keeps_its_orders(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(OLD_LEDGER)
    with Ledger(path) as ledger:
        assert version(ledger._db, "ledger") == 3  # 3: the approval queue
        assert [o.order_id for o in ledger.unfinished()] == ["old-1"]
        indexes = {row[0] for row in ledger._db.execute("SELECT name FROM sqlite_master")}
        assert {"orders_open", "orders_unnotified", "orders_finished"} <= indexes


def test_a_discovery_file_from_before_versioning_gains_the_parent_index(tmp_path: Path) -> None:
    path = tmp_path / "discovery.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(OLD_DISCOVERY)
    with DiscoveryStore(path) as store:
        assert version(store._db, "discovery") == 2
        assert store.fingerprints("p", SUBSCRIPTION, "c1") == {"s1": "h1"}
        plan = store._db.execute(
            "EXPLAIN QUERY PLAN SELECT record_id, hash FROM fingerprints"
            " WHERE partner = ? AND kind = ? AND parent_id = ?",
            ("p", SUBSCRIPTION, "c1"),
        ).fetchall()
        assert "fingerprints_by_parent" in " ".join(str(row[-1]) for row in plan)


def test_each_store_records_its_version_and_opening_again_changes_nothing(
    store_url: Callable[[str], str],
) -> None:
    url = store_url("all")  # one database for every store, as PostgreSQL deployments do
    with Ledger(url) as ledger, DiscoveryStore(url) as store, McaEvidenceLog(url) as log:
        assert version(ledger._db, "ledger") == 3  # 3: the approval queue
        assert version(store._db, "discovery") == 2
        assert version(log._db, "mca_evidence") == 1
    with Ledger(url) as again:
        assert again._db.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == 3


def test_a_database_from_a_newer_release_is_refused(store_url: Callable[[str], str]) -> None:
    url = store_url("ledger")
    Ledger(url).close()
    with Ledger(url) as ledger:
        ledger._db.execute("UPDATE schema_version SET version = 99 WHERE store = 'ledger'")
    with pytest.raises(ConfigurationError, match="schema version 99"):
        Ledger(url)


def test_database_urls_name_the_engine_and_a_schema() -> None:
    assert locate("sqlite:////tmp/x.sqlite3").target == "/tmp/x.sqlite3"
    assert locate("sqlite:///rel.sqlite3").target == "rel.sqlite3"
    assert locate("/tmp/plain.sqlite3").engine == "sqlite"
    where = locate("postgresql://u:secret@db.example/app?schema=tenant_a&sslmode=require")
    assert (where.engine, where.schema) == ("postgresql", "tenant_a")
    assert "schema" not in where.target and "sslmode=require" in where.target
    assert "secret" not in str(where)
    with pytest.raises(ConfigurationError, match="schema name"):
        locate("postgresql://db/app?schema=Bad-Name")
    with pytest.raises(ConfigurationError, match="unknown database URL"):
        locate("mysql://db/app")


# -- indexes ------------------------------------------------------------------------------------


def _plan(ledger: Ledger, sql: str) -> str:
    with ledger._db.transaction() as db:
        if db.engine == "postgresql":
            db.execute("SET LOCAL enable_seqscan = off")  # tiny tables: ask for the index
            return " ".join(str(row[0]) for row in db.execute("EXPLAIN " + sql))
        return " ".join(str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + sql))


def test_resume_reads_open_and_unnotified_orders_through_partial_indexes(
    store_url: Callable[[str], str],
) -> None:
    with Ledger(store_url("ledger")) as ledger:
        open_sql = (
            "SELECT * FROM orders WHERE status IN ('pending', 'placing', 'compensating')"
            " ORDER BY created_at, order_id"
        )
        unnotified_sql = (
            "SELECT * FROM orders WHERE notified = 0 AND status IN ('placed', 'failed')"
            " ORDER BY created_at, order_id"
        )
        assert "orders_open" in _plan(ledger, open_sql)
        assert "orders_unnotified" in _plan(ledger, unnotified_sql)


# -- retention ----------------------------------------------------------------------------------


def test_prune_removes_old_finished_told_orders_and_never_an_open_or_untold_one(
    store_url: Callable[[str], str],
) -> None:
    clock = Clock()
    with Ledger(store_url("ledger"), clock=clock) as ledger:
        for order_id in ("done-old", "failed-old", "untold-old", "open-old", "sent-old"):
            ledger.record_order(order_id, "c", "{}", "{}", target=T, owner="w")
            ledger.begin_step(order_id, "a", "cart", {}, target=T, owner="w")
        for order_id in ("done-old", "failed-old", "untold-old", "sent-old"):
            if order_id != "sent-old":
                ledger.finish_step(order_id, "a", StepStatus.DONE, result={})
            status = OrderStatus.FAILED if order_id == "failed-old" else OrderStatus.PLACED
            ledger.end_order(order_id, "w", status, {}, notified=order_id != "untold-old")
        clock.now += 40 * 86400
        ledger.record_order("done-new", "c", "{}", "{}", target=T, owner="w")
        ledger.end_order("done-new", "w", OrderStatus.PLACED, {}, notified=True)

        assert ledger.prune(30 * 86400, batch=1) == 2

        left = {o.order_id for o in ledger.orders()}
        assert left == {"untold-old", "open-old", "sent-old", "done-new"}
        assert ledger.steps("done-old") == [] and ledger.steps("failed-old") == []
        assert [s.key for s in ledger.steps("open-old")] == ["a"]
        clock.now += 1
        assert ledger.prune(0) == 1  # done-new; the rest never
        with pytest.raises(ValueError, match="at least 0"):
            ledger.prune(-1)


# -- between connections (processes, hosts) -----------------------------------------------------


def test_one_lock_goes_to_one_operation_among_racing_connections(
    store_url: Callable[[str], str],
) -> None:
    url = store_url("ledger")
    Ledger(url).close()
    ledgers = [Ledger(url) for _ in range(6)]
    won: list[str] = []
    start = threading.Barrier(len(ledgers))

    def race(n: int) -> None:
        start.wait()
        for round_ in range(15):
            if ledgers[n].lock(f"sub:{round_}", f"op-{n}"):
                won.append(f"{round_}:{n}")
            if ledgers[n].start_order(f"o{round_}", f"w-{n}"):
                won.append(f"order {round_}:{n}")

    ledgers[0].record_order("o0", "c", "{}", "{}", target=T)
    for round_ in range(1, 15):
        ledgers[0].record_order(f"o{round_}", "c", "{}", "{}", target=T)
    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(ledgers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for ledger in ledgers:
        ledger.close()
    locks = [w for w in won if not w.startswith("order")]
    orders = [w for w in won if w.startswith("order")]
    assert sorted(int(w.split(":")[0]) for w in locks) == list(range(15))
    assert sorted(int(w.split(":")[0].split()[1]) for w in orders) == list(range(15))


def test_appends_from_racing_connections_make_one_unbroken_chain(
    store_url: Callable[[str], str],
) -> None:
    url = store_url("mca")
    McaEvidenceLog(url).close()
    logs = [McaEvidenceLog(url) for _ in range(4)]
    start = threading.Barrier(len(logs))

    def append(n: int) -> None:
        start.wait()
        for k in range(8):
            logs[n].append(accepted(f"cust-{n}-{k}"))

    threads = [threading.Thread(target=append, args=(n,)) for n in range(len(logs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = logs[0].verify()
    for log in logs:
        log.close()
    assert result.ok and result.checked == 32


def test_the_evidence_log_refuses_changes_and_reports_a_removed_guard_on_each_engine(
    store_url: Callable[[str], str],
) -> None:
    with McaEvidenceLog(store_url("mca")) as log:
        log.append(accepted("cust-1"))
        db = log._db
        for statement in ("UPDATE mca_evidence SET hash = 'x'", "DELETE FROM mca_evidence"):
            with pytest.raises(Exception, match="append-only"):
                db.execute(statement)
        if db.engine == "postgresql":  # TRUNCATE skips row triggers there: its own guard
            with pytest.raises(Exception, match="append-only"):
                db.execute("TRUNCATE mca_evidence")
            db.execute("ALTER TABLE mca_evidence DISABLE TRIGGER mca_evidence_no_update")
            db.execute("DROP TRIGGER mca_evidence_no_delete ON mca_evidence")
        else:
            db.execute("DROP TRIGGER mca_evidence_no_update")
            db.execute("DROP TRIGGER mca_evidence_no_delete")
        result = log.verify()
        assert not result.ok
        assert set(result.missing_triggers) == {"mca_evidence_no_update", "mca_evidence_no_delete"}
        with pytest.raises(McaEvidenceDamagedError):
            log.append(accepted("cust-2"))
        assert sorted(log.restore_triggers()) == sorted(result.missing_triggers)
        assert log.verify().ok
        assert log.append(accepted("cust-2")).seq == 2


def test_processes_opening_a_new_database_at_once_create_every_schema_once(
    store_url: Callable[[str], str],
) -> None:
    url = store_url("together")
    opened: list[object] = []
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def open_one(n: int) -> None:
        start.wait()
        try:
            kind = (Ledger, DiscoveryStore, McaEvidenceLog)[n % 3]
            store = kind(url)
            opened.append(store)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Ledger(url) as ledger:
        rows = ledger._db.execute("SELECT store, version FROM schema_version ORDER BY store")
        assert [tuple(row) for row in rows] == [
            ("discovery", 2),
            ("ledger", 3),
            ("mca_evidence", 1),
        ]
    for store in opened:
        store.close()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("level", "commit"), [("FULL", "on"), ("NORMAL", "off")])
def test_the_durability_level_is_postgresqls_synchronous_commit(
    postgres_url: str, level: str, commit: str
) -> None:
    url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}schema=durability"
    with Ledger(url, synchronous=level) as ledger:  # type: ignore[arg-type]
        assert ledger._db.execute("SHOW synchronous_commit").fetchone()[0] == commit


def test_the_approval_queue_works_on_both_engines(store_url: Callable[[str], str]) -> None:
    from csp_commerce.store.approvals import ApprovalStatus

    with Ledger(store_url("approvals")) as ledger:
        queue = ledger.approvals
        first = queue.hold("o-1", "c-1", "{}", target="t", reason="big", held_by="sales")
        again = queue.hold("o-1", "c-1", "{}", target="t", reason="other", held_by=None)
        assert again == first  # holding twice keeps the first record
        assert [held.order_id for held in queue.all(ApprovalStatus.HELD, target="t")] == ["o-1"]
        decided = queue.decide("o-1", ApprovalStatus.APPROVED, target="t", by="grace")
        assert decided is not None and decided.status is ApprovalStatus.APPROVED
        assert [held.order_id for held in queue.approved_unplaced("t")] == ["o-1"]
        queue.hold_again("o-1", "Problems now")
        record = queue.get("o-1")
        assert record is not None
        assert (record.status, record.decision_reason) == (ApprovalStatus.HELD, "Problems now")


def test_orders_waiting_for_a_relationship_leave_waiting_once_on_both_engines(
    store_url: Callable[[str], str],
) -> None:
    from csp_commerce.store.approvals import ApprovalStatus

    with Ledger(store_url("waiting")) as ledger:
        queue = ledger.approvals
        first = queue.wait("w-1", "c-1", "{}", target="t", reason="https://link")
        assert queue.wait("w-1", "c-1", "{}", target="t", reason="other") == first
        assert first.status is ApprovalStatus.WAITING
        queue.still_waiting("w-1", "judged again")
        # The approval hook holds it: waiting becomes held, with the hook's reason.
        held = queue.hold("w-1", "c-1", "{}", target="t", reason="big", held_by="sales")
        assert (held.status, held.held_reason, held.held_by) == (
            ApprovalStatus.HELD,
            "big",
            "sales",
        )
        # Released once for placement, from waiting only.
        queue.wait("w-2", "c-2", "{}", target="t", reason="https://link")
        assert queue.release("w-2", by="hook")
        assert not queue.release("w-2", by="hook")
        assert not queue.release("w-1", by="hook")  # held: a person decides
        assert [r.order_id for r in queue.approved_unplaced("t")] == ["w-2"]
        assert queue.all(ApprovalStatus.WAITING) == []
