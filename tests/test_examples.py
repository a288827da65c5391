"""The examples work: the host integration runs, and the example plugin package takes effect
through the real ``csp_commerce`` entry point.

The plugin is "installed" the way pip leaves a package: a ``*.dist-info`` folder with its
``entry_points.txt`` (written from the example's own pyproject.toml) on ``sys.path``, next to
its ``src``. ``importlib.metadata`` then finds it, and pluggy's
``load_setuptools_entrypoints`` loads it exactly as an installed plugin; nothing is installed
into the environment.
"""

from __future__ import annotations

import re
import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from csp_commerce import (
    Address,
    Checkout,
    CheckoutFacts,
    CompanyProfile,
    Contact,
    Customer,
    HookManager,
    McaFacts,
    Offer,
    Order,
    OrderLine,
    TenantFacts,
)
from csp_commerce.hooks.manager import BLOCK_ENV
from csp_commerce.models.catalogue import CATALOGUE

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PLUGIN = EXAMPLES / "csp-commerce-example-plugin"


def read_project(path: Path) -> dict[str, Any]:
    """Name, version and entry points (by group) from a pyproject.toml (tomllib is 3.11+)."""
    text = path.read_text(encoding="utf-8")
    name = re.search(r'^name = "([^"]+)"', text, re.M)
    version = re.search(r'^version = "([^"]+)"', text, re.M)
    groups = {
        group: dict(re.findall(r'^([\w-]+) = "([^"]+)"', body, re.M))
        for group, body in re.findall(
            r'^\[project\.entry-points\."?([\w.]+)"?\]\n((?:[^\[\n].*\n?)*)', text, re.M
        )
    }
    assert name and version and "csp_commerce" in groups, "the example lost its entry point"
    return {"name": name[1], "version": version[1], "entry-points": groups}


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    project = read_project(PLUGIN / "pyproject.toml")
    dist_info = (
        tmp_path / "site" / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    )
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    (dist_info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in points.items())
            for group, points in project["entry-points"].items()
        ),
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(PLUGIN / "src"))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    monkeypatch.delenv(BLOCK_ENV, raising=False)
    codes_before = set(CATALOGUE)
    yield
    for name in [name for name in sys.modules if name.startswith("csp_commerce_example_plugin")]:
        del sys.modules[name]
    for code in set(CATALOGUE) - codes_before:
        del CATALOGUE[code]


def order(seats: int, email: str = "ada@contoso.com") -> Order:
    customer = Customer(
        reference="cust-1",
        company=CompanyProfile(company_name="Contoso", domain="contoso.onmicrosoft.com"),
        address=Address(
            country="US", state="WA", city="Redmond", postal_code="98052", address_line1="1 Way"
        ),
        contact=Contact(first_name="Ada", last_name="Lovelace", email=email),
    )
    offer = Offer(id="CFQ7TTC0LFLX:0002", product_id="CFQ7TTC0LFLX", name="Microsoft 365 E3")
    return Order(customer=customer, lines=(OrderLine(offer=offer, quantity=seats),))


FACTS = CheckoutFacts(mca=McaFacts(accepted=True), tenant=TenantFacts(domain_available=True))


@pytest.mark.usefixtures("installed_plugin")
def test_the_example_plugin_is_found_through_its_entry_point() -> None:
    manager = HookManager(builtins=False)
    assert manager.plugin_names() == ["example_rules"]
    implementers = {hook.name: hook.plugins for hook in manager.hooks()}
    assert implementers["csp_approve_order"] == ("example_rules",)
    assert implementers["csp_check_eligibility"] == ("example_rules",)


@pytest.mark.usefixtures("installed_plugin")
def test_its_approval_rule_overrides_the_built_in() -> None:
    checkout = Checkout()
    held = checkout.validate(order(300), FACTS)
    assert held.plan is not None and held.approval is not None
    assert not held.approval.approved
    assert held.approval.held_by == "sales-desk"
    small = checkout.validate(order(10), FACTS)
    assert small.ok and small.approval is not None
    assert small.approval.reason == "approved by default"  # the built-in answered


@pytest.mark.usefixtures("installed_plugin")
def test_its_blocked_domain_rule_is_collected_with_the_built_ins() -> None:
    result = Checkout().validate(order(10, email="temp@mailinator.com"), FACTS)
    assert [p.code for p in result.problems] == ["example.domain_blocked"]
    assert result.problems[0].field == "customer.contact.email"
    assert result.problems[0].params == {"domain": "mailinator.com"}


@pytest.mark.usefixtures("installed_plugin")
def test_blocking_the_plugin_turns_both_rules_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BLOCK_ENV, "example_rules")
    checkout = Checkout()
    assert checkout.validate(order(300), FACTS).ok
    assert checkout.validate(order(10, email="temp@mailinator.com"), FACTS).ok


def test_without_the_plugin_nothing_changes() -> None:
    checkout = Checkout(HookManager(entry_points=False))
    assert checkout.validate(order(300, email="temp@mailinator.com"), FACTS).ok


def test_the_host_integration_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "host_checkout.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "MCA acceptance recorded" in out
    assert "evidence log intact: True" in out
    assert "problem seats.customer_cap_exceeded" in out
    assert "problem tenant.needs_invitation" in out
    assert "invType=ResellerRelationship" in out
    assert "add_quantity on sub-business-monthly" in out
    assert "approval: approved" in out


@pytest.mark.usefixtures("installed_plugin")
def test_its_sub_command_joins_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    from csp_commerce.cli import main, plugin_commands

    assert plugin_commands() == {
        "example-approvals": (
            "csp_commerce_example_plugin.command",
            "(plugin command from csp-commerce-example-plugin)",
        )
    }
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "example-approvals" in capsys.readouterr().out
    assert main(["example-approvals", "-v"]) == 0  # global options reach plugin commands too
    assert "orders above 250 seats" in capsys.readouterr().out


def test_a_plugin_cannot_replace_a_built_in_command(
    installed_plugin: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from csp_commerce.cli import plugin_commands

    site = next(Path(p) for p in sys.path if p.endswith("site"))
    (dist_info,) = site.glob("*.dist-info")
    text = (dist_info / "entry_points.txt").read_text(encoding="utf-8")
    (dist_info / "entry_points.txt").write_text(
        text.replace("example-approvals =", "orders ="), encoding="utf-8"
    )
    assert "orders" not in plugin_commands()
