"""The public API: every everyday name from the root, and ``import csp_commerce`` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import csp_commerce


def run(code: str) -> None:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_package_root_does_not_import_the_client_stack() -> None:
    run(
        "import sys, csp_commerce\n"
        "heavy = [m for m in ('httpx', 'msal', 'tenacity', 'babel', 'pycountry', 'sqlite3',\n"
        "         'csp_commerce.sandbox', 'csp_commerce.fulfilment', 'csp_commerce.store.ledger')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert csp_commerce.PartnerCenterClient.__name__ == 'PartnerCenterClient'\n"
        "assert 'msal' not in sys.modules  # msal only when a credential needs a token\n"
    )


@pytest.mark.parametrize("name", sorted(csp_commerce.__all__))
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(csp_commerce, name) is not None


def test_the_everyday_names_are_at_the_root() -> None:
    run(
        "from csp_commerce import (Checkout, CheckoutSettings, HookManager, hookimpl, Problem,\n"
        "    PartnerCenterClient, AsyncPartnerCenterClient, Ledger, McaEvidenceLog,\n"
        "    SubscriptionManager, UserManager, CSPCommerceError, Provisioner, Sandbox,\n"
        "    SandboxCredential, ClientSecretCredential, CertificateCredential,\n"
        "    RefreshTokenCredential, render_problem, RateLimitError, ProvisioningInterrupted)\n"
    )


def test_every_public_exception_is_at_the_root() -> None:
    from csp_commerce import errors

    internal = {"RetrySignal", "OutcomeUnknown", "StepFailed", "EmulatedError"}
    classes = [n for n in errors.__all__ if isinstance(getattr(errors, n), type)]
    missing = [n for n in classes if n not in internal and n not in csp_commerce.__all__]
    assert missing == [], "export these from csp_commerce too"


def test_root_functions_are_functions_not_their_modules() -> None:
    # csp_commerce.checkout.gather_facts is also a submodule's name: the root must give the
    # function, whichever was imported first.
    run(
        "import inspect, csp_commerce.checkout.gather_facts\n"
        "from csp_commerce import gather_facts, gather_facts_async, render_problem\n"
        "assert inspect.isfunction(gather_facts), gather_facts\n"
        "assert inspect.iscoroutinefunction(gather_facts_async), gather_facts_async\n"
        "assert inspect.isfunction(render_problem), render_problem\n"
    )


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = csp_commerce.NoSuchThing  # type: ignore[attr-defined]


def readme_python_imports() -> list[str]:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    statements = []
    for block in blocks:
        for match in re.finditer(r"^(from csp_commerce\S* import (?:\([^)]*\)|.*))", block, re.M):
            statements.append(match.group(1))
    return statements


def test_readme_examples_import_only_from_the_root_and_the_imports_work() -> None:
    statements = readme_python_imports()
    assert len(statements) >= 5
    assert [s for s in statements if not s.startswith("from csp_commerce import ")] == []
    run("\n".join(statements))
