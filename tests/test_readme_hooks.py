"""The README's hook table matches the hook specifications: every hook, in order, with its
parameters, its kind (collected or firstresult) and its return type."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from csp_commerce.hooks import specs
from csp_commerce.hooks.manager import HookManager, spec_names

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- hooks:start -->", "<!-- hooks:end -->"


@dataclass(frozen=True)
class Row:
    name: str
    when: str
    kind: str
    returns: str
    #: the parameters written after the name, ``csp_plan_line(line, order, facts, settings)``
    params: tuple[str, ...] | None = None


def hook_table(text: str) -> list[Row]:
    """The rows of the table between the markers (header and separator left out)."""
    assert START in text and END in text, f"the README needs a hook table between {START} and {END}"
    block = text.split(START, 1)[1].split(END, 1)[0]
    rows = []
    for line in block.strip().splitlines():
        # split on pipes not escaped as \| (used inside `A \| None`)
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        if len(cells) != 4 or cells[0] == "Hook" or set(cells[0]) <= {"-", ":"}:
            continue
        name, params = signature(cells[0].strip("`"))
        rows.append(Row(name, cells[1], cells[2], cells[3].replace("\\|", "|"), params))
    return rows


def signature(text: str) -> tuple[str, tuple[str, ...] | None]:
    """``csp_x(a, b)`` -> ``("csp_x", ("a", "b"))``; a bare name has no parameters (None)."""
    match = re.fullmatch(r"(\w+)\((.*)\)", text)
    if match is None:
        return text, None
    return match[1], tuple(param.strip() for param in match[2].split(",") if param.strip())


def spec_params(name: str) -> tuple[str, ...]:
    return tuple(inspect.signature(getattr(specs, name)).parameters)


def check(rows: list[Row]) -> None:
    """Assert that ``rows`` document the specs exactly."""
    assert [row.name for row in rows] == spec_names()
    kinds = {
        hook.name: hook.firstresult
        for hook in HookManager(builtins=False, entry_points=False).hooks()
    }
    for row in rows:
        expected = "firstresult" if kinds[row.name] else "collected"
        assert row.kind.split()[0] == expected, f"{row.name}: the table says {row.kind!r}"
        assert row.when, f"{row.name}: say when it fires"
        assert row.params == spec_params(row.name), (
            f"{row.name}: the table should list the parameters {spec_params(row.name)}"
        )
        annotation = getattr(specs, row.name).__annotations__["return"]
        assert f"`{annotation}`" in row.returns, (
            f"{row.name}: the table should return `{annotation}`"
        )


def test_readme_hook_table_matches_the_specs() -> None:
    check(hook_table(README.read_text(encoding="utf-8")))


def test_the_check_catches_a_missing_hook_and_a_wrong_kind() -> None:
    rows = [
        Row(
            name,
            "at checkout",
            "firstresult" if firstresult else "collected",
            f"`{ret}`",
            spec_params(name),
        )
        for name, firstresult, ret in (
            (
                name,
                bool(getattr(specs, name).csp_commerce_spec.get("firstresult")),
                getattr(specs, name).__annotations__["return"],
            )
            for name in spec_names()
        )
    ]
    check(rows)  # a faithful table passes
    for broken in (
        rows[1:],
        [Row(r.name, r.when, "collected", r.returns, r.params) for r in rows],
        [Row(r.name, r.when, r.kind, "`object`", r.params) for r in rows],
        [Row(r.name, r.when, r.kind, r.returns) for r in rows],
        [Row(r.name, r.when, r.kind, r.returns, spec_params(r.name)[:-1] or None) for r in rows],
    ):
        with pytest.raises(AssertionError):
            check(broken)
