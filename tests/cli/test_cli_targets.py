"""One world per Partner Center: the sandbox's state and each live partner's are kept apart.

``--live`` is faked with credentials in the environment and ``Environment.client`` patched to
a client on a second in-process sandbox standing in for the live Partner Center, whose
credential names another partner tenant.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from test_cli_checkout import good_order, order_file, record_mca
from test_cli_orders import place

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment
from csp_commerce.fulfilment import target_of
from csp_commerce.provisioning import PartnerCenterClient
from csp_commerce.sandbox import Sandbox, SandboxCredential

PARTNER = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
VARIABLES = ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "TOKEN_STORE", "CLOUD", "CONFIG")


class LivePartnerCredential(SandboxCredential):
    """The stand-in live partner's credential: sandbox tokens, another partner tenant."""

    tenant_id = PARTNER


class StandIn:
    """A second sandbox standing in for the live Partner Center, counting what reaches it."""

    def __init__(self) -> None:
        self.sandbox = Sandbox(seed=99)
        self.requests: list[tuple[str, str]] = []
        original = self.sandbox.app.exchange

        def exchange(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
            self.requests.append((method, path))
            return original(method, path, *args, **kwargs)

        self.sandbox.app.exchange = exchange  # type: ignore[method-assign]

    def client(self) -> PartnerCenterClient:
        return PartnerCenterClient(
            LivePartnerCredential(), http_client=self.sandbox.httpx_client(), sleep=lambda _: None
        )


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*VARIABLES, "MCA_KEY"):
        monkeypatch.delenv(f"CSP_COMMERCE_{name}", raising=False)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    """Fake live credentials, and ``--live`` clients on the stand-in sandbox."""
    stand_in = StandIn()
    monkeypatch.setenv("CSP_COMMERCE_TENANT_ID", PARTNER.upper())  # ids ignore case
    monkeypatch.setenv("CSP_COMMERCE_CLIENT_ID", "app")
    monkeypatch.setenv("CSP_COMMERCE_CLIENT_SECRET", "secret")
    real = Environment.__dict__["client"].func

    def client(env: Environment) -> PartnerCenterClient:
        if not env.live:
            return real(env)  # type: ignore[no-any-return]
        if "client" not in env.__dict__:
            env.__dict__["client"] = stand_in.client()
        return env.__dict__["client"]  # type: ignore[no-any-return]

    monkeypatch.setattr(Environment, "client", property(client))
    return stand_in


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def live_dir(home: Path) -> Path:
    return home / "live" / "global" / PARTNER


def test_live_neither_lists_nor_resumes_nor_sends_sandbox_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], live: StandIn
) -> None:
    home = ("--home", str(tmp_path))
    record_mca(tmp_path)
    assert main(["checkout", order_file(tmp_path, good_order()), *home]) == 0  # via the CLI
    place(tmp_path, 2, interrupt=True)  # a sandbox order left half placed: resumable
    capsys.readouterr()

    code, out, _ = run(capsys, "orders", "list", "--live", "--json", *home)
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "orders", "resume", "--live", *home)
    assert code == 0 and "nothing to resume" in out and PARTNER in out
    code, _, err = run(capsys, "orders", "show", "o-2", "--live", *home)
    assert code == 2 and "no order 'o-2'" in err

    assert live.requests == []  # nothing reached the live Partner Center
    assert live.sandbox.world.customers == {}
    assert (live_dir(tmp_path) / "ledger.sqlite3").is_file()
    assert not (tmp_path / "ledger.sqlite3").exists()

    # The sandbox's own orders are untouched, and the sandbox still resumes its own.
    code, out, _ = run(capsys, "orders", "list", "--json", *home)
    assert {o["orderId"]: o["status"] for o in json.loads(out)} == {
        "cli-1": "placed",
        "o-2": "placing",
    }
    code, out, _ = run(capsys, "orders", "resume", *home)
    assert code == 0 and "resumed 1 of 1" in out
    assert live.requests == []


