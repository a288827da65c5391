"""The checkout: judge an order by its facts through the hooks, and record MCA acceptances."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from csp_commerce.checkout.facts_cache import FactsCache
from csp_commerce.checkout.line_terms import with_line_terms, with_promotion
from csp_commerce.checkout.waiting import RELEASED_BY, note_waiting, resume_waiting
from csp_commerce.errors import (
    ConfigurationError,
    OrderBusyError,
    OrderNotHeldError,
    ProvisioningInterrupted,
    TargetMismatchError,
)
from csp_commerce.hooks.manager import COUNTRY_RULES_PLUGIN, MCA_LOG_PLUGIN, HookManager
from csp_commerce.models import (
    ApprovalDecision,
    CheckoutFacts,
    CheckoutPlan,
    CheckoutResult,
    LineAction,
    McaFacts,
    Order,
    Problem,
)
from csp_commerce.models.clouds import Cloud
from csp_commerce.models.settings import CheckoutSettings
from csp_commerce.store.approvals import ApprovalStatus

if TYPE_CHECKING:
    import threading

    from csp_commerce.fulfilment.order_saga import AsyncProvisioner, Provisioner
    from csp_commerce.fulfilment.program import Program
    from csp_commerce.fulfilment.work_queue import WorkSummary
    from csp_commerce.hooks.builtin.pc_country_rules_hooks import PartnerCenterCountryRules
    from csp_commerce.models import (
        BillingOptions,
        LinePlan,
        McaAcceptance,
        Offer,
        OrderLine,
        ProvisioningOutcome,
    )
    from csp_commerce.store.approvals import HeldOrder
    from csp_commerce.store.mca_log import McaEvidenceLog

logger = logging.getLogger(__name__)

_NO_FACTS = CheckoutFacts()
_PLACED_BEFORE = ApprovalDecision(approved=True, reason="placed before: the ledger's record")


class Checkout:
    """The host's entry point: ``validate`` an order against its facts, and get every Problem at
    once or the plan of what to provision.

    ``hooks`` defaults to a :class:`HookManager` with our built-ins and the installed plugins;
    ``settings`` to :class:`CheckoutSettings` defaults. ``mca_log``, if given, records every MCA
    acceptance (its plugin is added as ``csp_commerce.mca_log``) and answers
    :meth:`mca_facts`. ``provisioner`` (a :class:`~csp_commerce.fulfilment.Provisioner`) lets
    :meth:`place` and :meth:`resume` provision approved orders through Partner Center, and makes
    Partner Center's own ``countryvalidationrules`` (cached per country, added as
    ``csp_commerce.partner_center_country_rules`` unless ``hooks`` has or blocks that name)
    override the offline address rules. ``facts_cache`` (default: a new
    :class:`~csp_commerce.checkout.facts_cache.FactsCache`) keeps an indirect reseller's facts
    for the next orders of a batch: :meth:`place` gathers facts with it, and a host gathering
    them itself passes ``cache=checkout.facts_cache`` to ``gather_facts``.

    With a provisioner, an order ``csp_approve_order`` holds is kept in the ledger's approval
    queue by :meth:`place`: :meth:`held_orders` lists it, :meth:`approve` places it and
    :meth:`reject` refuses it for good.

    ``hooks`` itself is never changed: when the checkout adds a plugin, :attr:`hooks` is a copy of
    it with that plugin (:meth:`HookManager.with_plugins`), so checkouts sharing one manager keep
    their evidence logs apart. Register the host's plugins before making the checkout.
    """

    def __init__(
        self,
        hooks: HookManager | None = None,
        settings: CheckoutSettings | None = None,
        mca_log: McaEvidenceLog | None = None,
        provisioner: Provisioner | AsyncProvisioner | None = None,
        facts_cache: FactsCache | None = None,
    ) -> None:
        given = hooks if hooks is not None else HookManager()
        self.facts_cache = facts_cache if facts_cache is not None else FactsCache()
        self.settings = _settings_for(settings, provisioner)
        self.mca_log = mca_log
        self.provisioner = provisioner
        added: dict[str, object] = {}
        #: The Partner Center country rules this checkout added (an async client's are
        #: fetched before judging: hooks cannot await).
        self.country_rules: PartnerCenterCountryRules | None = None
        if provisioner is not None and COUNTRY_RULES_PLUGIN not in given.plugin_names():
            from csp_commerce.hooks.builtin.pc_country_rules_hooks import PartnerCenterCountryRules

            self.country_rules = PartnerCenterCountryRules(provisioner.client)
            added[COUNTRY_RULES_PLUGIN] = self.country_rules
        if mca_log is not None:
            from csp_commerce.hooks.builtin.mca_evidence_hooks import McaEvidencePlugin

            added[MCA_LOG_PLUGIN] = McaEvidencePlugin(mca_log)
        # Never change the manager we were given: another checkout may share it.
        self.hooks = given.with_plugins(added) if added else given

    def validate(self, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
        """Judge ``order`` by ``facts``: all Problems together, or the plan and its approval.

        Every rule runs, whatever the others found, so a storefront can show every message at
        once. The plan is made (``csp_plan_line``) and approved (``csp_approve_order``) only for
        an order without Problems.
        """
        return self._judge(order, facts if facts is not None else _NO_FACTS)

    def _judge(
        self, order: Order, facts: CheckoutFacts, decision: ApprovalDecision | None = None
    ) -> CheckoutResult:
        """:meth:`validate`; with ``decision`` (a person's approval) instead of the hook's."""
        hooks, settings = self.hooks, self.settings
        problems: list[Problem] = [
            _within(problem, "customer.address")
            for problem in hooks.validate_address(order.customer.address)
        ]
        for index, line in enumerate(order.lines):
            options = hooks.billing_options(line.offer, settings)
            problems += hooks.check_billing_line(line, index, order, options, settings)
            problems += hooks.check_billing_plan(line, index, order, settings)
        problems += hooks.check_eligibility(order, facts, settings)
        problems += hooks.check_subscription_limits(order, facts, settings)
        problems += hooks.check_mca(order, facts, settings)
        problems += hooks.check_reseller(order, facts, settings)
        tenant = hooks.resolve_tenant(order, facts, settings)
        problems += tenant.problems
        warnings = tuple(hooks.check_promotions(order, facts, settings))
        if problems:
            return CheckoutResult(order_id=order.id, problems=tuple(problems), warnings=warnings)
        plan = CheckoutPlan(
            order_id=order.id,
            tenant=tenant,
            lines=tuple(
                with_line_terms(
                    _with_end_of_term(
                        hooks.plan_line(line, order, facts, settings), line, settings
                    ),
                    line,
                    facts,
                )
                for line in order.lines
            ),
        )
        approval = decision if decision is not None else hooks.approve_order(order, plan)
        prices = tuple(
            with_promotion(hooks.price_line(line, order), line, facts) for line in order.lines
        )
        return CheckoutResult(
            order_id=order.id,
            plan=plan,
            approval=approval,
            prices=prices if any(price is not None for price in prices) else (),
            warnings=warnings,
        )

    def place(self, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
        """Validate ``order`` and, when it has no Problems and is approved, provision it.

        ``facts`` default to what Partner Center says (``gather_facts``, with
        :attr:`facts_cache`); an MCA acceptance in
        the evidence log counts even before Partner Center has been told of it.

        The result carries the Problems (nothing is sent to Partner Center), or the plan, its
        approval and, for an approved plan, the provisioning ``outcome``. An order id the
        ledger already holds answers with its recorded plan and outcome, without judging or
        buying anything again (a half-placed one is finished first). The MCA
        acceptance confirmed to Partner Center is the evidence log's latest for the customer.
        Raises :class:`~csp_commerce.fulfilment.order_saga.ProvisioningInterrupted` when Partner
        Center's answer is still unknown after every retry (then :meth:`resume`).
        """
        provisioner = self._blocking()
        return provisioner.engine.run(self._placing(provisioner, order, facts))

    def _placing(
        self,
        provisioner: Provisioner | AsyncProvisioner,
        order: Order,
        facts: CheckoutFacts | None,
    ) -> Program[CheckoutResult]:
        """:meth:`place` as a program, for either provisioner."""
        recorded = yield from provisioner.recording(order.id)
        if recorded is not None:
            # Placed (or begun) before: judging it again against today's facts would only
            # find its own subscriptions; answer with what the ledger holds.
            plan, outcome = recorded
            return CheckoutResult(
                order_id=order.id,
                plan=plan,
                approval=_PLACED_BEFORE,
                outcome=outcome,
            )
        held = provisioner.ledger.approvals.get(order.id)
        if held is not None and held.target != provisioner.target:
            raise TargetMismatchError(
                f"order {order.id} was held for approval against another Partner Center"
            )
        if held is not None and held.status in (ApprovalStatus.HELD, ApprovalStatus.REJECTED):
            return _waiting(held)  # held or rejected: a person decides, not a second attempt
        approved = held is not None and held.status is ApprovalStatus.APPROVED
        decision = _approval_of(held) if held is not None and approved else None
        return (yield from self._place(provisioner, order, facts, decision))

    def _place(
        self,
        provisioner: Provisioner | AsyncProvisioner,
        order: Order,
        facts: CheckoutFacts | None,
        decision: ApprovalDecision | None,
        *,
        queue: bool = False,
    ) -> Program[CheckoutResult]:
        """Gather facts, judge (by ``decision`` when a person approved), hold or provision
        (``queue``: record it pending, for a worker)."""
        facts = yield self._facts(provisioner, order, facts)
        assert facts is not None
        partner_center_has_mca = facts.mca.on_record
        if self.mca_log is not None and not facts.mca.accepted:
            # Our evidence log counts before Partner Center hears of it: placing confirms it.
            logged = self.mca_facts(order.customer.reference)
            if logged.accepted:
                facts = facts.model_copy(update={"mca": logged})
        result = self._judge(order, facts, decision)
        approvals = provisioner.ledger.approvals
        if result.problems and decision is not None:
            # Approved, but today's facts refuse it: back to the queue, saying why.
            codes = ", ".join(problem.code for problem in result.problems)
            approvals.hold_again(order.id, f"approved, but it has Problems now: {codes}")
            return result
        if result.problems:  # only the relationship missing: kept waiting for it
            note_waiting(self.hooks, approvals, provisioner.target, order, result.problems)
        if result.plan is None or result.approval is None:
            return result
        if not result.approval.approved:
            approvals.hold(
                order.id,
                order.customer.reference,
                order.model_dump_json(),
                target=provisioner.target,
                reason=result.approval.reason,
                held_by=result.approval.held_by,
            )
            return result
        approvals.release(order.id, by=RELEASED_BY)  # a waiting order: placed from now on
        acceptance = None
        if self.mca_log is not None and not partner_center_has_mca:
            # Confirmed only when Partner Center does not have it yet: one request less.
            entry = self.mca_log.latest(order.customer.reference)
            acceptance = entry.acceptance if entry is not None else None
        if queue:
            provisioner.submit(order, result.plan, mca=acceptance)
            return result
        outcome = yield from provisioner.placing(order, result.plan, acceptance)
        return result.model_copy(update={"outcome": outcome})

    def _facts(
        self,
        provisioner: Provisioner | AsyncProvisioner,
        order: Order,
        facts: CheckoutFacts | None,
    ) -> Any:
        """What :meth:`_place` yields for the facts (``facts``, or gathered from Partner
        Center with :attr:`facts_cache`): them, from a sync client; from an async one, an
        awaitable of them that also fetches the order's country rules (hooks cannot await)."""
        from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient

        if isinstance(provisioner.client, AsyncPartnerCenterClient):
            from csp_commerce.checkout.async_checkout import facts_async

            return facts_async(self, provisioner.client, order, facts)
        if facts is not None:
            return facts
        from csp_commerce.checkout.gather_facts import gather_facts

        return gather_facts(provisioner.client, order, cache=self.facts_cache)

    def submit(self, order: Order, facts: CheckoutFacts | None = None) -> CheckoutResult:
        """Validate ``order`` as :meth:`place` does and, approved, record it as pending in the
        ledger for a worker (:meth:`work`, ``csp-commerce worker``) to place; nothing is
        bought here. See :mod:`csp_commerce.checkout.work`."""
        from csp_commerce.checkout.work import submit

        return submit(self, order, facts)

    def work(
        self,
        *,
        stop: threading.Event | None = None,
        max_orders: int | None = None,
        until_idle: bool = False,
        poll_interval: float = 1.0,
        lease_seconds: float | None = None,
        retry_after: float = 30.0,
    ) -> WorkSummary:
        """Claim and place submitted orders, one at a time, until ``stop`` is set (the step in
        flight finishes first), ``max_orders`` were claimed, or (``until_idle``) nothing is
        left to claim. Also finishes orders a dead worker left (once its ``lease_seconds`` ran
        out; default: the provisioner's), places approved orders a dead process never placed,
        and retries failed host notifications. An order whose outcome is still unknown is
        claimed again ``retry_after`` seconds later. See :mod:`csp_commerce.checkout.work`."""
        from csp_commerce.checkout.work import work

        return work(
            self,
            stop=stop,
            max_orders=max_orders,
            until_idle=until_idle,
            poll_interval=poll_interval,
            lease_seconds=lease_seconds,
            retry_after=retry_after,
        )

    def resume(self) -> list[ProvisioningOutcome]:
        """Finish every order a dead or interrupted process left half placed, and place every
        order approved whose placement a dead process never began."""
        provisioner = self._blocking()
        return provisioner.engine.run(self._resuming(provisioner))

    def _resuming(
        self, provisioner: Provisioner | AsyncProvisioner
    ) -> Program[list[ProvisioningOutcome]]:
        """:meth:`resume` as a program, for either provisioner."""
        outcomes = []
        for held in provisioner.ledger.approvals.approved_unplaced(provisioner.target):
            order = Order.model_validate_json(held.order_json)
            try:
                result = yield from self._place(provisioner, order, None, _approval_of(held))
            except (OrderBusyError, ProvisioningInterrupted) as stopped:
                # Another worker has it, or Partner Center's answer is still unknown: the
                # ledger keeps it for the next resume, as provisioner.resume does.
                logger.warning("approved order %s is still unplaced: %s", order.id, stopped)
                continue
            if result.outcome is not None:
                outcomes.append(result.outcome)
        return outcomes + (yield from provisioner.resuming())

    def resume_waiting(self, tenant_id: str | None = None) -> list[CheckoutResult]:
        """Place the orders waiting for ``tenant_id``'s reseller relationship (every tenant's
        when None) now that it may be accepted: see :func:`~csp_commerce.checkout.waiting.
        resume_waiting`. The ``reseller-relationship-accepted-by-customer`` event calls it."""
        return resume_waiting(self, tenant_id)

    # -- orders held for approval ---------------------------------------------------------------

    def held_orders(self, status: ApprovalStatus | None = ApprovalStatus.HELD) -> list[HeldOrder]:
        """The orders ``csp_approve_order`` held, oldest first: those waiting for a person by
        default, those of another status, or all (``status=None``)."""
        provisioner = self._provisioner()
        return provisioner.ledger.approvals.all(status, target=provisioner.target)

    def approve(self, order_id: str, *, by: str | None = None) -> CheckoutResult:
        """Release an order held for approval: judge it again by today's facts (a person's
        approval instead of the hook's) and place it through the step engine.

        The approval is written down before anything is sent, so a process that dies between
        the two leaves the order for :meth:`resume` (or another ``approve``), which places it
        once. Approving an order already approved returns its placement's result. When today's
        facts give Problems, nothing is placed: the order is held again (with the codes as the
        reason) and the result carries them. Raises :class:`OrderNotHeldError` for an order
        never held here or already rejected.
        """
        provisioner = self._blocking()
        return provisioner.engine.run(self._approving(provisioner, order_id, by))

    def _approving(
        self, provisioner: Provisioner | AsyncProvisioner, order_id: str, by: str | None
    ) -> Program[CheckoutResult]:
        """:meth:`approve` as a program, for either provisioner."""
        approvals = provisioner.ledger.approvals
        decided = approvals.decide(
            order_id, ApprovalStatus.APPROVED, target=provisioner.target, by=by
        )
        if decided is None:
            raise OrderNotHeldError(f"order {order_id!r} is not held for approval")
        if decided.status is ApprovalStatus.REJECTED:
            raise OrderNotHeldError(
                f"order {order_id!r} was rejected ({decided.decision_reason}); it cannot be "
                "approved"
            )
        order = Order.model_validate_json(decided.order_json)
        return (yield from self._placing(provisioner, order, None))

    def reject(self, order_id: str, reason: str, *, by: str | None = None) -> HeldOrder:
        """Refuse an order held for approval: it is never placed (placing it again answers
        with the rejection). Rejecting it again returns the first rejection. Raises
        :class:`OrderNotHeldError` for an order never held here or already approved."""
        provisioner = self._provisioner()
        decided = provisioner.ledger.approvals.decide(
            order_id, ApprovalStatus.REJECTED, target=provisioner.target, by=by, reason=reason
        )
        if decided is None:
            raise OrderNotHeldError(f"order {order_id!r} is not held for approval")
        if decided.status is ApprovalStatus.APPROVED:
            raise OrderNotHeldError(f"order {order_id!r} was approved; it cannot be rejected")
        return decided

    def _provisioner(self) -> Provisioner | AsyncProvisioner:
        if self.provisioner is None:
            raise ConfigurationError(
                "no provisioner: pass provisioner=Provisioner(client, ledger, hooks) to Checkout"
            )
        return self.provisioner

    def _blocking(self) -> Provisioner:
        """The provisioner, refused when it is an async one (its calls must be awaited)."""
        from csp_commerce.fulfilment.order_saga import Provisioner

        provisioner = self._provisioner()
        if not isinstance(provisioner, Provisioner):
            raise ConfigurationError(
                "an AsyncProvisioner is awaited: use AsyncCheckout for place, resume and approve"
            )
        return provisioner

    def billing_options(self, offer: Offer) -> BillingOptions:
        """The billing cycles and terms ``offer`` may be bought with (for the storefront's form)."""
        return self.hooks.billing_options(offer, self.settings)

    def record_mca_acceptance(self, acceptance: McaAcceptance) -> list[Problem]:
        """Record that the customer accepted the MCA: every ``csp_record_mca_acceptance`` runs.

        Returns the Problems that keep ``acceptance`` from being valid evidence
        (``csp_check_mca_acceptance``; the built-in: a missing phone number, a reseller's
        confirmation without the reseller); nothing is recorded then.
        Raises :class:`ConfigurationError` when no plugin records acceptances (pass ``mca_log``).
        """
        problems = self.hooks.check_mca_acceptance(acceptance)
        if problems:
            return problems
        recorders = next(
            info.plugins for info in self.hooks.hooks() if info.name == "csp_record_mca_acceptance"
        )
        if not recorders:
            raise ConfigurationError(
                "no plugin records MCA acceptances: pass mca_log=McaEvidenceLog(path) to Checkout"
            )
        self.hooks.record_mca_acceptance(acceptance)
        return []

    def mca_facts(self, customer_reference: str) -> McaFacts:
        """The MCA facts for a customer, from the evidence log's latest entry."""
        if self.mca_log is None:
            raise ConfigurationError("no MCA evidence log: pass mca_log=McaEvidenceLog(path)")
        entry = self.mca_log.latest(customer_reference)
        if entry is None:
            return McaFacts()
        return McaFacts(accepted=True, acceptance=entry.acceptance)


def _settings_for(
    settings: CheckoutSettings | None, provisioner: Provisioner | AsyncProvisioner | None
) -> CheckoutSettings:
    """The settings, judging orders for the cloud the provisioner's client talks to."""
    cloud = _cloud_of(provisioner.client.cloud) if provisioner is not None else None
    if settings is None:
        return CheckoutSettings() if cloud is None else CheckoutSettings(cloud=cloud)
    if cloud is not None and settings.cloud is not cloud:
        raise ConfigurationError(
            f"the checkout judges orders for the {settings.cloud.value} cloud but the "
            f"provisioner's client talks to the {cloud.value} cloud"
        )
    return settings


def _cloud_of(value: object) -> Cloud | None:
    try:
        return Cloud(value)
    except ValueError:
        return None  # custom endpoints: the host's settings say which rules apply


def _approval_of(held: HeldOrder) -> ApprovalDecision:
    """A person's approval of a held order, as the checkout result shows it."""
    by = f" by {held.decided_by}" if held.decided_by else ""
    return ApprovalDecision(approved=True, reason=f"approved{by}", held_by=held.held_by)


def _waiting(held: HeldOrder) -> CheckoutResult:
    """The answer for an order still held, or rejected: not approved, nothing placed."""
    if held.status is ApprovalStatus.REJECTED:
        by = f" by {held.decided_by}" if held.decided_by else ""
        reason = f"rejected{by}: {held.decision_reason}"
    else:
        reason = held.decision_reason or held.held_reason or "held for approval"
    decision = ApprovalDecision(approved=False, reason=reason, held_by=held.held_by)
    return CheckoutResult(order_id=held.order_id, approval=decision)


def _with_end_of_term(plan: LinePlan, line: OrderLine, settings: CheckoutSettings) -> LinePlan:
    """The line's end-of-term action (its own, else the settings' default) on every new
    subscription; seats added to an existing one leave its choice alone."""
    if plan.action is LineAction.ADD_QUANTITY or plan.end_of_term is not None:
        return plan
    return plan.model_copy(update={"end_of_term": line.end_of_term or settings.end_of_term})


def _within(problem: Problem, prefix: str) -> Problem:
    field = f"{prefix}.{problem.field}" if problem.field else prefix
    return problem.model_copy(update={"field": field})
