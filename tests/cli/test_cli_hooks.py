"""``csp-commerce hooks`` lists the hooks and their plugins."""

from __future__ import annotations

import argparse
import json

import pytest

from csp_commerce.cli import hooks as hooks_command
from csp_commerce.hooks.manager import spec_names


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    hooks_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["hooks", *argv])
    code: int = args.func(args)
    return code


def test_text_lists_every_hook_with_its_kind_and_plugins(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("--no-entry-points") == 0
    out = capsys.readouterr().out
    for name in spec_names():
        assert name in out
    assert "csp_approve_order  (firstresult)" in out
    assert "csp_check_mca  (collected)" in out
    assert "- csp_commerce.hooks.builtin.limits_hooks  [built-in]" in out


def test_json_and_blocking(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run("--json", "--no-entry-points", "--block", "csp_commerce.hooks.builtin.approval_hooks")
        == 0
    )
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert list(rows) == spec_names()
    assert rows["csp_approve_order"]["firstresult"] is True
    assert rows["csp_approve_order"]["plugins"] == []
    assert rows["csp_plan_line"]["plugins"] == [
        {"name": "csp_commerce.hooks.builtin.limits_hooks", "builtin": True}
    ]
    assert rows["csp_check_eligibility"]["summary"]
