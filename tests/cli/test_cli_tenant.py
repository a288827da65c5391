"""``csp-commerce tenant invite-url|link``: the invitation link and (sandbox) its acceptance."""

from __future__ import annotations

from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_invite_url_then_link_makes_the_partner_the_tenants_reseller(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Environment(tmp_path) as env:
        tenant = env.sandbox.add_existing_tenant("woodgrove.onmicrosoft.com")
    home = ("--home", str(tmp_path))

    code, out, err = run(capsys, "tenant", "invite-url", "--customer", tenant, *home)
    assert code == 0
    assert out.startswith("https://admin.microsoft.com/") and "ResellerRelationship" in out
    assert "relationship to us is none" in err

    code, out, _ = run(capsys, "tenant", "link", "--customer", tenant, *home)
    assert code == 0 and "accepted" in out

    _, _, err = run(capsys, "tenant", "invite-url", "--customer", tenant, *home)
    assert "relationship to us is reseller" in err


def test_link_an_unknown_tenant_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tenant", "link", "--customer", "nope", "--home", str(tmp_path))
    assert code == 2 and "nope" in err


def test_link_live_explains_the_customer_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "tenant", "link", "--customer", "x", "--live", "--home", str(tmp_path)
    )
    assert code == 2 and "Microsoft 365 admin center" in err
    assert not (tmp_path / "sandbox" / "sandbox.json").exists()
