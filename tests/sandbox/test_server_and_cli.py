"""The sandbox over HTTP on 127.0.0.1 (ephemeral port), and the ``sandbox serve`` command."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from csp_commerce.cli import build_parser, main
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox

from .conftest import admin, customer_body, line, ready_customer


def test_http_server_serves_partner_center_paths() -> None:
    sandbox = Sandbox(seed=1, faults=FaultPlan(timeout_hold_seconds=0.01))
    with sandbox.server() as server:
        assert server.url.startswith("http://127.0.0.1:")
        headers = {"Authorization": "Bearer sandbox-user"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
            customer = ready_customer(client)
            e3 = sandbox.catalog.find("Office 365 E3").catalog_item_id
            cart = client.post(f"/v1/customers/{customer}/carts", json={"lineItems": [line(e3, 2)]})
            assert cart.status_code == 201
            assert client.head("/v1/domains/contoso.onmicrosoft.com").status_code == 200
            echoed = client.get("/v1/invoices", headers={"MS-CorrelationId": "corr-1"})
            assert echoed.headers["MS-CorrelationId"] == "corr-1"

            # commit-then-drop: the connection closes unanswered, the change is there
            sandbox.faults.force(Fault.COMMIT_THEN_DROP)
            with pytest.raises(httpx.RemoteProtocolError):
                client.post("/v1/customers", json=customer_body("dropped"))
            assert client.head("/v1/domains/dropped.onmicrosoft.com").status_code == 200

            # a timeout holds the request, then drops it without applying it
            sandbox.faults.force(Fault.TIMEOUT)
            with pytest.raises(httpx.TransportError):
                client.post("/v1/customers", json=customer_body("late"))
            assert client.head("/v1/domains/late.onmicrosoft.com").status_code == 404

            sandbox.faults.force(Fault.CONNECTION_RESET)
            with pytest.raises(httpx.TransportError):
                client.get("/v1/invoices")
            assert client.get("/sandbox/v1/state", headers=admin(sandbox)).status_code == 200


@pytest.mark.parametrize("sent", [0, 10], ids=["headers-only", "part-of-the-body"])
def test_a_request_cut_short_by_a_killed_client_is_not_served_nor_remembered(sent: int) -> None:
    # A worker SIGKILLed between writing a create's headers and its body: the server reads the
    # headers, then end of file. Served, the missing body was refused (400 / 2000) and that
    # refusal replayed to the next worker's resend with the same MS-RequestId.
    sandbox = Sandbox(seed=1)
    with sandbox.server() as server:
        host, port = server.httpd.server_address[:2]
        body = json.dumps(customer_body("killed")).encode()
        head = (
            "POST /v1/customers HTTP/1.1\r\nHost: sandbox\r\n"
            "Authorization: Bearer sandbox-app\r\nMS-RequestId: cut-short\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        with socket.create_connection((str(host), int(port)), timeout=5) as dead:
            dead.sendall(head.encode() + body[:sent])
            dead.shutdown(socket.SHUT_WR)
            assert dead.recv(1024) == b""  # closed unanswered once the body fell short
        headers = {"Authorization": "Bearer sandbox-app", "MS-RequestId": "cut-short"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
            resent = client.post("/v1/customers", json=customer_body("killed"))
            assert resent.status_code == 201, resent.text
            assert client.head("/v1/domains/killed.onmicrosoft.com").status_code == 200


def test_cli_registers_sandbox_serve() -> None:
    args = build_parser().parse_args(
        ["sandbox", "serve", "--port", "0", "--seed", "3", "--fault-rate", "0.2"]
    )
    assert (args.port, args.seed, args.fault_rate) == (0, 3, 0.2)
    assert callable(args.func)


def test_cli_refuses_impossible_fault_rate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "serve", "--port", "0", "--fault-rate", "2"]) == 2
    assert "fault rates" in capsys.readouterr().err


def test_cli_refuses_missing_state_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "serve", "--port", "0", "--state", "no-such-file.json"]) == 2
    assert "cannot load sandbox state" in capsys.readouterr().err


def _serve(*argv: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "csp_commerce", "sandbox", "serve", "--port", "0", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _url_and_token(server: subprocess.Popen[str]) -> tuple[str, str]:
    assert server.stdout is not None
    first, second = server.stdout.readline(), server.stdout.readline()
    assert "listening on http://127.0.0.1:" in first, first
    assert "admin token" in second, second
    return first.split("listening on ", 1)[1].split()[0], second.rsplit(": ", 1)[1].strip()


def _stop(server: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    server.send_signal(sig)
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
        server.kill()
        server.wait(timeout=5)
    if server.stdout is not None:
        server.stdout.close()


def test_serve_prints_a_random_admin_token_that_alone_opens_the_admin_routes() -> None:
    server = _serve()
    try:
        url, token = _url_and_token(server)
        assert token.startswith("sandbox-admin-")
        with httpx.Client(base_url=url, timeout=5) as client:
            assert client.get("/sandbox/v1/state").status_code == 401
            partner = {"Authorization": "Bearer sandbox-user"}
            assert client.get("/sandbox/v1/state", headers=partner).status_code == 401
            state = client.get("/sandbox/v1/state", headers={"Authorization": f"Bearer {token}"})
            assert state.status_code == 200
            assert state.json()["version"] == 1
    finally:
        _stop(server)


def test_serve_takes_the_admin_token_from_the_environment() -> None:
    server = _serve(env={"CSP_COMMERCE_SANDBOX_ADMIN_TOKEN": "from-the-environment"})
    try:
        url, shown = _url_and_token(server)
        assert shown == "as given"  # a token the operator chose is not echoed
        headers = {"Authorization": "Bearer from-the-environment"}
        assert httpx.get(f"{url}/sandbox/v1/state", headers=headers, timeout=5).status_code == 200
    finally:
        _stop(server)


def test_serve_with_save_keeps_every_answered_change_through_a_sigkill(tmp_path: Path) -> None:
    saved = tmp_path / "world.json"
    server = _serve("--save", str(saved), "--admin-token", "t")
    try:
        url, _ = _url_and_token(server)
        headers = {"Authorization": "Bearer sandbox-user"}
        with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
            ready_customer(client, "durable")
    finally:
        _stop(server, signal.SIGKILL)
    assert server.returncode == -signal.SIGKILL
    world = Sandbox.load(saved).world
    assert "durable.onmicrosoft.com" in world.domains
