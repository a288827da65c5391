"""Start-up: the command imports only the module of the sub-command it runs (issue 15, item 5)."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from csp_commerce.cli import COMMAND_MODULES, COMMANDS, build_parser, chosen_command, main

VALIDATE = ["validate-address", "--country", "US", "--postal-code", "98052", "--state", "WA",
            "--city", "Redmond"]  # fmt: skip


# ``python -m csp_commerce ARGV``, which then writes the csp_commerce modules it imported to stderr
# at exit, one per line after a marker. (``-X importtime`` misses ``importlib.import_module``.)
_WRAPPER = """
import atexit, runpy, sys
def report():
    print("--modules--", *sorted(m for m in sys.modules if m.startswith("csp_commerce")),
          sep="\\n", file=sys.stderr)
atexit.register(report)
sys.argv[0] = "csp-commerce"
runpy.run_module("csp_commerce", run_name="__main__", alter_sys=True)
"""


def imported_modules(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``python -m csp_commerce ARGV`` in a fresh interpreter; the modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    _, marker, listing = done.stderr.partition("--modules--\n")
    assert marker, done.stderr[-2000:]
    modules = set(listing.split())
    assert "csp_commerce.cli" in modules
    return done, modules


def test_help_imports_no_subcommand_module() -> None:
    done, modules = imported_modules("--help")
    assert done.returncode == 0
    assert sorted(modules & set(COMMAND_MODULES)) == []
    for name, (_, help_text) in COMMANDS.items():
        assert name in done.stdout
        assert help_text.split()[0] in done.stdout


def test_validate_address_imports_only_its_own_module() -> None:
    done, modules = imported_modules(*VALIDATE)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "valid" in done.stdout
    assert sorted(modules & set(COMMAND_MODULES)) == ["csp_commerce.cli.validate_address"]


def test_the_table_matches_what_the_modules_register() -> None:
    parser = build_parser()
    (subparsers,) = (
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    registered = {action.dest: action.help for action in subparsers._choices_actions}
    assert list(registered) == list(COMMANDS)
    assert registered == {name: help_text for name, (_, help_text) in COMMANDS.items()}
    for module_name in COMMAND_MODULES:
        alone = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module_name).register(alone)
        assert sorted(alone.choices) == sorted(
            name for name, (module, _) in COMMANDS.items() if module == module_name
        )


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], None),
        (["--help"], None),
        (["--version"], None),
        (["bogus", "--help"], None),
        (["hooks"], "hooks"),
        (["-h", "licences", "--customer", "x"], "licences"),
        (["--", "orders", "list"], "orders"),
        (["--"], None),
        (["--home", "orders", "hooks"], "hooks"),  # the value of a global option is no command
        (["-v", "--home", "/srv/csp", "--debug", "orders", "list"], "orders"),
        (["--home=/srv/csp", "orders"], "orders"),
    ],
)
def test_chosen_command(argv: list[str], command: str | None) -> None:
    assert chosen_command(argv) == command


def test_a_command_shows_its_own_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["licences", "--help"])
    assert exit_info.value.code == 0
    assert "--customer" in capsys.readouterr().out


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bogus"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'bogus'" in err
    assert "validate-address" in err


def test_version_needs_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("csp-commerce ")
