"""One error tree: every exception class lives in csp_commerce.errors and is in the README."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

import csp_commerce
from csp_commerce import errors
from csp_commerce.errors import (
    CSPCommerceError,
    PartnerCenterClientError,
    PartnerCenterError,
)

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def error_classes() -> dict[str, type[BaseException]]:
    return {
        name: obj
        for name, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    }


def test_no_module_outside_errors_defines_an_exception() -> None:
    defined_elsewhere = []
    package = Path(csp_commerce.__file__).parent
    for path in sorted(package.rglob("*.py")):
        if path.name == "errors.py" and path.parent == package:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id.endswith(("Error", "Exception"))
                for base in node.bases
            ):
                defined_elsewhere.append(f"{path.relative_to(package)}:{node.name}")
    assert defined_elsewhere == []


def test_every_class_is_exported_and_rooted_at_csp_commerce_error() -> None:
    classes = error_classes()
    assert sorted(name for name in errors.__all__ if name in classes) == sorted(classes)
    internal = {"RetrySignal"}  # the client's retry loop: never escapes it
    assert [
        n for n, c in classes.items() if n not in internal and not issubclass(c, CSPCommerceError)
    ] == []


def test_every_error_class_is_in_the_readme_table() -> None:
    match = re.search(r"<!-- errors:start -->(.*?)<!-- errors:end -->", README, re.S)
    assert match is not None, "README.md needs an error table between the errors markers"
    assert sorted(name for name in error_classes() if f"`{name}`" not in match.group(1)) == []


@pytest.mark.parametrize(
    "name",
    ["AppUserRequiredError", "OperationNotSupportedError", "CancellationWindowClosedError",
     "TokenAcquisitionError", "RefreshTokenExpiredError"],
)  # fmt: skip
def test_errors_raised_before_any_request_are_not_partner_centers(name: str) -> None:
    cls = error_classes()[name]
    assert issubclass(cls, PartnerCenterClientError)
    assert not issubclass(cls, PartnerCenterError)


def test_partner_center_errors_keep_code_and_ids() -> None:
    error = errors.NotFoundError(
        "no such customer", status_code=404, request_id="r-1", correlation_id="c-1", code=1000
    )
    assert isinstance(error, PartnerCenterError)
    assert (error.request_id, error.correlation_id, error.code) == ("r-1", "c-1", 1000)
    assert "request id r-1" in str(error) and "correlation id c-1" in str(error)
