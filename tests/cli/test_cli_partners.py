"""``csp-commerce partners``: add (sandbox consent), list, remove; no secret in the table."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli.partners import SANDBOX_REFRESH_TOKEN

TENANT = "4f6a1b2c-0d3e-4a5b-8c7d-9e0f1a2b3c4d"
CLIENT = "11111111-2222-3333-4444-555555555555"


def _add(home: Path, name: str = "Contoso CSP", *extra: str) -> int:
    return main(
        ["partners", "add", name, "--tenant-id", TENANT, "--client-id", CLIENT,
         "--home", str(home), *extra]
    )  # fmt: skip


def test_add_list_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _add(tmp_path) == 0
    token_file = tmp_path / "tokens" / "Contoso_CSP.refresh-token"
    assert token_file.read_text() == SANDBOX_REFRESH_TOKEN
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert SANDBOX_REFRESH_TOKEN not in capsys.readouterr().out

    assert main(["partners", "list", "--home", str(tmp_path), "--json"]) == 0
    (account,) = json.loads(capsys.readouterr().out)
    assert account["name"] == "Contoso CSP" and account["tenantId"] == TENANT
    assert account["tokenStore"] == str(token_file) and account["discovery"] == "not started"
    rows = sqlite3.connect(tmp_path / "discovery.sqlite3").execute("SELECT * FROM partners")
    assert SANDBOX_REFRESH_TOKEN not in str(rows.fetchall())

    assert main(["partners", "list", "--home", str(tmp_path)]) == 0
    assert "Contoso CSP" in capsys.readouterr().out
    assert main(["partners", "remove", "Contoso CSP", "--home", str(tmp_path), "--yes"]) == 0
    capsys.readouterr()
    assert main(["partners", "remove", "Contoso CSP", "--home", str(tmp_path), "-y"]) == 2
    assert "no partner account named 'Contoso CSP'" in capsys.readouterr().err


def test_bad_input_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["partners", "add", "x", "--tenant-id", "contoso.com", "--client-id", CLIENT,
         "--home", str(tmp_path)]
    )  # fmt: skip
    assert code == 2
    assert "not a GUID" in capsys.readouterr().err


def test_live_auth_code_needs_the_secret_from_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CSP_COMMERCE_CLIENT_SECRET", raising=False)
    assert _add(tmp_path, "Contoso", "--live") == 2
    assert "CSP_COMMERCE_CLIENT_SECRET" in capsys.readouterr().err


def test_check_reports_mfa_compliance_expiry_and_each_cloud(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(tmp_path, "Good") == 0
    assert _add(tmp_path, "NoMfa", "--without-mfa") == 0
    capsys.readouterr()
    code = main(["partners", "check", "Good", "--json", "--home", str(tmp_path)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    (good,) = report["accounts"]
    assert good["mfaCompliant"] is True and good["tokenExpiresAt"] and good["kind"] == "app+user"
    clouds = {cloud["cloud"]: cloud for cloud in report["clouds"]}
    assert clouds["global"]["used"] and not clouds["china"]["used"]
    assert clouds["global"]["audience"] == "https://api.partnercenter.microsoft.com"
    assert clouds["china"]["audience"] == "https://partner.partnercenterapi.microsoftonline.cn"
    assert clouds["global"]["tokenRoute"] == "/v3/generatetoken"
    assert clouds["global"]["reconciliationV2"] and not clouds["usgov"]["reconciliationV2"]

    assert main(["partners", "check", "--json", "--home", str(tmp_path)]) == 1
    accounts = {a["name"]: a for a in json.loads(capsys.readouterr().out)["accounts"]}
    bad = accounts["NoMfa"]
    assert bad["mfaCompliant"] is False and "900421" in bad["detail"]
    assert "re-consent" in bad["detail"]

    assert main(["partners", "check", "--home", str(tmp_path)]) == 1
    table = capsys.readouterr().out
    assert "NoMfa" in table and "NO" in table and "v3/generatetoken" in table


def test_check_of_an_unknown_account_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["partners", "check", "Nobody", "--home", str(tmp_path)]) == 2
    assert "no partner account named" in capsys.readouterr().err


def test_without_mfa_is_a_sandbox_simulation_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CSP_COMMERCE_CLIENT_SECRET", "s")
    assert _add(tmp_path, "Contoso", "--live", "--without-mfa") == 2
    assert "sandbox" in capsys.readouterr().err
