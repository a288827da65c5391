"""Every public error class of the client is documented in README.md's error table.

The table lives between ``<!-- errors:start -->`` and ``<!-- errors:end -->``.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from csp_commerce.errors import CSPCommerceError
from csp_commerce.provisioning import errors

README = Path(__file__).resolve().parents[2] / "README.md"


def public_error_classes() -> list[str]:
    return sorted(
        name
        for name, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, CSPCommerceError) and name in errors.__all__
    )


def test_every_public_error_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8") if README.exists() else ""
    match = re.search(r"<!-- errors:start -->(.*?)<!-- errors:end -->", text, re.S)
    if match is None:
        pytest.fail("README.md has no <!-- errors:start --> ... <!-- errors:end --> section")
    table = match.group(1)
    missing = [name for name in public_error_classes() if f"`{name}`" not in table]
    assert missing == []


def test_the_error_list_is_not_empty() -> None:
    assert "RateLimitError" in public_error_classes()
    assert len(public_error_classes()) == len(errors.__all__)
