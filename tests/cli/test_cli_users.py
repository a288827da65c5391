"""``csp-commerce users`` and ``csp-commerce licences`` against the saved sandbox world."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_cli_subscriptions import E3, Seeded, run, seed

from csp_commerce.cli._env import Environment
from csp_commerce.fulfilment import target_of


@pytest.fixture
def world(tmp_path: Path) -> Seeded:
    return seed(tmp_path / "home")


def create(world: Seeded, capsys: pytest.CaptureFixture[str], name: str) -> tuple[str, str]:
    code, out, err = run(capsys, world.args(
        "users", "create", "--customer", world.customer,
        "--upn", f"{name}@fabrikam.onmicrosoft.com", "--first-name", name.title(),
        "--last-name", "Lovelace", "--usage-location", "GB",
    ))  # fmt: skip
    assert code == 0, err
    user_id = out.split("(id ", 1)[1].split(")", 1)[0]
    return user_id, out


def test_generated_password_is_printed_once_and_stored_nowhere(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = create(world, capsys, "ada")
    line = next(line for line in out.splitlines() if line.startswith("password (shown once"))
    password = line.rsplit(": ", 1)[1]
    assert len(password) >= 16
    assert out.count(password) == 1
    for path in world.home.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), path
    code, listed, _ = run(capsys, world.args("users", "list", "--customer", world.customer))
    assert code == 0
    assert "ada@fabrikam.onmicrosoft.com" in listed
    assert password not in listed


def test_a_weak_password_from_stdin_is_refused(
    world: Seeded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("ada12345\n"))
    code, _, err = run(capsys, world.args(
        "users", "create", "--customer", world.customer, "--upn", "ada@fabrikam.onmicrosoft.com",
        "--first-name", "Ada", "--last-name", "Lovelace", "--usage-location", "GB",
        "--password-stdin",
    ))  # fmt: skip
    assert code == 1
    assert "password.contains_name" in err
    assert "ada12345" not in err


def test_assign_shows_units_and_refuses_when_none_are_free(
    world: Seeded, capsys: pytest.CaptureFixture[str]
) -> None:
    ada, _ = create(world, capsys, "ada")
    alan, _ = create(world, capsys, "alan")
    code, out, _ = run(capsys, world.args("users", "assign", "--customer", world.customer, ada, E3))
    assert code == 0
    assert "1 of 1 units consumed, 0 available" in out
    code, out, err = run(
        capsys, world.args("users", "assign", "--customer", world.customer, alan, E3)
    )
    assert code == 1
    assert "licence.none_available" in err
    assert "1 of 1 are assigned" in err
    code, out, _ = run(capsys, world.args("users", "licences", "--customer", world.customer, ada))
    assert E3 in out
    code, out, _ = run(capsys, world.args("licences", "--customer", world.customer))
    assert code == 0
    assert E3 in out
    code, out, _ = run(capsys, world.args("users", "remove", "--customer", world.customer, ada, E3))
    assert code == 0
    assert "0 of 1 units consumed, 1 available" in out


def test_import_with_bad_rows_then_export(
    world: Seeded, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with Environment(world.home) as env:
        (sku,) = [s for s in env.client.subscribed_skus.list(world.customer)
                  if s.product_sku.name == E3]  # fmt: skip
    sku_id = sku.product_sku.id
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(
        "UPN,First name,Last name,Display name,Usage location,Licenses\n"
        f"grace@fabrikam.onmicrosoft.com,Grace,Hopper,Grace Hopper,US,{sku_id}\n"
        "broken-upn,No,Body,No Body,US,\n"
        "linus@fabrikam.onmicrosoft.com,Linus,Torvalds,Linus Torvalds,FI,\n",
        "utf-8",
    )
    code, out, err = run(
        capsys, world.args("users", "import", "--customer", world.customer, str(csv_file))
    )
    assert code == 1
    assert "Imported 2 of 2 users" in out
    assert "rows.3.user_principal_name" in err
    export = tmp_path / "export.csv"
    code, out, _ = run(capsys, world.args(
        "users", "export", "--customer", world.customer, "--output", str(export)
    ))  # fmt: skip
    assert code == 0
    text = export.read_text("utf-8")
    assert "grace@fabrikam.onmicrosoft.com" in text
    assert "broken-upn" not in text
    assert f"Hopper,Grace Hopper,US,{sku_id}" in text  # Grace's licence, by SKU id


def test_china_refuses_licences_before_any_request(
    world: Seeded, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from csp_commerce.models.clouds import Cloud
    from csp_commerce.provisioning import PartnerCenterClient
    from csp_commerce.sandbox import API_BASE, SandboxCredential

    def china_client(self: Environment) -> PartnerCenterClient:
        return PartnerCenterClient(
            SandboxCredential(),
            cloud=Cloud.CHINA,
            base_url=API_BASE,
            http_client=self.sandbox.httpx_client(),
        )

    monkeypatch.setattr(Environment, "client", property(china_client))
    # The stand-in is a China-cloud partner: the home's state is taken to be that target's.
    monkeypatch.setattr(Environment, "target", property(lambda self: target_of(self.client)))
    code, _, err = run(capsys, world.args("licences", "--customer", world.customer))
    assert code == 2
    assert "not offered in this cloud" in err
    code, _, err = run(capsys, world.args("users", "assign", "--customer", world.customer, "u", E3))
    assert code == 2
    assert "supports_licence_management" in err
    code, out, _ = run(capsys, world.args(
        "subscriptions", "set-quantity", "--customer", world.customer, world.standard, "6",
        "--price-list", str(world.prices), "--format", "json",
    ))  # fmt: skip
    assert code == 0
    assert [n["code"] for n in json.loads(out)["notices"]] == ["pricing.annual_billing_only"]
