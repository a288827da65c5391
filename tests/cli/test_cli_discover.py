"""``csp-commerce discover``: a run with a summary, an incremental re-run, ``--status``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.sandbox import Sandbox
from csp_commerce.sandbox.seed_discovery import seed_sandbox


@pytest.fixture
def home(tmp_path: Path) -> Path:
    sandbox = Sandbox(seed=4)
    seed_sandbox(sandbox, 6, 2)
    (tmp_path / "sandbox").mkdir()
    sandbox.save(tmp_path / "sandbox" / "sandbox.json")  # the embedded sandbox's world
    return tmp_path


def test_discover_prints_a_summary_and_a_rerun_finds_nothing_new(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discover", "--home", str(home), "--requests-per-minute", "60000"]) == 0
    out = capsys.readouterr().out
    assert "run 1 completed" in out and "customers" in out and "full run" in out

    assert main(["discover", "--home", str(home), "--json", "--requests-per-minute", "60000"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["state"] == "completed" and second["activitySince"] is not None
    assert second["counts"]["customersSeen"] == 6
    assert second["counts"]["customersHanded"] == 0
    assert second["counts"]["subscriptionsFetchedFor"] == 0


def test_status_lists_the_runs(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discover", "--home", str(home), "--status"]) == 0
    assert "not started" in capsys.readouterr().out
    main(["discover", "--home", str(home), "--requests-per-minute", "60000"])
    capsys.readouterr()
    assert main(["discover", "--home", str(home), "--status", "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["state"] == "completed" and run["partner"] == "sandbox"
    assert main(["discover", "--home", str(home), "--status"]) == 0
    assert "completed" in capsys.readouterr().out


def test_live_without_a_partner_account_is_a_clear_error(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["discover", "--home", str(home), "--live"]) == 2
    assert "partners add" in capsys.readouterr().err


def test_sandbox_seed_gives_discover_a_customer_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = str(tmp_path)
    seed = ["sandbox", "seed", "--home", home]
    assert main([*seed, "--customers", "4", "--subscriptions", "2"]) == 0
    assert "seeded 4 customers" in capsys.readouterr().out
    assert main([*seed, "--customers", "1"]) == 0
    capsys.readouterr()
    assert main(["discover", "--home", home, "--json", "--requests-per-minute", "60000"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["customersSeen"] == 5
    assert counts["customersHanded"] == 5


def test_sandbox_seed_refuses_absurd_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "seed", "--home", str(tmp_path), "--customers", "0"]) == 2
    assert "--customers" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--requests-per-minute", "--concurrency"])
def test_a_non_positive_rate_or_concurrency_is_a_usage_error_and_starts_no_run(
    home: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["discover", "--home", str(home), option, "0"])
    assert exit_.value.code == 2
    assert "at least 1" in capsys.readouterr().err
    assert main(["discover", "--home", str(home), "--status"]) == 0
    assert "not started" in capsys.readouterr().out
