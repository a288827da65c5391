"""The storefront's pieces that need no browser: language choice, field checks, imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from csp_storefront import forms, i18n

PACKAGE = Path(__file__).resolve().parents[1] / "csp_storefront"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-CH, fr;q=0.9", "fr"),
        ("en;q=0.1, de;q=0.5", "de"),
        ("ja, xx", "en"),
        ("", "en"),
        ("de;q=0, fr;q=0.2", "fr"),
        ("de;q=oops, fr;q=0.2", "fr"),
    ],
)
def test_the_language_comes_from_accept_language(header: str, language: str) -> None:
    assert i18n.negotiate(header) == language


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "storefront.required"),
        ("   ", "storefront.required"),
        ("x" * 51, "storefront.too_long"),
        ("Ada\u0000", "storefront.control_characters"),
        ("Ada\u202e", "storefront.control_characters"),  # a bidi override (Cf)
        ("<script>alert(1)</script>", "storefront.markup_not_allowed"),
        ('"><img src=x onerror=alert(1)>', "storefront.markup_not_allowed"),
    ],
)
def test_every_bad_field_value_is_a_problem(value: str, code: str) -> None:
    found = forms.check_text("first_name", value, 50, True)
    assert found is not None
    assert (found.code, found.field) == (code, "first_name")
    assert forms.storefront_message(found, "de") != forms.storefront_message(found, "en")


def test_a_good_value_passes() -> None:
    assert forms.check_text("first_name", "Zoë O'Brien-Łukasz", 50, True) is None


def test_the_storefront_imports_only_the_package_root_of_csp_commerce() -> None:
    deep = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("csp_commerce."):
                deep.append(f"{path.name}: from {node.module} import ...")
            if isinstance(node, ast.Import):
                deep += [
                    f"{path.name}: import {a.name}" for a in node.names if "csp_commerce." in a.name
                ]
    assert deep == []
