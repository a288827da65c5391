"""The README documents every command and every Problem code the library can produce."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path

import csp_commerce
from csp_commerce.cli import build_parser
from csp_commerce.models.catalogue import CATALOGUE

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = (
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return sorted(subparsers.choices)


def problem_codes() -> list[str]:
    for module in pkgutil.walk_packages(csp_commerce.__path__, "csp_commerce."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)  # every module defines its Problems on import
    return sorted(CATALOGUE)


def test_every_command_is_in_the_readme() -> None:
    names = commands()
    assert "demo" in names
    assert [name for name in names if f"`csp-commerce {name}" not in README] == []


def test_every_problem_code_is_in_the_readme() -> None:
    codes = problem_codes()
    assert "postal_code.invalid" in codes
    assert [code for code in codes if f"`{code}`" not in README] == []
