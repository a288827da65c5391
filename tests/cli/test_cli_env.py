"""Where commands keep their state, and how ``--live`` finds its credentials."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csp_commerce.cli._env import Environment
from csp_commerce.errors import ConfigurationError
from csp_commerce.provisioning import ClientSecretCredential, RefreshTokenCredential

VARIABLES = (
    "CSP_COMMERCE_TENANT_ID",
    "CSP_COMMERCE_CLIENT_ID",
    "CSP_COMMERCE_CLIENT_SECRET",
    "CSP_COMMERCE_TOKEN_STORE",
    "CSP_COMMERCE_CLOUD",
    "CSP_COMMERCE_CONFIG",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_live_without_credentials_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="CSP_COMMERCE_CLIENT_SECRET"):
        _ = Environment(tmp_path, live=True).client


def test_the_config_file_supplies_credentials_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"tenant_id": "t-file", "client_id": "c-file", "client_secret": "s"}),
        encoding="utf-8",
    )
    monkeypatch.setenv("CSP_COMMERCE_TENANT_ID", "t-env")
    with Environment(tmp_path, live=True) as env:
        credential = env.client.credential
    assert isinstance(credential, ClientSecretCredential)
    assert credential.tenant_id == "t-env"
    assert credential.client_id == "c-file"


def test_a_token_store_means_app_and_user_tokens_in_the_chosen_cloud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (("TENANT_ID", "t"), ("CLIENT_ID", "c"), ("CLIENT_SECRET", "s")):
        monkeypatch.setenv(f"CSP_COMMERCE_{name}", value)
    monkeypatch.setenv("CSP_COMMERCE_TOKEN_STORE", str(tmp_path / "refresh-token"))
    monkeypatch.setenv("CSP_COMMERCE_CLOUD", "china")
    with Environment(tmp_path, live=True) as env:
        client = env.client
    assert isinstance(client.credential, RefreshTokenCredential)
    assert client.base_url == "https://partner.partnercenterapi.microsoftonline.cn"


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "cannot read"), ("[1]", "JSON object"), ('{"secret": "x"}', "unknown")],
)
def test_a_bad_config_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "config.json").write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        _ = Environment(tmp_path, live=True).client


def test_an_unknown_cloud_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSP_COMMERCE_CLOUD", "mars")
    with pytest.raises(ConfigurationError, match="mars"):
        _ = Environment(tmp_path, live=True).client


def test_the_sandbox_world_is_kept_between_commands(tmp_path: Path) -> None:
    with Environment(tmp_path) as env:
        env.sandbox.add_existing_tenant("northwind")
    with Environment(tmp_path) as env:
        assert len(env.sandbox.world.customers) == 1


def test_an_empty_or_damaged_sandbox_file_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from csp_commerce.cli import main

    (tmp_path / "sandbox").mkdir()
    # what a SIGKILL mid-save used to leave:
    (tmp_path / "sandbox" / "sandbox.json").write_bytes(b"")
    assert main(["sandbox", "seed", "--home", str(tmp_path), "--customers", "1"]) == 2
    err = capsys.readouterr().err
    assert "cannot load sandbox state" in err
    assert str(tmp_path / "sandbox" / "sandbox.json") in err
    assert "Traceback" not in err
