"""Global options, exit codes, one-line failures and secret scrubbing (issue 15, items 1, 3, 4)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from csp_commerce import cli
from csp_commerce.cli import _env, _globals, main
from csp_commerce.cli._env import Environment
from csp_commerce.errors import (
    APIConnectionError,
    ConfigurationError,
    InternalServerError,
    NotFoundError,
    TokenAcquisitionError,
)

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwYXJ0bmVyIn0.c2lnbmF0dXJlLXZhbHVl"


def test_global_options_work_before_and_after_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    assert main(["--home", str(before), "orders", "list"]) == 0
    assert main(["orders", "list", "--home", str(after)]) == 0
    assert (before / "sandbox").is_dir()
    assert (after / "sandbox").is_dir()
    # A value before the command is not overwritten by the command's own default.
    args = cli.build_parser().parse_args(["--home", str(before), "-v", "orders", "list"])
    assert args.home == before
    assert args.verbose == 1
    args = cli.build_parser().parse_args(["orders", "list", "-vv", "--debug"])
    assert (args.verbose, args.debug) == (2, True)


def test_the_default_home_is_the_user_data_directory_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(_env.HOME_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    here = Environment().home
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert Environment().home == here == _env.default_home()
    assert here.is_absolute()
    assert "csp-commerce" in here.parts


def test_a_relative_home_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Environment(Path("data")).home == tmp_path / "data"
    monkeypatch.setenv(_env.HOME_ENV, "from-env")
    assert Environment().home == tmp_path / "from-env"


def test_a_home_that_is_a_file_is_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    assert main(["orders", "list", "--home", str(afile)]) == _globals.EXIT_USAGE
    err = capsys.readouterr().err
    expected = f"csp-commerce: error: the data directory {afile} is a file, not a directory"
    assert err.strip() == expected


def test_the_old_working_directory_home_is_noticed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".csp-commerce").mkdir()
    assert main(["orders", "list", "--home", str(tmp_path / "new")]) == 0
    assert "the data directory before 0.2" in capsys.readouterr().err


def _raising(error: BaseException) -> Any:
    def func(args: Any) -> int:
        raise error

    return func


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ConfigurationError("bad config"), _globals.EXIT_USAGE),
        (NotFoundError("no such customer", status_code=404), _globals.EXIT_USAGE),
        (InternalServerError("PC broke", status_code=500), _globals.EXIT_PARTNER_CENTER),
        (APIConnectionError("connection reset"), _globals.EXIT_PARTNER_CENTER),
        (TokenAcquisitionError("sign-in unreachable"), _globals.EXIT_PARTNER_CENTER),
        (RuntimeError("boom"), _globals.EXIT_INTERNAL),
        (KeyboardInterrupt(), _globals.EXIT_INTERRUPTED),
    ],
)
def test_exit_codes_and_no_traceback(
    error: BaseException,
    code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from csp_commerce.cli import hooks

    original = hooks.register

    def register(subparsers: Any) -> None:
        original(subparsers)
        subparsers.choices["hooks"].set_defaults(func=_raising(error))

    monkeypatch.setattr(hooks, "register", register)
    assert main(["hooks"]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    if code == _globals.EXIT_INTERNAL:
        assert "--debug" in err


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from csp_commerce.cli import hooks

    original = hooks.register

    def register(subparsers: Any) -> None:
        original(subparsers)
        subparsers.choices["hooks"].set_defaults(func=_raising(RuntimeError("boom")))

    monkeypatch.setattr(hooks, "register", register)
    with pytest.raises(RuntimeError, match="boom"):
        main(["hooks", "--debug"])


def test_known_and_token_shaped_secrets_are_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSP_COMMERCE_CLIENT_SECRET", "s3cr3t-value~xyz")
    _globals.remember_secret("refresh-token-value-123")
    echoed = (
        'Partner Center said: {"client_secret": "s3cr3t-value~xyz", "password":"Hunter2!x"} '
        f"Authorization: Bearer {JWT} refresh_token=refresh-token-value-123&x=1 tok {JWT}"
    )
    clean = _globals.scrub(echoed)
    for secret in ("s3cr3t-value~xyz", "Hunter2!x", JWT, "refresh-token-value-123"):
        assert secret not in clean
    assert "Partner Center said" in clean
    assert "x=1" in clean


def test_an_error_a_server_echoes_is_scrubbed_before_printing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from csp_commerce.cli import hooks

    monkeypatch.setenv("CSP_COMMERCE_CLIENT_SECRET", "another-secret-42")
    original = hooks.register
    error = InternalServerError("echo: client_secret=another-secret-42 " + JWT, status_code=500)

    def register(subparsers: Any) -> None:
        original(subparsers)
        subparsers.choices["hooks"].set_defaults(func=_raising(error))

    monkeypatch.setattr(hooks, "register", register)
    assert main(["hooks"]) == _globals.EXIT_PARTNER_CENTER
    err = capsys.readouterr().err
    assert "another-secret-42" not in err
    assert JWT not in err
    assert "[redacted]" in err


def test_verbose_logs_are_scrubbed(capsys: pytest.CaptureFixture[str]) -> None:
    undo = _globals.configure_logging(2)
    try:
        logging.getLogger("csp_commerce.provisioning").debug("request headers=%s", f"Bearer {JWT}")
        logging.getLogger("csp_commerce.provisioning").info("retrying in 1s")
    finally:
        undo()
    err = capsys.readouterr().err
    assert "retrying in 1s" in err
    assert JWT not in err
    assert "Bearer [redacted]" in err


def test_without_verbose_info_lines_stay_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    undo = _globals.configure_logging(0)
    try:
        logging.getLogger("csp_commerce.provisioning").info("retrying in 1s")
        logging.getLogger("csp_commerce.provisioning").warning("Retry-After over the cap")
    finally:
        undo()
    err = capsys.readouterr().err
    assert "retrying" not in err
    assert "Retry-After over the cap" in err


def test_the_readme_lists_every_exit_code() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("**Exit codes**", 1)[1].split("\n\n", 2)[1]
    documented = {int(row.split("|")[1]) for row in table.splitlines()[2:]}
    defined = {value for name, value in vars(_globals).items() if name.startswith("EXIT_")}
    assert documented == defined


def test_the_command_leaves_the_hosts_logging_as_it_found_it() -> None:
    logger = logging.getLogger("csp_commerce")
    before = (list(logger.handlers), logger.level, logger.propagate)
    assert main(["hooks", "-vv"]) == 0
    assert (list(logger.handlers), logger.level, logger.propagate) == before


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_help_is_plain_text_not_markup(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "``" not in out
    assert ":func:`" not in out and ":class:`" not in out


def test_customer_means_a_tenant_id_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    person = ["--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@contoso.com",
              "--phone", "+14255550100", "--home", str(tmp_path)]  # fmt: skip
    assert main(["mca", "record", "--reference", "contoso", *person]) == 0
    assert "note" not in capsys.readouterr().err
    assert main(["mca", "record", "--customer", "fabrikam", *person]) == 0  # the old spelling
    assert "--customer here is now --reference" in capsys.readouterr().err
    assert main(["mca", "list", "--reference", "fabrikam", "--format", "json", "--home",
                 str(tmp_path)]) == 0  # fmt: skip
    assert [e["customerReference"] for e in json.loads(capsys.readouterr().out)] == ["fabrikam"]


def test_a_global_home_reaches_the_sandbox_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "before"
    assert main(["--home", str(home), "sandbox", "seed", "--customers", "2"]) == 0
    assert str(home / "sandbox" / "sandbox.json") in capsys.readouterr().out
    assert main(["--home", str(home), "sandbox", "advance", "--days", "1"]) == 0
    assert main(["--home", str(home), "customers", "list", "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["customers", "list", "--format", "json", "--home", str(home)]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
