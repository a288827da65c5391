"""HookManager.with_plugins: a new manager with more plugins; the original is left alone."""

from __future__ import annotations

import importlib

import pytest

from csp_commerce import HookManager, hookimpl
from csp_commerce.errors import ConfigurationError, PluginError
from csp_commerce.models import ApprovalDecision, CheckoutPlan, Order

APPROVAL = "csp_commerce.hooks.builtin.approval_hooks"


class Hold:
    def __init__(self, reason: str) -> None:
        self.reason = reason

    @hookimpl
    def csp_approve_order(self) -> ApprovalDecision:
        return ApprovalDecision(approved=False, reason=self.reason)


def approve(hooks: HookManager) -> ApprovalDecision:
    # Neither plugin looks at the order or the plan.
    return hooks.approve_order(Order.model_construct(), CheckoutPlan.model_construct())


def test_the_new_manager_has_the_plugins_and_the_original_is_unchanged() -> None:
    base = HookManager(entry_points=False)
    before = base.plugin_names()

    derived = base.with_plugins({"host.hold": Hold("first")})

    assert base.plugin_names() == before
    assert derived.plugin_names() == sorted([*before, "host.hold"])
    assert approve(base).approved
    assert approve(derived) == ApprovalDecision(approved=False, reason="first")


def test_a_plugin_of_the_same_name_is_replaced_in_the_new_manager_only() -> None:
    base = HookManager(entry_points=False).with_plugins({"host.hold": Hold("first")})

    derived = base.with_plugins({"host.hold": Hold("second")})

    assert approve(base).reason == "first"
    assert approve(derived).reason == "second"
    assert derived.plugin_names() == base.plugin_names()


def test_blocked_names_stay_blocked() -> None:
    base = HookManager(entry_points=False, block=[APPROVAL, "host.hold"])

    derived = base.with_plugins({"host.hold": Hold("never")})

    assert APPROVAL not in derived.plugin_names()
    assert "host.hold" not in derived.plugin_names()
    with pytest.raises(PluginError, match="csp_approve_order"):
        approve(derived)
    derived.register(importlib.import_module(APPROVAL), name=APPROVAL)  # refused: still blocked
    assert APPROVAL not in derived.plugin_names()


def test_a_check_answering_something_else_than_problems_is_a_plugin_error() -> None:
    from csp_commerce.models import McaAcceptance

    class Confused:
        @hookimpl
        def csp_check_mca_acceptance(self) -> object:
            return 42

    hooks = HookManager(entry_points=False, plugins=[Confused()])
    with pytest.raises(PluginError, match="csp_check_mca_acceptance returned int"):
        hooks.check_mca_acceptance(McaAcceptance.model_construct())


def test_a_misspelled_built_in_cannot_be_blocked() -> None:
    with pytest.raises(ConfigurationError, match=r"mca_hook\b.*no such built-in"):
        HookManager(entry_points=False, block=["csp_commerce.hooks.builtin.mca_hook"])


def test_a_misspelled_built_in_in_the_variable_is_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CSP_COMMERCE_BLOCK_PLUGINS", "csp_commerce.hooks.builtin.approvals_hooks")
    with pytest.raises(ConfigurationError, match="approvals_hooks"):
        HookManager(entry_points=False)


def test_blocking_a_name_no_plugin_has_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="csp_commerce.hooks.manager"):
        HookManager(entry_points=False, block=["exmaple_rules", APPROVAL])
    assert [r.getMessage() for r in caplog.records] == [
        "blocked plugin 'exmaple_rules' is neither a built-in nor an installed plugin"
    ]
