"""The README's map and the package agree: every part is on the map, every mapped part exists."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib

import csp_commerce

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGE = Path(csp_commerce.__file__).parent


def mapped() -> set[str]:
    section = README.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    tree = re.search(r"```\ncsp_commerce/\n(.*?)```", section, re.S)
    assert tree is not None, "the Architecture section needs the csp_commerce/ tree"
    return {line.split()[0].rstrip("/") for line in tree.group(1).splitlines() if line.strip()}


def parts() -> set[str]:
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    modules = {p.name for p in PACKAGE.glob("*.py") if not p.name.startswith("_")}
    return folders | modules | {"__init__.py"}


def test_every_part_is_on_the_map_and_every_mapped_part_exists() -> None:
    assert mapped() == parts()


def test_every_part_but_the_command_is_a_source_of_a_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    sources = {m.split(".")[1] for c in contracts for m in c["source_modules"]}
    checked = {p.removesuffix(".py") for p in parts()} - {"__init__", "cli", "__main__"}
    assert checked - sources == set()
