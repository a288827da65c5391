"""Every exception class csp_commerce defines is documented in the README's error table."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import csp_commerce
from csp_commerce.errors import CSPCommerceError

README = Path(__file__).resolve().parents[1] / "README.md"


def all_error_classes() -> set[type[CSPCommerceError]]:
    for module in pkgutil.walk_packages(csp_commerce.__path__, "csp_commerce."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)
    found: set[type[CSPCommerceError]] = set()
    pending: list[type[CSPCommerceError]] = [CSPCommerceError]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("csp_commerce") and not cls.__name__.startswith("_"):
            found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_error_class_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- errors:start -->(.*?)<!-- errors:end -->", text, re.S)
    assert match is not None, "README.md needs an error table between the errors markers"
    missing = sorted(
        cls.__name__ for cls in all_error_classes() if f"`{cls.__name__}`" not in match.group(1)
    )
    assert missing == []


def test_the_walk_finds_errors_outside_the_client() -> None:
    names = {cls.__name__ for cls in all_error_classes()}
    assert {"ProvisioningInterrupted", "PricingError", "RateLimitError"} <= names
