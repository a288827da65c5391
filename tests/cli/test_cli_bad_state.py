"""Every command against damaged local state and bad files: one clear message, never a traceback.

The sub-commands are enumerated from the parser itself, so a new command is swept too. Each runs
with its required arguments filled with plausible junk, in a data directory whose ledger, MCA
log and sandbox world are damaged, and must end with a documented exit code and no traceback.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from csp_commerce.cli import EXIT_INTERNAL, build_parser, main

# Long-running or interactive by design: they are exercised by their own tests.
NOT_SWEPT = {("sandbox", "serve"), ("partners", "add"), ("demo",)}


def _leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not nested:
        return [(path, parser)]
    found = []
    for action in nested:
        for name, sub in action.choices.items():
            found.extend(_leaves(sub, (*path, name)))
    return found


def _filled(parser: argparse.ArgumentParser, bad_file: Path) -> list[str]:
    """The required arguments of ``parser``, each given a plausible but wrong value."""
    argv: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or not (
            action.required or not action.option_strings
        ):
            continue
        value = str((action.choices and next(iter(action.choices))) or "")
        if not value:
            value = "1" if action.type is int else str(bad_file)
        if action.option_strings:
            argv += [action.option_strings[0], value]
        elif action.nargs in ("*", "+"):
            argv.append(value)
        else:
            argv.append(value)
    return argv


LEAVES = [
    (path, parser)
    for path, parser in _leaves(build_parser())
    if path not in NOT_SWEPT and path[:1] not in NOT_SWEPT
]


@pytest.fixture
def damaged_home(tmp_path: Path) -> Path:
    state = tmp_path / "home" / "sandbox"
    state.mkdir(parents=True)
    (state / "sandbox.json").write_text('{"customers": [1, 2', encoding="utf-8")
    (state / "ledger.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 2000)
    (state / "mca.sqlite3").write_bytes(b"\x00" * 100)
    return tmp_path


@pytest.mark.parametrize(("path", "parser"), LEAVES, ids=[" ".join(p) for p, _ in LEAVES])
def test_no_traceback_on_damaged_state(
    path: tuple[str, ...],
    parser: argparse.ArgumentParser,
    damaged_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad_file = damaged_home / "bad.json"
    bad_file.write_bytes(b"\xff\xfe not json \x00")
    argv = [*path, *_filled(parser, bad_file), "--home", str(damaged_home / "home")]
    try:
        code = main(argv)
    except SystemExit as usage:  # argparse's own refusal of the junk: a usage error
        code = int(usage.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code != EXIT_INTERNAL, err
    assert code in (0, 1, 2, 3, 4), (code, err)
    if code != 0:
        assert err.strip() or "fail" in out, "a failure says why"
