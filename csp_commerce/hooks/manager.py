"""The one typed facade over pluggy. Nothing else in csp_commerce touches ``pm.hook``."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy

from csp_commerce.errors import ConfigurationError, PluginError
from csp_commerce.hooks import NAME, specs
from csp_commerce.models import (
    ApprovalDecision,
    BillingOptions,
    LinePlan,
    Problem,
    TenantResolution,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from csp_commerce.models import (
        Address,
        CheckoutFacts,
        CheckoutPlan,
        CreatedTenant,
        McaAcceptance,
        Offer,
        Order,
        OrderLine,
        ProvisioningOutcome,
    )
    from csp_commerce.models.discovery import (
        DiscoveredCustomer,
        DiscoveredInvoice,
        DiscoveredSubscription,
    )
    from csp_commerce.models.events import WebhookEvent
    from csp_commerce.models.gdap import GdapRequested
    from csp_commerce.models.price import LinePrice
    from csp_commerce.models.settings import CheckoutSettings
    from csp_commerce.validation.postal import CountryRules

AnswerT = TypeVar("AnswerT")
log = logging.getLogger(__name__)

#: Our built-in plugins, registered (unless blocked) as ordinary plugins under these names.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "csp_commerce.hooks.builtin.address_hooks",
    "csp_commerce.hooks.builtin.eligibility_hooks",
    "csp_commerce.hooks.builtin.limits_hooks",
    "csp_commerce.hooks.builtin.coterm_hooks",
    "csp_commerce.hooks.builtin.promotion_hooks",
    "csp_commerce.hooks.builtin.billing_options_hooks",
    "csp_commerce.hooks.builtin.billing_plan_hooks",
    "csp_commerce.hooks.builtin.mca_hooks",
    "csp_commerce.hooks.builtin.reseller_hooks",
    "csp_commerce.hooks.builtin.tenancy_hooks",
    "csp_commerce.hooks.builtin.approval_hooks",
)

#: The name ``Checkout(mca_log=...)`` registers the evidence log's plugin under.
MCA_LOG_PLUGIN = "csp_commerce.mca_log"
#: The name ``Checkout(provisioner=...)`` registers Partner Center's country rules under (block
#: it to judge addresses by the offline rules only).
COUNTRY_RULES_PLUGIN = "csp_commerce.partner_center_country_rules"
#: The name the built-in event reactions (``operations.EventHandlers``) are registered under.
EVENT_HANDLERS_PLUGIN = "csp_commerce.event_handlers"
#: Every name our own plugins are registered under: a blocked ``csp_commerce.`` name that is
#: none of these is a misspelling.
LIBRARY_PLUGINS: tuple[str, ...] = (
    *BUILTIN_PLUGINS,
    MCA_LOG_PLUGIN,
    COUNTRY_RULES_PLUGIN,
    EVENT_HANDLERS_PLUGIN,
)

#: Comma-separated plugin names (entry-point names or built-in module names) not to load.
BLOCK_ENV = "CSP_COMMERCE_BLOCK_PLUGINS"


@dataclass(frozen=True)
class HookInfo:
    """One hook and the plugins implementing it, for ``csp-commerce hooks``."""

    name: str
    firstresult: bool
    plugins: tuple[str, ...]
    doc: str


class HookManager:
    """The plugins of one host, and one typed method per hook.

    ``builtins`` registers our default plugins; ``entry_points`` loads the ``csp_commerce``
    entry-point group; ``block`` (plus the ``CSP_COMMERCE_BLOCK_PLUGINS`` variable) names
    plugins never to load, built-in or not.
    """

    def __init__(
        self,
        *,
        builtins: bool = True,
        entry_points: bool = True,
        block: Iterable[str] = (),
        plugins: Iterable[object] = (),
    ) -> None:
        self._pm = _plugin_manager()
        blocked = set(block) | {
            name.strip() for name in os.environ.get(BLOCK_ENV, "").split(",") if name.strip()
        }
        for name in blocked:
            self._pm.set_blocked(name)
        if entry_points:
            self._pm.load_setuptools_entrypoints(NAME)
        if builtins:
            for module_name in BUILTIN_PLUGINS:
                if not self._pm.is_blocked(module_name):
                    self._pm.register(importlib.import_module(module_name), name=module_name)
        for plugin in plugins:
            self.register(plugin)
        self._pm.check_pending()
        self._check_blocked_names(blocked)

    def _check_blocked_names(self, blocked: set[str]) -> None:
        """Refuse a misspelled built-in and warn of a name no plugin has, so a block never
        silently does nothing; a host may still block a name it registers later."""
        unknown = blocked - set(LIBRARY_PLUGINS)
        if not unknown:  # nothing to look up: the installed plugins are not listed
            return
        builtin_like = sorted(name for name in unknown if name.startswith("csp_commerce."))
        if builtin_like:
            raise ConfigurationError(
                f"cannot block {', '.join(builtin_like)}: no such built-in plugin "
                f"(the built-ins: {', '.join(LIBRARY_PLUGINS)})"
            )
        known = {ep.name for ep in importlib.metadata.entry_points(group=NAME)}
        known.update(self.plugin_names())
        for name in sorted(unknown - known):
            log.warning("blocked plugin %r is neither a built-in nor an installed plugin", name)

    # -- registration ----------------------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register a plugin (a module or an object with hook implementations)."""
        registered = self._pm.register(plugin, name=name)
        self._pm.check_pending()
        return registered

    def unregister(self, name: str) -> None:
        """Remove the plugin registered under ``name``."""
        self._pm.unregister(name=name)

    def block(self, name: str) -> None:
        """Unregister ``name`` (if registered) and refuse to register it again."""
        self._pm.set_blocked(name)

    def with_plugins(self, plugins: Mapping[str, object]) -> HookManager:
        """A new manager: this one's blocked names and plugins, plus ``plugins`` by name.

        The plugins keep their names and registration order; one of ``plugins`` replaces a
        plugin registered under the same name, and a blocked name stays blocked (its plugin is
        not registered). This manager is left unchanged, so that several users of one manager
        (two checkouts with their own evidence logs) can each add their own plugins.
        """
        pm = _plugin_manager()
        for name, plugin in self._pm.list_name_plugin():
            if plugin is None:
                pm.set_blocked(name)
            elif name not in plugins:
                pm.register(plugin, name=name)
        for name, plugin in plugins.items():
            if not pm.is_blocked(name):
                pm.register(plugin, name=name)
        pm.check_pending()
        derived = HookManager.__new__(HookManager)
        derived._pm = pm
        return derived

    def plugin_names(self) -> list[str]:
        """The names of the registered plugins."""
        return sorted(name for name, plugin in self._pm.list_name_plugin() if plugin is not None)

    def hooks(self) -> list[HookInfo]:
        """Every hook, in specification order, with the plugins that implement it."""
        infos = []
        for name in spec_names():
            caller = getattr(self._pm.hook, name)
            opts = caller.spec.opts if caller.spec else {}
            infos.append(
                HookInfo(
                    name=name,
                    firstresult=bool(opts.get("firstresult")),
                    plugins=tuple(impl.plugin_name for impl in reversed(caller.get_hookimpls())),
                    doc=(caller.spec.function.__doc__ or "").strip() if caller.spec else "",
                )
            )
        return infos

    # -- typed hook calls ------------------------------------------------------------------

    def country_rules(self, country: str) -> CountryRules | None:
        """``csp_country_rules``: the postal rules of a country, or None if not accepted."""
        result: CountryRules | None = self._pm.hook.csp_country_rules(country=country)
        return result

    def validate_address(self, address: Address) -> list[Problem]:
        """``csp_validate_address`` under the country's rules (``csp_country_rules``)."""
        rules = self.country_rules(address.country.strip().upper())
        return _problems(
            "csp_validate_address", self._pm.hook.csp_validate_address(address=address, rules=rules)
        )

    def check_eligibility(
        self, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> list[Problem]:
        """``csp_check_eligibility``: every plugin's Problems."""
        return _problems(
            "csp_check_eligibility",
            self._pm.hook.csp_check_eligibility(order=order, facts=facts, settings=settings),
        )

    def check_subscription_limits(
        self, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> list[Problem]:
        """``csp_check_subscription_limits``: every plugin's Problems."""
        return _problems(
            "csp_check_subscription_limits",
            self._pm.hook.csp_check_subscription_limits(
                order=order, facts=facts, settings=settings
            ),
        )

    def check_promotions(
        self, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> list[Problem]:
        """``csp_check_promotions``: every plugin's warnings (they never stop an order)."""
        return _problems(
            "csp_check_promotions",
            self._pm.hook.csp_check_promotions(order=order, facts=facts, settings=settings),
        )

    def plan_line(
        self, line: OrderLine, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> LinePlan:
        """``csp_plan_line``: the first plugin's plan for ``line``."""
        return _required(
            "csp_plan_line",
            self._pm.hook.csp_plan_line(line=line, order=order, facts=facts, settings=settings),
            LinePlan,
        )

    def billing_options(self, offer: Offer, settings: CheckoutSettings) -> BillingOptions:
        """``csp_billing_options``: the billing cycles and terms ``offer`` may be bought with."""
        return _required(
            "csp_billing_options",
            self._pm.hook.csp_billing_options(offer=offer, settings=settings),
            BillingOptions,
        )

    def check_billing_line(
        self,
        line: OrderLine,
        index: int,
        order: Order,
        options: BillingOptions,
        settings: CheckoutSettings,
    ) -> list[Problem]:
        """``csp_check_billing_line``: the first plugin's Problems with ``line``'s billing."""
        return _answered_problems(
            "csp_check_billing_line",
            self._pm.hook.csp_check_billing_line(
                line=line, index=index, order=order, options=options, settings=settings
            ),
        )

    def check_billing_plan(
        self, line: OrderLine, index: int, order: Order, settings: CheckoutSettings
    ) -> list[Problem]:
        """``csp_check_billing_plan``: every plugin's Problems with ``line``'s billing plan."""
        return _problems(
            "csp_check_billing_plan",
            self._pm.hook.csp_check_billing_plan(
                line=line, index=index, order=order, settings=settings
            ),
        )

    def check_mca(
        self, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> list[Problem]:
        """``csp_check_mca``: every plugin's Problems."""
        return _problems(
            "csp_check_mca",
            self._pm.hook.csp_check_mca(order=order, facts=facts, settings=settings),
        )

    def check_mca_acceptance(self, acceptance: McaAcceptance) -> list[Problem]:
        """``csp_check_mca_acceptance``: the first plugin's Problems with ``acceptance``."""
        return _answered_problems(
            "csp_check_mca_acceptance",
            self._pm.hook.csp_check_mca_acceptance(acceptance=acceptance),
        )

    def record_mca_acceptance(self, acceptance: McaAcceptance) -> None:
        """``csp_record_mca_acceptance``: every plugin records the acceptance."""
        self._pm.hook.csp_record_mca_acceptance(acceptance=acceptance)

    def check_reseller(
        self, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> list[Problem]:
        """``csp_check_reseller``: every plugin's Problems."""
        return _problems(
            "csp_check_reseller",
            self._pm.hook.csp_check_reseller(order=order, facts=facts, settings=settings),
        )

    def resolve_tenant(
        self, order: Order, facts: CheckoutFacts, settings: CheckoutSettings
    ) -> TenantResolution:
        """``csp_resolve_tenant``: the first plugin's resolution."""
        return _required(
            "csp_resolve_tenant",
            self._pm.hook.csp_resolve_tenant(order=order, facts=facts, settings=settings),
            TenantResolution,
        )

    def approve_order(self, order: Order, plan: CheckoutPlan) -> ApprovalDecision:
        """``csp_approve_order``: the first plugin's decision."""
        return _required(
            "csp_approve_order",
            self._pm.hook.csp_approve_order(order=order, plan=plan),
            ApprovalDecision,
        )

    def tenant_created(self, order: Order, tenant: CreatedTenant) -> None:
        """``csp_tenant_created``: hand every plugin the new tenant and its first admin."""
        self._pm.hook.csp_tenant_created(order=order, tenant=tenant)

    def order_provisioned(self, order: Order, outcome: ProvisioningOutcome) -> None:
        """``csp_order_provisioned``: tell every plugin the order is provisioned."""
        self._pm.hook.csp_order_provisioned(order=order, outcome=outcome)

    def order_waiting(self, order: Order, url: str) -> None:
        """``csp_order_waiting``: the order waits for its tenant's reseller relationship."""
        self._pm.hook.csp_order_waiting(order=order, url=url)

    def order_failed(self, order: Order, outcome: ProvisioningOutcome) -> None:
        """``csp_order_failed``: tell every plugin the order failed."""
        self._pm.hook.csp_order_failed(order=order, outcome=outcome)

    def price_line(self, line: OrderLine, order: Order) -> LinePrice | None:
        """``csp_price_line``: the first plugin's price for ``line``, or None if none priced it."""
        from csp_commerce.models.price import LinePrice

        result = self._pm.hook.csp_price_line(line=line, order=order)
        if result is not None and not isinstance(result, LinePrice):
            raise PluginError(
                f"csp_price_line returned {type(result).__name__}, expected LinePrice"
            )
        return result

    # -- discovery -------------------------------------------------------------------------

    def discovered_customer(self, customer: DiscoveredCustomer) -> None:
        """``csp_discovered_customer``: tell every plugin about a new or changed customer."""
        self._pm.hook.csp_discovered_customer(customer=customer)

    def discovered_subscription(self, subscription: DiscoveredSubscription) -> None:
        """``csp_discovered_subscription``: a new or changed subscription."""
        self._pm.hook.csp_discovered_subscription(subscription=subscription)

    def discovered_invoice(self, invoice: DiscoveredInvoice) -> None:
        """``csp_discovered_invoice``: a new or changed invoice, with its line items."""
        self._pm.hook.csp_discovered_invoice(invoice=invoice)

    # -- webhook events --------------------------------------------------------------------

    def event_received(self, event: WebhookEvent) -> None:
        """``csp_event_received``: a verified webhook event (any family)."""
        self._pm.hook.csp_event_received(event=event)

    def subscription_event(self, event: WebhookEvent) -> None:
        """``csp_subscription_event``: a verified event of the subscription family."""
        self._pm.hook.csp_subscription_event(event=event)

    def relationship_event(self, event: WebhookEvent) -> None:
        """``csp_relationship_event``: a verified event of the relationship family."""
        self._pm.hook.csp_relationship_event(event=event)

    def gdap_requested(self, order: Order, request: GdapRequested) -> None:
        """``csp_gdap_requested``: the GDAP template asked of an order's new tenant."""
        self._pm.hook.csp_gdap_requested(order=order, request=request)

    def gdap_event(self, event: WebhookEvent) -> None:
        """``csp_gdap_event``: a verified event of the gdap family."""
        self._pm.hook.csp_gdap_event(event=event)

    def invoice_event(self, event: WebhookEvent) -> None:
        """``csp_invoice_event``: a verified event of the invoice family."""
        self._pm.hook.csp_invoice_event(event=event)

    def referral_event(self, event: WebhookEvent) -> None:
        """``csp_referral_event``: a verified event of the referral family."""
        self._pm.hook.csp_referral_event(event=event)

    def usage_event(self, event: WebhookEvent) -> None:
        """``csp_usage_event``: a verified event of the usage family."""
        self._pm.hook.csp_usage_event(event=event)

    def fraud_event(self, event: WebhookEvent) -> None:
        """``csp_fraud_event``: a verified event of the fraud family."""
        self._pm.hook.csp_fraud_event(event=event)

    def dispatch_event(self, event: WebhookEvent) -> None:
        """``csp_event_received``, then the hook of ``event.family`` (none for the test event)."""
        self.event_received(event)
        family_hook = getattr(self, f"{event.family.value}_event", None)
        if family_hook is not None:
            family_hook(event)


def _plugin_manager() -> pluggy.PluginManager:
    """A pluggy manager with our hook specifications and no plugin."""
    pm = pluggy.PluginManager(NAME)
    pm.add_hookspecs(specs)
    return pm


def spec_names() -> list[str]:
    """The names of all hooks, in the order they are specified."""
    return [name for name in vars(specs) if name.startswith("csp_")]


def _problems(hook: str, results: Sequence[Any]) -> list[Problem]:
    problems: list[Problem] = []
    for result in results:
        if result is None:
            continue
        if isinstance(result, Problem):
            result = [result]
        for item in result:
            if not isinstance(item, Problem):
                raise PluginError(f"{hook} returned {type(item).__name__}, expected Problem")
            problems.append(item)
    return problems


def _answered_problems(hook: str, result: object) -> list[Problem]:
    """A firstresult hook's Problems: ``[]`` is an answer (no Problem), None is none."""
    if result is None:
        raise PluginError(f"no plugin answered {hook} (was the built-in blocked?)")
    if not isinstance(result, (Problem, list, tuple)):
        raise PluginError(f"{hook} returned {type(result).__name__}, expected a list of Problem")
    return _problems(hook, [result])


def _required(hook: str, result: object, kind: type[AnswerT]) -> AnswerT:
    if result is None:
        raise PluginError(f"no plugin answered {hook} (was the built-in blocked?)")
    if not isinstance(result, kind):
        raise PluginError(f"{hook} returned {type(result).__name__}, expected {kind.__name__}")
    return result
