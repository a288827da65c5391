"""The MCA evidence recorder plugin lives with the other plugins we ship, not in the store."""

from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path

import csp_commerce.store
from csp_commerce import AcceptanceSource, Contact, McaAcceptance
from csp_commerce.hooks.builtin.mca_evidence_hooks import McaEvidencePlugin
from csp_commerce.store import McaEvidenceLog


def accepted() -> McaAcceptance:
    return McaAcceptance(
        customer_reference="cust-1",
        template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
        contact=Contact(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@contoso.com",
            phone_number="+1 425 555 0100",
        ),
        accepted_at=datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc),
        source=AcceptanceSource.CUSTOMER,
        confirmed_by="ada@contoso.com",
    )


def test_the_plugin_appends() -> None:
    with McaEvidenceLog(":memory:") as log:
        McaEvidencePlugin(log).csp_record_mca_acceptance(accepted())
        assert len(log.entries()) == 1


def test_the_store_imports_nothing_from_hooks() -> None:
    package = Path(csp_commerce.store.__file__).parent
    offenders = []
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [
                f"{module.name}: {name}"
                for name in names
                if name == "csp_commerce.hooks" or name.startswith("csp_commerce.hooks.")
            ]
    assert offenders == []
    assert "McaEvidencePlugin" not in csp_commerce.store.__all__
