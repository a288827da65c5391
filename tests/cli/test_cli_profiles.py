"""Profiles: named settings files choosing the target, under the environment (issue 15, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csp_commerce.cli import main
from csp_commerce.cli._env import Environment
from csp_commerce.errors import ConfigurationError

VARIABLES = ("TENANT_ID", "CLIENT_ID", "CLIENT_SECRET", "TOKEN_STORE", "CLOUD", "CONFIG",
             "PROFILE", "LIVE", "DATABASE", "DATABASE_URL")  # fmt: skip


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in VARIABLES:
        monkeypatch.delenv(f"CSP_COMMERCE_{name}", raising=False)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "cn.json").write_text(json.dumps({
        "live": True, "tenant_id": "Contoso.onmicrosoft.com", "client_id": "c",
        "client_secret": "cn-secret-value", "cloud": "china",
    }), encoding="utf-8")  # fmt: skip
    (profiles / "play.json").write_text("{}", encoding="utf-8")
    return tmp_path


def test_a_profile_names_its_target_and_state(home: Path) -> None:
    live = Environment(home, profile="cn")
    assert live.live and live.target_name == "partner contoso.onmicrosoft.com (china cloud)"
    assert live.state_dir == home / "live" / "china" / "contoso.onmicrosoft.com"
    sandbox = Environment(home, profile="play")
    assert not sandbox.live and sandbox.state_dir == home / "sandbox"


def test_the_environment_wins_over_the_profile(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSP_COMMERCE_CLOUD", "usgov")
    assert Environment(home, profile="cn").live_settings()["cloud"] == "usgov"
    monkeypatch.setenv("CSP_COMMERCE_PROFILE", "cn")
    assert Environment(home).live  # the profile from the environment


def test_an_unknown_or_bad_profile_is_one_message_without_values(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ConfigurationError, match=r"no profile 'nope'.*known: cn, play"):
        Environment(home, profile="nope")
    (home / "profiles" / "bad.json").write_text(
        json.dumps({"client_secret": ["leaked-value"], "bogus": 1}), encoding="utf-8"
    )
    assert main(["orders", "list", "--profile", "bad", "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert "client_secret" in err and "bogus" in err
    assert "leaked-value" not in err
    with pytest.raises(ConfigurationError, match="not a profile name"):
        Environment(home, profile="../cn")


def test_profile_before_the_command_and_the_profiles_command(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--profile", "cn", "orders", "list", "--home", str(home)]) == 0
    assert "partner contoso.onmicrosoft.com" in capsys.readouterr().out
    assert main(["profiles", "show", "cn", "--format", "json", "--home", str(home)]) == 0
    (shown,) = json.loads(capsys.readouterr().out)
    assert shown["clientSecret"] == "********" and shown["cloud"] == "china"
    assert main(["profiles", "list", "--format", "json", "--home", str(home)]) == 0
    assert [p["name"] for p in json.loads(capsys.readouterr().out)] == ["cn", "play"]


def test_a_profiles_secret_is_scrubbed_from_errors(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from csp_commerce.cli._globals import scrub

    Environment(home, profile="cn")
    assert "cn-secret-value" not in scrub("the server said: cn-secret-value is wrong")
