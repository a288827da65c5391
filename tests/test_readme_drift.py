"""The README documents every command and every Problem code the library can produce."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from csp_commerce.cli import build_parser
from csp_commerce.models.catalogue import LIBRARY_CODES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    parser = build_parser()
    (subparsers,) = (
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    return sorted(subparsers.choices)


def problem_codes() -> list[str]:
    return sorted(LIBRARY_CODES)  # the catalogue is declared in one package, no walk needed


_CODE = re.compile(r"`([a-z0-9_]+(?:\.[a-z0-9_]+)+)`")


def readme_problem_codes() -> set[str]:
    """The codes in the README's Problem-code table and its list of the operations' codes."""
    lines = README.splitlines()
    start = lines.index("### What the built-in rules check") + 1
    table = []
    for line in lines[start:]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            break
    operations = re.search(r"^Problem codes: .*?(?=\n\n)", README, re.MULTILINE | re.DOTALL)
    assert table and operations, "the README's Problem-code table or list moved"
    return set(_CODE.findall("\n".join(table))) | set(_CODE.findall(operations.group(0)))


def test_every_command_is_in_the_readme() -> None:
    names = commands()
    assert "demo" in names
    assert [name for name in names if f"`csp-commerce {name}" not in README] == []


def test_the_command_table_lists_each_action_once() -> None:
    seen: dict[tuple[str, str], int] = {}
    for row in README.splitlines():
        if row.startswith("| `csp-commerce "):
            words = row.split("`")[1].split()[1:3]
            actions = words[1].split("\\|") if len(words) > 1 else [""]
            for action in actions:
                seen[(words[0], action)] = seen.get((words[0], action), 0) + 1
    assert sorted(key for key, count in seen.items() if count > 1) == []


def test_every_problem_code_is_in_the_readme() -> None:
    codes = problem_codes()
    assert "postal_code.invalid" in codes
    assert [code for code in codes if f"`{code}`" not in README] == []


def test_the_readme_lists_exactly_the_library_codes() -> None:
    listed = readme_problem_codes()
    assert sorted(set(LIBRARY_CODES) - listed) == [], "codes missing from the README"
    assert sorted(listed - set(LIBRARY_CODES)) == [], "codes in the README the library lacks"


def test_the_problem_table_gives_each_codes_field_and_parameters() -> None:
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "scripts" / "render_problem_table.py"
    spec = importlib.util.spec_from_file_location("render_problem_table", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.rendered(README) == README, "run python scripts/render_problem_table.py"
    rows = {
        line.split(" | ")[0].strip("| `"): line.split(" | ")[2]
        for line in module.table().splitlines()[2:]
    }
    assert sorted(rows) == sorted(LIBRARY_CODES)
    assert rows["postal_code.state_mismatch"] == "`value`, `state`"
    assert rows["seats.customer_cap_exceeded"] == (
        "`cap`, `offer`, `existing`, `ordered`, `remaining`"
    )
