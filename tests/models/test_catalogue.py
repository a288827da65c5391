"""The Problem catalogue is declared in one package and complete whatever was imported."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel import Locale

import csp_commerce
from csp_commerce.models.catalogue import CATALOGUE, LIBRARY_CODES, ProblemType, define

#: Modules that declared Problem codes before the catalogue was explicit; the fresh process below
#: refuses to import them, so their codes can only come from the catalogue itself.
RULE_MODULES = (
    "csp_commerce.validation.users_csv",
    "csp_commerce.validation.subscription_changes",
    "csp_commerce.validation.address_rules",
    "csp_commerce.operations.user_manager",
    "csp_commerce.operations.subscription_manager",
)

FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys

    for name in sys.argv[1:]:
        sys.modules[name] = None  # importing it now raises ImportError

    import csp_commerce
    from csp_commerce import Problem, render_problem
    from csp_commerce.models.catalogue import CATALOGUE

    def rendered(code, **params):
        problem = Problem(code=code, message="not from the catalogue", params=params)
        return render_problem(problem, "de_DE")

    json.dump(
        {
            "codes": sorted(CATALOGUE),
            "users_csv": rendered("users_csv.missing_column", column="Display name"),
            "subscription": rendered("subscription.deleted", subscription_id="sub-1"),
            "address": rendered("country.not_supported", country="DE"),
        },
        sys.stdout,
    )
    """
)


def test_a_bare_import_knows_every_library_code_and_renders_it() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, *RULE_MODULES],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["codes"] == sorted(LIBRARY_CODES)
    # The whole sentence is German (the shipped catalogue); a column keeps the header the file
    # needs.
    assert seen["users_csv"] == "Die CSV-Datei benötigt eine Spalte „Display name“."
    assert seen["subscription"] == (
        "Das Abonnement sub-1 ist gekündigt; es kann nicht mehr geändert werden."
    )
    germany = Locale.parse("de_DE").territories["DE"]
    assert seen["address"] == (
        f"An Kunden mit Sitz im Land „{germany}“ dürfen keine Microsoft-Clouddienste verkauft "
        "werden."
    )


def test_library_codes_are_unique_and_all_in_the_catalogue() -> None:
    assert len(LIBRARY_CODES) == len(set(LIBRARY_CODES))
    assert all(code in CATALOGUE for code in LIBRARY_CODES)
    for code in ("users_csv.empty", "licence.none_available", "pricing.annual_billing_only"):
        assert code in LIBRARY_CODES


def test_no_library_module_outside_the_catalogue_declares_a_problem_type() -> None:
    package = Path(csp_commerce.__file__).parent
    catalogue = package / "models" / "catalogue"
    declared_elsewhere = []
    for path in sorted(package.rglob("*.py")):
        if path.parent == catalogue:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("define", "ProblemType")
            ):
                declared_elsewhere.append(f"{path.relative_to(package)}:{node.lineno}")
    assert declared_elsewhere == []


def test_define_adds_a_host_code_and_accepts_the_same_definition_again() -> None:
    code = "host.test_code"
    try:
        kind = define(code, "email", "We do not sell to {domain}.")
        assert CATALOGUE[code] == kind
        assert define(code, "email", "We do not sell to {domain}.") == kind
        assert kind(domain="example.com").message == "We do not sell to example.com."
    finally:
        CATALOGUE.pop(code, None)


def test_define_of_an_existing_code_with_another_template_raises() -> None:
    known = CATALOGUE["country.required"]
    with pytest.raises(ValueError, match="already defined differently"):
        define("country.required", known.field, "Another template.")
    with pytest.raises(ValueError, match="already defined differently"):
        define("country.required", "another_field", known.template)
    assert CATALOGUE["country.required"] is known


def test_a_template_may_only_use_plain_fields() -> None:
    with pytest.raises(ValueError, match="plain"):
        ProblemType("host.bad_template", None, "{offer.name} is not plain.")
    assert "host.bad_template" not in CATALOGUE
