"""The sandbox over HTTP on 127.0.0.1 (ephemeral port), and the ``sandbox serve`` command."""

from __future__ import annotations

import httpx
import pytest

from csp_commerce.cli import build_parser, main
from csp_commerce.sandbox import Fault, FaultPlan, Sandbox

from .conftest import customer_body, line, ready_customer


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
            assert client.get("/sandbox/v1/state").status_code == 200


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
