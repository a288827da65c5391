"""The provisioning saga: a checked plan becomes Partner Center purchases, exactly once.

Every step is recorded in the :class:`~csp_commerce.store.ledger.Ledger` with its durable
``MS-RequestId`` before the first request. A step whose outcome is unknown (a crash, a timeout
after every retry) is read back from Partner Center before anything is sent again. A step that
fails for good undoes the steps before it (cancels what was bought, puts seat counts back) and
the host is told once, through ``csp_order_provisioned`` or ``csp_order_failed``.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from csp_commerce.errors import (
    UNKNOWN_OUTCOME_ERRORS,
    BadRequestError,
    CartAlreadySubmittedError,
    LeaseLostError,
    OrderBusyError,
    OutcomeUnknown,
    PartnerCenterError,
    ProvisioningInterrupted,
    StepFailed,
)
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
from csp_commerce.provisioning.wire import (
    CartLineItem,
    CustomerBillingProfile,
    Participant,
    PCAddress,
    PrimaryContact,
)
from csp_commerce.store.ledger import Ledger, OrderRecord, OrderStatus, Step, StepStatus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from csp_commerce.hooks.manager import HookManager
    from csp_commerce.provisioning.client import PartnerCenterClient

logger = logging.getLogger(__name__)


#: Errors after which a step's outcome is unknown: it stays "sent", read back on resume.
_UNKNOWN: tuple[type[Exception], ...] = (*UNKNOWN_OUTCOME_ERRORS, OutcomeUnknown)
#: Partner Center's answer to changing a deleted subscription (compensation already done).
_ALREADY_DELETED = 2011
_FINISHED = (OrderStatus.PLACED, OrderStatus.FAILED)
#: How long a saga waits for another order to finish with a subscription's seats.
_SEAT_LOCK_WAIT = 30.0


class Provisioner:
    """Runs checkout plans against Partner Center through the ledger.

    :param client: a :class:`~csp_commerce.provisioning.PartnerCenterClient` (or the sandbox's).
    :param ledger: where steps and their request ids are recorded.
    :param hooks: told once per order how it ended.
    :param owner: this worker's name for order leases (default: host and process id).
    :param lease_seconds: how long an order stays this worker's while it places it; a worker
        that died holding a lease keeps others off that order until it runs out.
    """

    def __init__(
        self,
        client: PartnerCenterClient,
        ledger: Ledger,
        hooks: HookManager,
        *,
        owner: str | None = None,
        lease_seconds: float = 300.0,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.hooks = hooks
        self.lease_seconds = lease_seconds
        self.owner = owner or f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    # -- public -------------------------------------------------------------------------------

    def place(
        self, order: Order, plan: CheckoutPlan, *, mca: McaAcceptance | None = None
    ) -> ProvisioningOutcome:
        """Provision ``plan`` for ``order``; placing the same order again returns its outcome.

        Raises :class:`ProvisioningInterrupted` when Partner Center's answer is still unknown
        after every retry (resume later), :class:`OrderBusyError` when another worker holds it.
        """
        intent: dict[str, Any] = {"plan": plan.model_dump(mode="json")}
        if mca is not None:
            intent["mca"] = mca.model_dump(mode="json")
        record, _ = self.ledger.record_order(
            order.id, order.customer.reference, order.model_dump_json(), _dump(intent)
        )
        return self._run(record)

    def recorded(self, order_id: str) -> tuple[CheckoutPlan, ProvisioningOutcome] | None:
        """For an order the ledger already holds: its recorded plan and its outcome, finishing
        it first if a process left it half placed. None for an order never placed."""
        record = self.ledger.order(order_id)
        if record is None:
            return None
        plan = CheckoutPlan.model_validate(_load(record.plan_json)["plan"])
        return plan, self._run(record)

    def resume(self) -> list[ProvisioningOutcome]:
        """Finish every order a dead or interrupted process left pending or half placed.

        Returns the outcomes of the orders it finished. An order another worker holds, or one
        interrupted again, stays in the ledger for the next call (each is logged).
        """
        outcomes = []
        for record in self.ledger.unfinished():
            try:
                outcomes.append(self._run(record))
            except OrderBusyError:
                logger.info("order %s is being placed by another worker", record.order_id)
            except ProvisioningInterrupted as interrupted:
                logger.warning("order %s is still unfinished: %s", record.order_id, interrupted)
        for record in self.ledger.unnotified():
            self._notify(Order.model_validate_json(record.order_json), _outcome(record))
        return outcomes

    # -- the saga -----------------------------------------------------------------------------

    def _run(self, record: OrderRecord) -> ProvisioningOutcome:
        order = Order.model_validate_json(record.order_json)
        if record.status in _FINISHED:
            outcome = _outcome(record)
            if not record.notified:
                self._notify(order, outcome)
            return outcome
        if not self.ledger.start_order(record.order_id, self.owner, self.lease_seconds):
            latest = self.ledger.order(record.order_id)
            if latest is not None and latest.status in _FINISHED:
                return self._run(latest)  # another worker finished it meanwhile
            raise OrderBusyError(f"order {record.order_id} is being placed by another worker")
        started = self.ledger.order(record.order_id)  # as it stands now that it is ours
        try:
            outcome = self._saga(started or record, order)
        except LeaseLostError as lost:
            raise OrderBusyError(str(lost)) from lost
        except BaseException:
            self.ledger.release(record.order_id, self.owner)
            raise
        status = OrderStatus.PLACED if outcome.placed else OrderStatus.FAILED
        self.ledger.end_order(order.id, self.owner, status, _json(outcome))
        self._notify(order, outcome)
        return outcome

    def _saga(self, record: OrderRecord, order: Order) -> ProvisioningOutcome:
        intent = _load(record.plan_json)
        plan = CheckoutPlan.model_validate(intent["plan"])
        mca = McaAcceptance.model_validate(intent["mca"]) if intent.get("mca") else None
        client = self.client.with_options(correlation_id=record.correlation_id)
        saga = _Saga(
            client,
            self.ledger,
            order,
            plan,
            self.owner,
            self.lease_seconds,
            lambda tenant: self._tell_tenant(order, tenant),
        )
        if record.status is OrderStatus.COMPENSATING:
            # A process died while undoing: finish the undoing, never go forward again.
            failure = FailureDetail.model_validate((record.outcome or {})["failure"])
            return saga.compensate(failure)
        try:
            tenant_id = saga.tenant()
            if mca is not None and client.endpoints.supports_mca:
                saga.confirm_mca(tenant_id, mca)
            lines: list[LineOutcome] = []
            for line in plan.lines:
                lines.append(saga.line(tenant_id, line, lines))
        except StepFailed as failed:
            self.ledger.start_compensating(order.id, _json(failed.detail))
            return saga.compensate(failed.detail)
        except _UNKNOWN as error:
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

    def _notify(self, order: Order, outcome: ProvisioningOutcome) -> None:
        """Tell the host, then record that it was told: at least once. A hook that raises is
        logged and asked again by the next :meth:`resume`; the order's outcome stands."""
        try:
            if outcome.placed:
                self.hooks.order_provisioned(order, outcome)
            else:
                self.hooks.order_failed(order, outcome)
        except Exception:
            logger.exception(
                "a host hook failed on order %s; resume() will tell it again", order.id
            )
            return
        self.ledger.mark_notified(order.id)


class _Saga:
    """The steps of one order. Each method is safe to run again after any interruption."""

    def __init__(
        self,
        client: PartnerCenterClient,
        ledger: Ledger,
        order: Order,
        plan: CheckoutPlan,
        owner: str,
        lease_seconds: float,
        tenant_created: Callable[[CreatedTenant], None],
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.order = order
        self.plan = plan
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.tenant_created = tenant_created
        self._admin: tuple[str | None, SecretStr | None] = (None, None)

    # -- tenant ---------------------------------------------------------------------------

    def tenant(self) -> str:
        """The customer's tenant id, creating the tenant (once) when the plan says so."""
        resolution = self.plan.tenant
        if resolution.action is not TenantAction.CREATE:
            if resolution.tenant_id is None:
                raise StepFailed(_failure("the plan names no tenant for an existing customer"))
            return resolution.tenant_id
        domain = resolution.domain or self.order.customer.company.domain
        if not domain:
            raise StepFailed(_failure("a new tenant needs a domain"))
        step = self._begin("tenant", "create_customer", {"domain": domain})
        if step.status is StepStatus.DONE and step.result:
            return str(step.result["tenant_id"])
        if step.status is StepStatus.SENT:
            found = self._find_customer(domain)
            if found is not None:
                self._done(step, {"tenant_id": found})
                return found
        tenant_id = str(self._send(step, lambda: self._create_customer(domain, step))["tenant_id"])
        self.tenant_created(
            CreatedTenant(
                order_id=self.order.id,
                customer_reference=self.order.customer.reference,
                tenant_id=tenant_id,
                domain=domain,
                admin_user_name=self._admin[0],
                admin_password=self._admin[1],
            )
        )
        return tenant_id

    def _create_customer(self, domain: str, step: Step) -> dict[str, Any]:
        customer = self.order.customer
        contact = customer.contact
        address = customer.address
        profile = CustomerBillingProfile(
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
        created = self.client.customers.create(
            domain=domain,
            billing_profile=profile,
            organization_registration_number=customer.company.organization_registration_number,
            request_id=step.request_id,
        )
        # The first admin's password is in this answer only: handed on, never recorded.
        credentials = created.user_credentials
        if credentials is not None and credentials.user_name:
            name = credentials.user_name
            self._admin = (
                name if "@" in name else f"{name}@{domain}",
                SecretStr(credentials.password) if credentials.password else None,
            )
        return {"tenant_id": created.id}

    def _find_customer(self, domain: str) -> str | None:
        if self.client.customers.domain_available(domain):
            return None
        for customer in self.client.customers.list():
            profile = customer.company_profile
            if profile is not None and (profile.domain or "").lower() == domain.lower():
                return customer.id
        return None

    # -- MCA ------------------------------------------------------------------------------

    def confirm_mca(self, tenant_id: str, acceptance: McaAcceptance) -> None:
        """Tell Partner Center the customer accepted the MCA (600061 counts as done)."""
        step = self._begin("mca", "confirm_mca", {"tenant_id": tenant_id})
        if step.status is StepStatus.DONE:
            return
        contact = acceptance.contact

        def confirm() -> dict[str, Any]:
            self.client.agreements.confirm(
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

        self._send(step, confirm)

    # -- lines ----------------------------------------------------------------------------

    def line(
        self, tenant_id: str, line: LinePlan, earlier: Sequence[LineOutcome] = ()
    ) -> LineOutcome:
        """Provision one line: a new subscription through a cart, or more seats on one. An
        add-on for an earlier line of the order goes on the subscription that line got."""
        if line.action is LineAction.ADD_QUANTITY:
            return self._add_quantity(tenant_id, line)
        if line.action is LineAction.ADD_ON and line.parent_line_id is not None:
            parent = next((done for done in earlier if done.line_id == line.parent_line_id), None)
            if parent is None or parent.subscription_id is None:
                raise OutcomeUnknown(
                    f"the subscription of line {line.parent_line_id} is not known yet"
                )
            line = line.model_copy(update={"subscription_id": parent.subscription_id})
        return self._purchase(tenant_id, line)

    def _purchase(self, tenant_id: str, line: LinePlan) -> LineOutcome:
        bought = self.ledger.get_step(self.order.id, f"buy:{line.line_id}")
        if bought is not None and bought.status is StepStatus.DONE and bought.result:
            return _purchased(line, bought.result)
        cart_step = self._begin(f"cart:{line.line_id}", "create_cart", {})
        if cart_step.status is StepStatus.DONE and cart_step.result:
            cart_id = str(cart_step.result["cart_id"])
        else:
            # An extra Active cart is no purchase (carts expire after 7 days): resend freely.
            created = self._send(cart_step, lambda: self._create_cart(tenant_id, line, cart_step))
            cart_id = str(created["cart_id"])
        buy_step = self._begin(f"buy:{line.line_id}", "checkout", {"cart_id": cart_id})
        result = self._send(buy_step, lambda: self._checkout(tenant_id, line, cart_id, buy_step))
        return _purchased(line, result)

    def _create_cart(self, tenant_id: str, line: LinePlan, step: Step) -> dict[str, Any]:
        participants = (
            [Participant(key="transaction_reseller", value=line.partner_id_on_record)]
            if line.partner_id_on_record
            else None
        )
        context = (
            {"ParentSubscriptionId": line.subscription_id}
            if line.action is LineAction.ADD_ON and line.subscription_id
            else None
        )
        cart = self.client.carts.create(
            tenant_id,
            [
                CartLineItem(
                    id=0,
                    catalog_item_id=line.offer_id,
                    quantity=line.quantity,
                    billing_cycle=line.billing_cycle.value,
                    term_duration=line.term_duration.value if line.term_duration else None,
                    friendly_name=line.instance_name,  # names a Dynamics instance
                    participants=participants,
                    provisioning_context=context,
                )
            ],
            request_id=step.request_id,
        )
        return {"cart_id": cart.id}

    def _checkout(self, tenant_id: str, line: LinePlan, cart_id: str, step: Step) -> dict[str, Any]:
        try:
            result = self.client.carts.checkout(tenant_id, cart_id, request_id=step.request_id)
        except CartAlreadySubmittedError:
            # Bought by an attempt whose answer was lost, and the replay window has passed.
            return self._read_back_purchase(tenant_id, line)
        if result.order_errors:
            error = result.order_errors[0]
            raise StepFailed(
                _failure(
                    error.description or "Partner Center refused the order",
                    code=str(error.code) if error.code is not None else None,
                    request_id=step.request_id,
                    line_id=line.line_id,
                    error_type="OrderError",
                )
            )
        for pc_order in result.orders:
            for item in pc_order.line_items:
                if item.subscription_id:
                    return {"subscription_id": item.subscription_id, "order_id": pc_order.id}
            subscriptions = list(self.client.subscriptions.list(tenant_id, order_id=pc_order.id))
            if subscriptions:
                return {"subscription_id": subscriptions[0].id, "order_id": pc_order.id}
        return {"subscription_id": None, "order_id": result.orders[0].id if result.orders else None}

    def _read_back_purchase(self, tenant_id: str, line: LinePlan) -> dict[str, Any]:
        """Find the subscription an earlier attempt of ``line`` bought, not claimed by another
        line. Partner Center provisions asynchronously: not finding it yet is an unknown
        outcome (resume later), never a failure."""
        claimed = self.ledger.purchased_subscriptions()
        for subscription in self.client.subscriptions.list(tenant_id):
            if (
                subscription.id not in claimed
                and subscription.offer_id == line.offer_id
                and subscription.quantity == line.quantity
                and (subscription.status or "active") != "deleted"
                and subscription.billing_cycle in (None, line.billing_cycle.value)
                and (
                    line.partner_id_on_record is None
                    or subscription.partner_id == line.partner_id_on_record
                )
            ):
                return {"subscription_id": subscription.id, "order_id": subscription.order_id}
        raise OutcomeUnknown(
            f"the cart of line {line.line_id} was submitted but its subscription is not visible yet"
        )

    def _add_quantity(self, tenant_id: str, line: LinePlan) -> LineOutcome:
        if line.subscription_id is None:
            raise StepFailed(_failure("no subscription to add seats to", line_id=line.line_id))
        key = f"qty:{line.line_id}"
        # Read, target and PATCH under the subscription's lock, so that two orders adding
        # seats to it at once cannot both compute their target from the same count.
        with self._seats_of(line.subscription_id):
            recorded = self.ledger.get_step(self.order.id, key)
            if recorded is None:
                # The intent is absolute before anything is sent: "exactly N seats" can be
                # read back and resent; "N more seats" cannot.
                current = self.client.subscriptions.get(tenant_id, line.subscription_id).quantity
                intent = {
                    "subscription_id": line.subscription_id,
                    "original": current,
                    "target": current + line.quantity,
                }
            else:
                intent = recorded.intent
            step = self._begin(key, "set_quantity", intent)
            if step.status is not StepStatus.DONE:
                target = int(step.intent["target"])
                self._send(step, lambda: self._set_quantity(tenant_id, line, target, step))
        return LineOutcome(
            line_id=line.line_id,
            action=line.action,
            subscription_id=line.subscription_id,
            quantity=line.quantity,
            partner_id_on_record=line.partner_id_on_record,
        )

    @contextmanager
    def _seats_of(self, subscription_id: str) -> Iterator[None]:
        """Hold the subscription's seat lock in the ledger (waiting a while for another order
        to finish with it; after that, resume later)."""
        name = f"seats:{subscription_id}"
        deadline = time.monotonic() + _SEAT_LOCK_WAIT
        while not self.ledger.lock(name, self.owner, self.lease_seconds):
            if time.monotonic() > deadline:
                raise OutcomeUnknown(f"subscription {subscription_id} is busy with another order")
            time.sleep(0.02)
        try:
            yield
        finally:
            self.ledger.unlock(name, self.owner)

    def _set_quantity(
        self, tenant_id: str, line: LinePlan, target: int, step: Step
    ) -> dict[str, Any]:
        assert line.subscription_id is not None
        self.client.subscriptions.change_quantity(
            tenant_id, line.subscription_id, target, request_id=step.request_id
        )
        return {"quantity": target}

    # -- compensation ---------------------------------------------------------------------

    def compensate(self, failure: FailureDetail) -> ProvisioningOutcome:
        """Undo every finished line, newest first, and describe the failed order."""
        tenant_step = self.ledger.get_step(self.order.id, "tenant")
        tenant_id = (
            str(tenant_step.result["tenant_id"])
            if tenant_step is not None and tenant_step.result
            else self.plan.tenant.tenant_id
        )
        undone: list[LineOutcome] = []
        problems: list[FailureDetail] = []
        for step in reversed(self.ledger.steps(self.order.id)):
            if step.status is not StepStatus.DONE or tenant_id is None:
                continue
            try:
                line = self._undo(tenant_id, step)
            except PartnerCenterError as error:
                logger.warning("could not undo %s of order %s: %s", step.key, step.order_id, error)
                problems.append(_failure_from(error, line_id=step.key.partition(":")[2]))
                continue
            if line is not None:
                undone.append(line)
                self.ledger.finish_step(step.order_id, step.key, StepStatus.COMPENSATED)
        return ProvisioningOutcome(
            order_id=self.order.id,
            status=OutcomeStatus.FAILED,
            customer_tenant_id=tenant_id,
            lines=tuple(undone),
            failure=failure,
            compensation_failures=tuple(problems),
        )

    def _undo(self, tenant_id: str, step: Step) -> LineOutcome | None:
        line_id = step.key.partition(":")[2]
        result = step.result or {}
        if step.kind == "checkout" and result.get("subscription_id"):
            subscription_id = str(result["subscription_id"])
            try:
                self.client.subscriptions.cancel(tenant_id, subscription_id)
            except BadRequestError as error:
                if error.code != _ALREADY_DELETED:  # an earlier attempt undid it already
                    raise
            return LineOutcome(
                line_id=line_id,
                action=LineAction.NEW_SUBSCRIPTION,
                subscription_id=subscription_id,
                quantity=0,
                compensated=True,
            )
        if step.kind == "set_quantity" and "original" in step.intent:
            # Take back only this line's seats: another order may have added its own since.
            subscription_id = str(step.intent["subscription_id"])
            added = int(step.intent["target"]) - int(step.intent["original"])
            with self._seats_of(subscription_id):
                current = self.client.subscriptions.get(tenant_id, subscription_id).quantity
                quantity = max(current - added, 1)
                self.client.subscriptions.change_quantity(tenant_id, subscription_id, quantity)
            return LineOutcome(
                line_id=line_id,
                action=LineAction.ADD_QUANTITY,
                subscription_id=subscription_id,
                quantity=quantity,
                compensated=True,
            )
        return None

    # -- plumbing -------------------------------------------------------------------------

    def _begin(self, key: str, kind: str, intent: dict[str, Any]) -> Step:
        """The step as it stood before; from now on it counts as sent (see Ledger.begin_step).

        A step that failed for good, or was undone, is final: the order fails with it.
        """
        step = self.ledger.begin_step(
            self.order.id, key, kind, intent, owner=self.owner, lease_seconds=self.lease_seconds
        )
        if step.status is StepStatus.FAILED:
            raise StepFailed(FailureDetail.model_validate(step.error))
        if step.status is StepStatus.COMPENSATED:
            raise StepFailed(_failure(f"step {key} was undone", line_id=key.partition(":")[2]))
        return step

    def _send(self, step: Step, action: Any) -> dict[str, Any]:
        """Run one begun step's request, then record its result or its failure."""
        try:
            result: dict[str, Any] = action()
        except _UNKNOWN:
            raise  # stays SENT: read back on resume
        except StepFailed as failed:
            self.ledger.finish_step(
                step.order_id, step.key, StepStatus.FAILED, error=_json(failed.detail)
            )
            raise
        except PartnerCenterError as error:
            detail = _failure_from(error, line_id=step.key.partition(":")[2] or None)
            self.ledger.finish_step(step.order_id, step.key, StepStatus.FAILED, error=_json(detail))
            raise StepFailed(detail) from error
        self._done(step, result)
        return result

    def _done(self, step: Step, result: dict[str, Any]) -> None:
        self.ledger.finish_step(step.order_id, step.key, StepStatus.DONE, result=result)


def _purchased(line: LinePlan, result: dict[str, Any]) -> LineOutcome:
    return LineOutcome(
        line_id=line.line_id,
        action=line.action,
        subscription_id=result.get("subscription_id"),
        order_id=result.get("order_id"),
        quantity=line.quantity,
        partner_id_on_record=line.partner_id_on_record,
    )


def _failure(
    message: str,
    *,
    code: str | None = None,
    request_id: str | None = None,
    line_id: str | None = None,
    error_type: str = "ProvisioningError",
) -> FailureDetail:
    return FailureDetail(
        message=message,
        error_type=error_type,
        code=code,
        request_id=request_id,
        line_id=line_id,
    )


def _failure_from(error: PartnerCenterError, *, line_id: str | None) -> FailureDetail:
    return FailureDetail(
        message=str(error),
        error_type=type(error).__name__,
        code=None if error.code is None else str(error.code),
        request_id=error.request_id,
        correlation_id=error.correlation_id,
        line_id=line_id,
    )


def _outcome(record: OrderRecord) -> ProvisioningOutcome:
    return ProvisioningOutcome.model_validate(record.outcome)


def _json(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json"))


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True)


def _load(text: str) -> dict[str, Any]:
    return dict(json.loads(text))
