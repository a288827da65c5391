"""The order saga: a checked plan becomes Partner Center purchases, exactly once.

Each step (create the tenant, confirm the MCA, buy the cart, set seats, and every undo) goes
through the :class:`~csp_commerce.fulfilment.engine.StepEngine`: recorded with its
``MS-RequestId`` before the first request, re-sent with the same id when its outcome is
unknown, read back only when Partner Center refuses the repeat. A step that fails for good
undoes the steps before it (cancels what was bought, takes back added seats) and the host is
told, through ``csp_order_provisioned`` or ``csp_order_failed``.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import TYPE_CHECKING, Any, Generic, cast

from pydantic import SecretStr

from csp_commerce.errors import (
    ConflictError,
    LeaseLostError,
    NotFoundError,
    OrderBusyError,
    OutcomeUnknown,
    ProvisioningInterrupted,
    StepFailed,
)
from csp_commerce.fulfilment.actions import (
    purchase,
    set_end_of_term,
    set_quantity,
    update_subscription,
)
from csp_commerce.fulfilment.engine import UNKNOWN, ClientT, StepEngine, failure
from csp_commerce.fulfilment.gdap_actions import request_gdap_for_order
from csp_commerce.models import (
    CheckoutPlan,
    CreatedTenant,
    FailureDetail,
    LineAction,
    LineOutcome,
    LinePlan,
    McaAcceptance,
    Order,
    OutcomeStatus,
    ProvisioningOutcome,
    TenantAction,
)
from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
from csp_commerce.provisioning.client import PartnerCenterClient
from csp_commerce.provisioning.wire import (
    CustomerBillingProfile,
    PCAddress,
    PrimaryContact,
)
from csp_commerce.store.ledger import OrderRecord, OrderStatus, Step, StepStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from csp_commerce.fulfilment.program import Program
    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.models.gdap import GdapTemplate
    from csp_commerce.provisioning.wire import PCCustomer
    from csp_commerce.store.ledger import Ledger

logger = logging.getLogger(__name__)

_FINISHED = (OrderStatus.PLACED, OrderStatus.FAILED)


class _Provisioning(Generic[ClientT]):
    """What :class:`Provisioner` and :class:`AsyncProvisioner` share: the ledger, the hooks, the
    step engine over their client, and the saga, written once as programs that either runs."""

    def __init__(
        self,
        client: ClientT,
        ledger: Ledger,
        hooks: HookManager,
        *,
        owner: str | None = None,
        lease_seconds: float = 300.0,
        lock_wait: float = 30.0,
        gdap_template: GdapTemplate | None = None,
        enable_gdap_by_default: bool | None = None,
    ) -> None:
        self.gdap_template = gdap_template
        self.enable_gdap_by_default = enable_gdap_by_default
        self.client = client
        self.ledger = ledger
        self.hooks = hooks
        self.engine = StepEngine(
            client, ledger, owner=owner, lease_seconds=lease_seconds, lock_wait=lock_wait
        )
        self.owner = self.engine.owner
        self.lease_seconds = lease_seconds

    @property
    def target(self) -> str:
        """The Partner Center this provisioner changes things in (see ``target_of``)."""
        return self.engine.target

    # -- the programs the public methods run ----------------------------------------------------

    def placing(
        self, order: Order, plan: CheckoutPlan, mca: McaAcceptance | None = None
    ) -> Program[ProvisioningOutcome]:
        """``place`` as a program (see :meth:`Provisioner.place`)."""
        record, new = self._record(order, plan, mca, owner=self.owner)
        return (yield from self._run(record, taken=new))

    def submit(
        self, order: Order, plan: CheckoutPlan, *, mca: McaAcceptance | None = None
    ) -> OrderRecord:
        """Record ``plan`` for ``order`` as pending, for a worker to place (nothing is sent).
        Submitting an order already recorded returns its record untouched."""
        record, _ = self._record(order, plan, mca, owner=None)
        return record

    def running_claimed(self, order_id: str) -> Program[ProvisioningOutcome]:
        """Place (or finish) an order whose lease this provisioner's owner has just claimed
        (``Ledger.queue.claim``), as a program; raises as ``place`` does."""
        record = self.ledger.order(order_id)
        if record is None:
            raise OrderBusyError(f"order {order_id} is not in the ledger")
        return (yield from self._run(record, taken=True))

    def _record(
        self, order: Order, plan: CheckoutPlan, mca: McaAcceptance | None, *, owner: str | None
    ) -> tuple[OrderRecord, bool]:
        intent: dict[str, Any] = {"plan": plan.model_dump(mode="json")}
        if mca is not None:
            intent["mca"] = mca.model_dump(mode="json")
        return self.ledger.record_order(
            order.id,
            order.customer.reference,
            order.model_dump_json(),
            _dump(intent),
            target=self.target,
            owner=owner,
            lease_seconds=self.lease_seconds,
        )

    def recording(self, order_id: str) -> Program[tuple[CheckoutPlan, ProvisioningOutcome] | None]:
        """``recorded`` as a program (see :meth:`Provisioner.recorded`)."""
        record = self.ledger.order(order_id)
        if record is None:
            return None
        plan = CheckoutPlan.model_validate(_load(record.plan_json)["plan"])
        return plan, (yield from self._run(record))

    def resuming(self) -> Program[list[ProvisioningOutcome]]:
        """``resume`` as a program (see :meth:`Provisioner.resume`)."""
        outcomes = []
        for record in self.ledger.unfinished(self.target):
            try:
                outcomes.append((yield from self._run(record)))
            except OrderBusyError:
                logger.info("order %s is being placed by another worker", record.order_id)
            except ProvisioningInterrupted as interrupted:
                logger.warning("order %s is still unfinished: %s", record.order_id, interrupted)
        for record in self.ledger.unnotified(self.target):
            order = Order.model_validate_json(record.order_json)
            if self._notify(order, _outcome(record)):
                self.ledger.mark_notified(record.order_id)
        return outcomes

    # -- the saga -----------------------------------------------------------------------------

    def _run(self, record: OrderRecord, *, taken: bool = False) -> Program[ProvisioningOutcome]:
        self.engine.check_target(record.target, f"order {record.order_id}")
        order = Order.model_validate_json(record.order_json)
        if record.status in _FINISHED:
            outcome = _outcome(record)
            if not record.notified and self._notify(order, outcome):
                self.ledger.mark_notified(order.id)
            return outcome
        if not taken:
            if not self.ledger.start_order(record.order_id, self.owner, self.lease_seconds):
                latest = self.ledger.order(record.order_id)
                if latest is not None and latest.status in _FINISHED:
                    return (yield from self._run(latest))  # another worker finished it meanwhile
                raise OrderBusyError(f"order {record.order_id} is being placed by another worker")
            record = self.ledger.order(record.order_id) or record  # as it stands, now ours
        try:
            outcome = yield from self._saga(record, order)
        except LeaseLostError as lost:
            raise OrderBusyError(str(lost)) from lost
        except BaseException:
            self.ledger.release(record.order_id, self.owner)
            raise
        status = OrderStatus.PLACED if outcome.placed else OrderStatus.FAILED
        # The host is told before the end is written, so one write records both; a crash in
        # between tells it again on resume (at least once: hooks are idempotent on the order).
        told = self._notify(order, outcome)
        self.ledger.end_order(order.id, self.owner, status, _json(outcome), notified=told)
        return outcome

    def _saga(self, record: OrderRecord, order: Order) -> Program[ProvisioningOutcome]:
        intent = _load(record.plan_json)
        plan = CheckoutPlan.model_validate(intent["plan"])
        mca = McaAcceptance.model_validate(intent["mca"]) if intent.get("mca") else None
        # with_options returns the client's own type (the bound's union, to mypy)
        client = cast("ClientT", self.client.with_options(correlation_id=record.correlation_id))
        saga = _Saga(
            self.engine.with_client(client),
            client,
            order,
            plan,
            lambda tenant: self._tell_tenant(order, tenant),
            enable_gdap_by_default=self.enable_gdap_by_default,
        )
        try:
            if record.status is OrderStatus.COMPENSATING:
                # A process stopped while undoing: finish the undoing, never go forward again.
                failed = FailureDetail.model_validate((record.outcome or {})["failure"])
                return (yield from saga.compensate(failed))
            try:
                tenant_id = yield from saga.tenant()
                if mca is not None and client.endpoints.supports_mca:
                    yield from saga.confirm_mca(tenant_id, mca)
                lines = yield from saga.lines(tenant_id)
                if self.gdap_template is not None and plan.tenant.action is TenantAction.CREATE:
                    yield from request_gdap_for_order(
                        saga.engine,
                        order.id,
                        self.gdap_template,
                        tenant_id,
                        order.customer.company.company_name or tenant_id,
                        lambda asked: self.hooks.gdap_requested(order, asked),
                    )
            except StepFailed as refused:
                self.ledger.start_compensating(order.id, _json(refused.detail))
                return (yield from saga.compensate(refused.detail))
        except UNKNOWN as error:
            raise ProvisioningInterrupted(order.id, error) from error
        return ProvisioningOutcome(
            order_id=order.id,
            status=OutcomeStatus.PLACED,
            customer_tenant_id=tenant_id,
            lines=tuple(lines),
        )

    def _tell_tenant(self, order: Order, tenant: CreatedTenant) -> None:
        try:
            self.hooks.tenant_created(order, tenant)
        except Exception:
            logger.exception("a csp_tenant_created hook failed on order %s", order.id)

    def _notify(self, order: Order, outcome: ProvisioningOutcome) -> bool:
        """Tell the host how the order ended; False if its hook raised (logged, and asked
        again by the next :meth:`resume`; the order's outcome stands)."""
        try:
            if outcome.placed:
                self.hooks.order_provisioned(order, outcome)
            else:
                self.hooks.order_failed(order, outcome)
        except Exception:
            logger.exception(
                "a host hook failed on order %s; resume() will tell it again", order.id
            )
            return False
        return True


class Provisioner(_Provisioning[PartnerCenterClient]):
    """Runs checkout plans against Partner Center through the step engine and the ledger.

    :param client: a :class:`~csp_commerce.provisioning.PartnerCenterClient` (or the sandbox's).
    :param ledger: where orders, steps and their request ids are recorded.
    :param hooks: told how each order ended (at least once), and of each new tenant.
    :param owner: this worker's name for order leases (default: host and process id).
    :param lease_seconds: how long an order stays this worker's while it places it; a worker
        that died holding a lease keeps others off that order until it runs out.
    :param lock_wait: how long to wait for a subscription another order is changing before
        leaving this order for :meth:`resume`.
    :param gdap_template: the partner's GDAP template: asked of every tenant an order creates,
        after its purchases, with the approval link told through ``csp_gdap_requested``.
    :param enable_gdap_by_default: ``enableGDAPByDefault`` for the tenants orders create
        (None: left out).

    :class:`AsyncProvisioner` is its asyncio twin: the same saga, the same steps.
    """

    def place(
        self, order: Order, plan: CheckoutPlan, *, mca: McaAcceptance | None = None
    ) -> ProvisioningOutcome:
        """Provision ``plan`` for ``order``; placing the same order again returns its outcome.

        ``mca`` is confirmed to Partner Center before anything is bought (pass it only when
        Partner Center does not have the customer's acceptance yet). Raises
        :class:`ProvisioningInterrupted` when Partner Center's answer is still unknown after
        every retry (resume later), :class:`OrderBusyError` when another worker holds it, and
        :class:`TargetMismatchError` for an order recorded against another Partner Center.
        """
        return self.engine.run(self.placing(order, plan, mca))

    def recorded(self, order_id: str) -> tuple[CheckoutPlan, ProvisioningOutcome] | None:
        """For an order the ledger already holds: its recorded plan and its outcome, finishing
        it first if a process left it half placed. None for an order never placed."""
        return self.engine.run(self.recording(order_id))

    def resume(self) -> list[ProvisioningOutcome]:
        """Finish every order of this Partner Center that a dead or interrupted process left
        pending, half placed or half undone, and tell the host of any it was not told of.

        Returns the outcomes of the orders it finished. An order another worker holds, or one
        interrupted again, stays in the ledger for the next call (each is logged).
        """
        return self.engine.run(self.resuming())

    def run_claimed(self, order_id: str) -> ProvisioningOutcome:
        """Place (or finish) an order whose lease this provisioner's owner has just claimed
        (``Ledger.queue.claim``); raises as :meth:`place` does."""
        return self.engine.run(self.running_claimed(order_id))


class AsyncProvisioner(_Provisioning[AsyncPartnerCenterClient]):
    """:class:`Provisioner` for asyncio hosts, over an
    :class:`~csp_commerce.provisioning.AsyncPartnerCenterClient`: the same saga and step engine,
    its Partner Center calls awaited in the caller's task (no thread), the same ledger (a
    :class:`Provisioner` and an :class:`AsyncProvisioner` may share one: an order placed by one
    is finished by the other). Ledger writes and hooks run inline: they are short and
    synchronous. Takes the same parameters.
    """

    async def place(
        self, order: Order, plan: CheckoutPlan, *, mca: McaAcceptance | None = None
    ) -> ProvisioningOutcome:
        """:meth:`Provisioner.place`, awaited."""
        return await self.engine.arun(self.placing(order, plan, mca))

    async def recorded(self, order_id: str) -> tuple[CheckoutPlan, ProvisioningOutcome] | None:
        """:meth:`Provisioner.recorded`, awaited."""
        return await self.engine.arun(self.recording(order_id))

    async def resume(self) -> list[ProvisioningOutcome]:
        """:meth:`Provisioner.resume`, awaited."""
        return await self.engine.arun(self.resuming())


class _Saga(Generic[ClientT]):
    """The steps of one order, each through the step engine: safe to run again at any point.

    Every method that talks to Partner Center is a program: it yields the client's answers
    (``yield self.client...``) and runs the steps and its other parts with ``yield from``.
    """

    def __init__(
        self,
        engine: StepEngine[ClientT],
        client: ClientT,
        order: Order,
        plan: CheckoutPlan,
        tenant_created: Callable[[CreatedTenant], None],
        *,
        enable_gdap_by_default: bool | None = None,
    ) -> None:
        self.enable_gdap_by_default = enable_gdap_by_default
        self.engine = engine
        self.ledger = engine.ledger
        self.client = client
        self.order = order
        self.plan = plan
        self.tenant_created = tenant_created

    def step(
        self, key: str, kind: str, *, lock_name: str | None = None, **kwargs: Any
    ) -> Program[dict[str, Any]]:
        """One step of this order (its lease extended with the step's first write)."""
        return self.engine.step_program(
            self.order.id, key, kind, owner=self.engine.owner, lock_name=lock_name, **kwargs
        )

    # -- tenant ---------------------------------------------------------------------------

    def tenant(self) -> Program[str]:
        """The customer's tenant id, creating the tenant (once) when the plan says so.

        The first admin's password is in Partner Center's answer only: it goes to the host
        before the step is recorded done, so a crash in between asks Partner Center again with
        the same request id (its replay carries the password). If Partner Center no longer
        replays, the tenant is found by its domain and the host is told the credentials are
        lost, never left to wonder.
        """
        resolution = self.plan.tenant
        if resolution.action is not TenantAction.CREATE:
            if resolution.tenant_id is None:
                raise StepFailed(failure("the plan names no tenant for an existing customer"))
            return resolution.tenant_id
        domain = resolution.domain or self.order.customer.company.domain
        if not domain:
            raise StepFailed(failure("a new tenant needs a domain"))

        def send(step: Step) -> Program[dict[str, Any]]:
            created: PCCustomer = yield self.client.customers.create(
                domain=domain,
                billing_profile=self._billing_profile(),
                organization_registration_number=(
                    self.order.customer.company.organization_registration_number
                ),
                request_id=step.request_id,
                enable_gdap_by_default=self.enable_gdap_by_default,
            )
            admin, password = None, None
            credentials = created.user_credentials
            if credentials is not None and credentials.user_name:
                name = credentials.user_name
                admin = name if "@" in name else f"{name}@{domain}"
                password = SecretStr(credentials.password) if credentials.password else None
            self._tell(created.id, domain, admin, password, lost=password is None)
            return {"tenant_id": created.id}

        def read_back(step: Step) -> Program[dict[str, Any] | None]:
            found = yield from self._find_customer(domain)
            if found is not None:
                self._tell(found, domain, None, None, lost=True)
            return None if found is None else {"tenant_id": found, "credentials_lost": True}

        result = yield from self.step(
            "tenant",
            "create_customer",
            intent={"domain": domain},
            send=send,
            read_back=read_back,
            explained=(ConflictError,),  # the domain is taken: by our earlier attempt?
        )
        return str(result["tenant_id"])

    def _tell(
        self,
        tenant_id: str,
        domain: str,
        admin: str | None,
        password: SecretStr | None,
        *,
        lost: bool,
    ) -> None:
        self.tenant_created(
            CreatedTenant(
                order_id=self.order.id,
                customer_reference=self.order.customer.reference,
                tenant_id=tenant_id,
                domain=domain,
                admin_user_name=admin,
                admin_password=password,
                credentials_lost=lost,
            )
        )

    def _billing_profile(self) -> CustomerBillingProfile:
        customer = self.order.customer
        contact = customer.contact
        address = customer.address
        return CustomerBillingProfile(
            email=contact.email if contact else None,
            culture=customer.company.culture,
            language=customer.company.language,
            company_name=customer.company.company_name,
            default_address=PCAddress(
                country=address.country,
                city=address.city,
                state=address.state,
                postal_code=address.postal_code,
                address_line1=address.address_line1,
                address_line2=address.address_line2,
                first_name=contact.first_name if contact else address.first_name,
                last_name=contact.last_name if contact else address.last_name,
                phone_number=(contact.phone_number if contact else None) or address.phone_number,
            ),
        )

    def _find_customer(self, domain: str) -> Program[str | None]:
        if (yield self.client.customers.domain_available(domain)):
            return None
        customers: list[PCCustomer] = yield self.client.customers.list()
        for customer in customers:
            profile = customer.company_profile
            if profile is not None and (profile.domain or "").lower() == domain.lower():
                return customer.id
        return None

    # -- MCA ------------------------------------------------------------------------------

    def confirm_mca(self, tenant_id: str, acceptance: McaAcceptance) -> Program[None]:
        """Tell Partner Center the customer accepted the MCA (600061 counts as done)."""
        contact = acceptance.contact

        def send(step: Step) -> Program[dict[str, Any]]:
            yield self.client.agreements.confirm(
                tenant_id,
                contact=PrimaryContact(
                    first_name=contact.first_name,
                    last_name=contact.last_name,
                    email=contact.email,
                    phone_number=contact.phone_number,
                ),
                template_id=acceptance.template_id,
                date_agreed=acceptance.accepted_at,
                request_id=step.request_id,
            )
            return {"confirmed": True}

        yield from self.step("mca", "confirm_mca", intent={"tenant_id": tenant_id}, send=send)

    # -- lines ----------------------------------------------------------------------------

    def lines(self, tenant_id: str) -> Program[list[LineOutcome]]:
        """Every line: new subscriptions and add-ons on existing ones in one cart, then
        add-ons on this order's new subscriptions in a second, then seats, one subscription
        at a time."""
        outcomes: dict[str, LineOutcome] = {}
        first = [
            line
            for line in self.plan.lines
            if line.action is not LineAction.ADD_QUANTITY and line.parent_line_id is None
        ]
        if first:
            outcomes.update((yield from self._purchase("purchase", tenant_id, first)))
        second = [line for line in self.plan.lines if line.parent_line_id is not None]
        if second:
            parents = {
                line.line_id: line.model_copy(
                    update={"subscription_id": outcomes[line.parent_line_id].subscription_id}
                )
                for line in second
                if line.parent_line_id in outcomes
            }
            if len(parents) != len(second) or any(
                line.subscription_id is None for line in parents.values()
            ):
                raise OutcomeUnknown("the subscription an add-on goes on is not known yet")
            addons = list(parents.values())
            outcomes.update((yield from self._purchase("purchase:addons", tenant_id, addons)))
        for line in self.plan.lines:
            yield from self._set_end_of_term(tenant_id, line, outcomes.get(line.line_id))
        for line in self.plan.lines:
            if line.action is LineAction.ADD_QUANTITY:
                outcomes[line.line_id] = yield from self._add_seats(tenant_id, line)
        return [outcomes[line.line_id] for line in self.plan.lines]

    def _set_end_of_term(
        self, tenant_id: str, line: LinePlan, bought: LineOutcome | None
    ) -> Program[None]:
        """The line's end-of-term action, set explicitly on its new subscription (a step of its
        own, under the subscription's lock): Partner Center's default for a subscription not
        renewed is the paid extended term, so nothing is left to it."""
        if line.end_of_term is None or bought is None or bought.subscription_id is None:
            return
        subscription_id = bought.subscription_id
        key = f"end_of_term:{line.line_id}"
        lock = yield from self.engine.acquire(subscription_id, self.order.id)
        try:
            current = None
            if self.ledger.get_step(self.order.id, key) is None:
                try:
                    current = yield self.client.subscriptions.get(tenant_id, subscription_id)
                except NotFoundError:
                    # Partner Center provisions asynchronously: bought, not readable yet.
                    raise OutcomeUnknown(
                        f"subscription {subscription_id} is not visible yet; its end-of-term"
                        " action is set when the order is resumed"
                    ) from None
            yield from set_end_of_term(
                self.engine,
                self.order.id,
                key,
                tenant_id,
                subscription_id,
                line.end_of_term,
                lock_name=lock,
                current=current,
                owner=self.engine.owner,
                note={"subscription_id": subscription_id, "end_of_term": line.end_of_term.value},
            )
        finally:
            self.engine.release(lock, self.order.id)

    def _purchase(
        self, key: str, tenant_id: str, lines: Sequence[LinePlan]
    ) -> Program[dict[str, LineOutcome]]:
        by_line = {line.line_id: line for line in lines}
        bought = yield from purchase(
            self.engine, self.order.id, key, tenant_id, lines, owner=self.engine.owner
        )
        return {line_id: _purchased(by_line[line_id], found) for line_id, found in bought.items()}

    def _add_seats(self, tenant_id: str, line: LinePlan) -> Program[LineOutcome]:
        """More seats on an existing subscription, as an absolute target read under the
        subscription's lock; the lock is held until Partner Center's answer is known, so no
        other order's seats come between the read and the change."""
        subscription_id = line.subscription_id
        if subscription_id is None:
            raise StepFailed(failure("no subscription to add seats to", line_id=line.line_id))
        lock = yield from self.engine.acquire(subscription_id, self.order.id)
        try:
            yield from set_quantity(
                self.engine,
                self.order.id,
                f"seats:{line.line_id}",
                tenant_id,
                subscription_id,
                lambda current: current + line.quantity,
                lock_name=lock,
                owner=self.engine.owner,
            )
        finally:
            self.engine.release(lock, self.order.id)
        return LineOutcome(
            line_id=line.line_id,
            action=line.action,
            subscription_id=subscription_id,
            quantity=line.quantity,
            partner_id_on_record=line.partner_id_on_record,
        )

    # -- compensation ---------------------------------------------------------------------

    def compensate(self, failed: FailureDetail) -> Program[ProvisioningOutcome]:
        """Undo what the order did, newest first, each undo a step of its own (recorded, with
        its own request id, before it is sent). A temporary failure interrupts (the order stays
        compensating; resume finishes it); only a definite refusal is reported."""
        tenant = self.ledger.get_step(self.order.id, "tenant")
        tenant_id = (
            str(tenant.result["tenant_id"])
            if tenant is not None and tenant.result
            else self.plan.tenant.tenant_id
        )
        undone: list[LineOutcome] = []
        problems: list[FailureDetail] = []
        forward = [
            step for step in self.ledger.steps(self.order.id) if not step.key.startswith("undo:")
        ]
        for step in reversed(forward):
            if tenant_id is None or step.result is None:
                continue
            for undo in self._undos(tenant_id, step):
                try:
                    undone.append((yield from undo()))
                except StepFailed as refused:
                    problems.append(refused.detail)
        return ProvisioningOutcome(
            order_id=self.order.id,
            status=OutcomeStatus.FAILED,
            customer_tenant_id=tenant_id,
            lines=tuple(undone),
            failure=failed,
            compensation_failures=tuple(problems),
        )

    def _undos(self, tenant_id: str, step: Step) -> list[Callable[[], Program[LineOutcome]]]:
        if step.kind == "purchase":
            return [
                functools.partial(self._cancel, tenant_id, line_id, str(bought["subscription_id"]))
                for line_id, bought in reversed(list((step.result or {})["lines"].items()))
                if bought.get("subscription_id")
            ]
        if step.kind == "set_quantity" and step.status is StepStatus.DONE:
            return [functools.partial(self._take_back_seats, tenant_id, step)]
        return []

    def _cancel(self, tenant_id: str, line_id: str, subscription_id: str) -> Program[LineOutcome]:
        lock = yield from self.engine.acquire(subscription_id, self.order.id)
        try:
            yield from update_subscription(
                self.engine,
                self.order.id,
                f"undo:{line_id}",
                "cancel",
                tenant_id,
                subscription_id,
                {"status": "deleted"},
                lock_name=lock,
                owner=self.engine.owner,
            )
        finally:
            self.engine.release(lock, self.order.id)
        return LineOutcome(
            line_id=line_id,
            action=LineAction.NEW_SUBSCRIPTION,
            subscription_id=subscription_id,
            quantity=0,
            compensated=True,
        )

    def _take_back_seats(self, tenant_id: str, step: Step) -> Program[LineOutcome]:
        """Take back only this line's seats, from a fresh read: other orders may have added
        their own since."""
        before, changes = step.intent["subscription"], step.intent["changes"]
        subscription_id = str(before["id"])
        added = int(changes["quantity"]) - int(before["quantity"])
        line_id = step.key.partition(":")[2]
        lock = yield from self.engine.acquire(subscription_id, self.order.id)
        try:
            quantity = yield from set_quantity(
                self.engine,
                self.order.id,
                f"undo:{step.key}",
                tenant_id,
                subscription_id,
                lambda current: max(current - added, 1),
                lock_name=lock,
                owner=self.engine.owner,
            )
        finally:
            self.engine.release(lock, self.order.id)
        return LineOutcome(
            line_id=line_id,
            action=LineAction.ADD_QUANTITY,
            subscription_id=subscription_id,
            quantity=quantity,
            compensated=True,
        )


def _purchased(line: LinePlan, result: dict[str, Any]) -> LineOutcome:
    return LineOutcome(
        line_id=line.line_id,
        action=line.action,
        subscription_id=result.get("subscription_id"),
        order_id=result.get("order_id"),
        quantity=line.quantity,
        partner_id_on_record=line.partner_id_on_record,
    )


def _outcome(record: OrderRecord) -> ProvisioningOutcome:
    return ProvisioningOutcome.model_validate(record.outcome)


def _json(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json"))


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True)


def _load(text: str) -> dict[str, Any]:
    return dict(json.loads(text))
