"""The handled webhook event ids: a claim is taken once, given back on failure, pruned by age."""

from __future__ import annotations

from pathlib import Path

from csp_commerce.store.event_log import EventLog


def test_an_id_is_claimed_once_until_released(tmp_path: Path) -> None:
    with EventLog(tmp_path / "events.sqlite3") as log:
        assert log.claim("a", "test-created", 100.0)
        assert not log.claim("a", "test-created", 101.0)
        log.release("a")
        assert not log.seen("a")
        assert log.claim("a", "test-created", 102.0)


def test_prune_forgets_ids_received_before_a_time() -> None:
    with EventLog() as log:
        log.claim("old", "invoice-ready", 10.0)
        log.claim("new", "invoice-ready", 20.0)
        assert log.prune(15.0) == 1
        assert not log.seen("old") and log.seen("new")
