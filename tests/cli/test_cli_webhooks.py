"""``csp-commerce webhooks``: register, list, test and deliver against the embedded sandbox, and
``serve`` receiving the sandbox's signed events over a real socket in another process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_register_list_update_and_test(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ("--home", str(tmp_path))
    code, out, _ = run(capsys, "webhooks", "list", *home)
    assert code == 0 and "no webhook registration" in out and "invoice-ready" in out
    code, out, _ = run(capsys, "webhooks", "register", "https://host.example/a", *home)
    assert code == 0 and out.startswith("registered") and "test-created" in out
    code, out, _ = run(
        capsys, "webhooks", "register", "https://host.example/b", "--event", "test-created", *home
    )
    assert out.startswith("updated") and "events: test-created\n" in out
    code, out, _ = run(capsys, "webhooks", "test", *home)
    assert code == 0 and "delivered test-created to https://host.example/b: unreachable" in out
    assert "status: failed" in out
    code, out, _ = run(capsys, "webhooks", "deliver", *home)
    assert "unreachable" in out  # retried on the next delivery


def test_a_bad_registration_is_reported_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys,
        "webhooks",
        "register",
        "https://h.example",
        "--event",
        "nope",
        "--home",
        str(tmp_path),
    )
    assert code != 0 and "nope" in err and "Traceback" not in err


def test_deliver_live_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "webhooks", "deliver", "--live", "--home", str(tmp_path))
    assert code == 2 and "Partner Center delivers" in err


def test_serve_receives_the_sandboxs_signed_events_over_a_socket(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ("--home", str(tmp_path))
    with Environment(tmp_path) as env:
        tenant = env.sandbox.add_existing_tenant("woodgrove.onmicrosoft.com")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "csp_commerce",
            "webhooks",
            "serve",
            "--port",
            "0",
            "--max-events",
            "2",
            *home,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        assert first.startswith("receiving on http://127.0.0.1:"), first + server.stderr.read()
        url = first.split()[2]
        assert run(capsys, "webhooks", "register", url, *home)[0] == 0
        assert run(capsys, "tenant", "link", "--customer", tenant, *home)[0] == 0
        code, out, _ = run(capsys, "webhooks", "test", *home)
        assert code == 0
        assert f"reseller-relationship-accepted-by-customer to {url}: 200" in out
        assert "status: completed (receiver answered 200)" in out
        rest, errors = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, errors
    lines = rest.splitlines()
    assert lines[0].startswith(
        f"reseller-relationship-accepted-by-customer https://api.partnercenter.microsoft.com/v1/customers/{tenant}"
    )
    assert lines[1].startswith("test-created ")
    assert (tmp_path / "sandbox" / "events.sqlite3").exists()
