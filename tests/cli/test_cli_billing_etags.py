"""``csp-commerce billing reconcile`` remembers the reconciliation v2 exports it read (by
manifest eTag) between runs, in the data home or the ``--database``: a second run over unchanged
sandbox data downloads no blob; changed data is downloaded again."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from test_cli_billing import generate_invoice
from test_cli_subscriptions import Seeded, run, seed

from csp_commerce.cli._env import Environment
from csp_commerce.sandbox.transport import SandboxTransport


@pytest.fixture
def world(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "home")


@pytest.fixture
def blob_gets(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The blob downloads every sandbox client made (the storage URLs asked for)."""
    seen: list[str] = []
    handle = SandboxTransport.handle_request

    def counting(self: SandboxTransport, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/storage/exports/"):
            seen.append(request.url.path)
        return handle(self, request)

    monkeypatch.setattr(SandboxTransport, "handle_request", counting)
    return seen


@pytest.fixture
def database(db_engine: str, request: pytest.FixtureRequest) -> list[str]:
    """No option (SQLite files in the data home) or ``--database`` a PostgreSQL schema."""
    if db_engine == "sqlite":
        return []
    url: str = request.getfixturevalue("postgres_url")
    return ["--database", f"{url}{'&' if '?' in url else '?'}schema=recon"]


def test_a_second_run_over_unchanged_data_downloads_no_blob_and_changed_data_is_read_again(
    world: Seeded,
    database: list[str],
    blob_gets: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    invoice = generate_invoice(world, capsys)
    reconcile = world.args(
        "billing", "reconcile", "--invoice", invoice, "--price-list", str(world.prices), *database
    )
    code, first, err = run(capsys, reconcile)
    assert code == 0 and "0 differences" in first, first + err
    assert blob_gets and "not downloaded again" not in err
    downloaded = len(blob_gets)

    code, second, err = run(capsys, reconcile)
    assert code == 0 and second == first
    assert len(blob_gets) == downloaded  # no blob asked for
    assert "unchanged since an earlier run: not downloaded again" in err

    with Environment(world.home) as env:  # the invoice's data changes: a new eTag
        lines = env.sandbox.world.invoice_lines[invoice]
        next(line for line in lines if line["subscriptionId"] == world.standard)["quantity"] = 7
    code, changed, err = run(capsys, reconcile)
    assert code == 1 and "quantity_differs" in changed
    assert len(blob_gets) > downloaded and "not downloaded again" not in err
    stores = {path.name for path in world.home.glob("**/*.sqlite3")}
    assert ("exports.sqlite3" in stores) == (not database)


def test_unbilled_exports_are_remembered_too(
    world: Seeded, blob_gets: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    unbilled = world.args("billing", "reconcile", "--unbilled", "--price-list", str(world.prices))
    code, first, err = run(capsys, unbilled)
    assert code == 0, first + err
    downloaded = len(blob_gets)
    assert downloaded
    code, second, err = run(capsys, unbilled)
    assert code == 0 and second == first and len(blob_gets) == downloaded
    assert "not downloaded again" in err