def test_a_sandbox_ledger_put_in_a_live_directory_is_still_never_sent_live(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], live: StandIn
) -> None:
    """Even one ledger holding both worlds (as 0.1.0 kept) acts only on the target's records."""
    home = ("--home", str(tmp_path))
    place(tmp_path, 3, interrupt=True)
    live_dir(tmp_path).mkdir(parents=True)
    with (
        sqlite3.connect(tmp_path / "sandbox" / "ledger.sqlite3") as source,
        sqlite3.connect(live_dir(tmp_path) / "ledger.sqlite3") as copy,
    ):
        source.backup(copy)
    capsys.readouterr()

    code, out, _ = run(capsys, "orders", "list", "--live", "--json", *home)
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "orders", "resume", "--live", *home)
    assert code == 0 and "nothing to resume" in out

    # Re-submitting the sandbox order's id live is refused with a message, not a traceback.
    catalog = tmp_path / "catalog.json"
    offers = Sandbox().catalog.offers()
    catalog.write_text(json.dumps([offer.model_dump(mode="json") for offer in offers]))
    order = order_file(tmp_path, good_order(id="o-3"))
    code, out, err = run(capsys, "checkout", order, "--live", "--catalog", str(catalog), *home)
    assert code == 2 and out == ""
    assert "order o-3 was recorded against" in err and "|sandbox" in err
    assert "Traceback" not in err
    assert live.requests == []


def test_a_client_of_another_partner_center_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = StandIn()
    monkeypatch.setattr(Environment, "client", property(lambda env: stand_in.client()))

    code, out, err = run(capsys, "orders", "resume", "--home", str(tmp_path))

    assert code == 2 and out == ""
    assert err.startswith("csp-commerce: error: the client talks to") and PARTNER in err
    assert str(tmp_path / "sandbox") in err and "Traceback" not in err
    assert stand_in.requests == []


def test_the_mca_evidence_log_is_the_targets_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], live: StandIn
) -> None:
    record_mca(tmp_path)
    capsys.readouterr()
    code, out, _ = run(capsys, "mca", "export", "--format", "json", "--home", str(tmp_path))
    assert code == 0 and len(json.loads(out)) == 1
    code, out, _ = run(
        capsys, "mca", "export", "--format", "json", "--live", "--home", str(tmp_path)
    )
    assert code == 0 and json.loads(out) == []
    assert (live_dir(tmp_path) / "mca.sqlite3").is_file()
    assert live.requests == []


def test_the_state_layout_and_the_target_agree_with_the_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Environment(tmp_path) as env:
        assert env.state_dir == tmp_path / "sandbox"
        assert env.sandbox_path == tmp_path / "sandbox" / "sandbox.json"
        assert env.target == target_of(env.client)
        assert env.target_name == "the sandbox"
    for name, value in (("TENANT_ID", f" {PARTNER.upper()} "), ("CLIENT_ID", "c")):
        monkeypatch.setenv(f"CSP_COMMERCE_{name}", value)
    monkeypatch.setenv("CSP_COMMERCE_CLIENT_SECRET", "s")
    for cloud in ("global", "china", "usgov"):
        monkeypatch.setenv("CSP_COMMERCE_CLOUD", cloud)
        with Environment(tmp_path, live=True) as env:
            assert env.state_dir == tmp_path / "live" / cloud / PARTNER
            assert env.target == target_of(env.client)
            assert env.target_name == f"partner {PARTNER} ({cloud} cloud)"


@pytest.mark.parametrize(
    ("tenant", "message"),
    [(None, "CSP_COMMERCE_TENANT_ID"), ("../../etc", "is not a tenant id")],
)
def test_live_state_needs_a_usable_partner_tenant(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tenant: str | None,
    message: str,
) -> None:
    if tenant is not None:
        monkeypatch.setenv("CSP_COMMERCE_TENANT_ID", tenant)
    code, _, err = run(capsys, "orders", "list", "--live", "--home", str(tmp_path))
    assert code == 2 and message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_state_files_of_the_old_layout_are_ignored_with_a_one_line_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ledger.sqlite3").write_bytes(b"old")
    (tmp_path / "sandbox.json").write_bytes(b"old")

    code, out, err = run(capsys, "orders", "list", "--json", "--home", str(tmp_path))

    assert code == 0 and json.loads(out) == []
    (line,) = err.splitlines()
    assert line.startswith("csp-commerce: note: ledger.sqlite3, sandbox.json at the top of")
    assert str(tmp_path / "sandbox") in line
    assert (tmp_path / "ledger.sqlite3").read_bytes() == b"old"  # left alone
    code, _, err = run(capsys, "orders", "list", "--home", str(tmp_path / "new"))
    assert code == 0 and err == ""  # a home without them: no notice
