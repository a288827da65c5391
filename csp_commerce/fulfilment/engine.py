"""The one step engine: every change sent to Partner Center goes through :meth:`StepEngine.step`.

A step is one request that changes something (create a tenant, buy a cart, set a seat count,
cancel, assign licences). The engine makes each happen exactly once:

1. the step is written to the ledger with its kind, absolute intent and ``MS-RequestId`` before
   the first request (one write);
2. it is sent with that request id, on every attempt, in every process: Partner Center replays
   its first answer to a repeated id instead of acting twice;
3. its outcome is written after. A definite refusal ends it (``failed``); a lost answer, a
   timeout, a throttle or a 5xx leave it ``sent`` and the caller is interrupted;
4. a ``sent`` step is resolved by sending it again with the same id; only when Partner Center
   refuses the repeat in a way the earlier attempt explains (the cart is already submitted,
   the domain is taken, the etag moved) is it read back — never guessed.

Changes to one subscription are serialised by a lock that an *operation* (an order, a post-sale
change) holds, from before the read its target is computed from until its step's outcome is
known; it is never released or expired while that outcome is unknown.
"""

from __future__ import annotations

import asyncio
import copy
import os
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from csp_commerce.errors import (
    UNKNOWN_OUTCOME_ERRORS,
    CartBusyError,
    OrderInProgressError,
    OutcomeUnknown,
    PartnerCenterClientError,
    ResponseValidationError,
    StepFailed,
    TargetMismatchError,
    TokenAcquisitionError,
)
from csp_commerce.fulfilment.program import Pause, Program, at_once, run, run_async
from csp_commerce.models import FailureDetail
from csp_commerce.store.ledger import Step, StepStatus

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterator, Mapping

    from csp_commerce.provisioning._core import ClientCore
    from csp_commerce.provisioning.async_client import AsyncPartnerCenterClient
    from csp_commerce.provisioning.client import PartnerCenterClient
    from csp_commerce.store.ledger import Ledger

T = TypeVar("T")
#: The client an engine's steps call: the sync one, or the async twin (then ``await arun``).
ClientT = TypeVar(
    "ClientT",
    bound="PartnerCenterClient | AsyncPartnerCenterClient",
    default="PartnerCenterClient",
)

#: Failures after which a step's outcome is unknown: it stays ``sent``, to be sent again.
#: Sign-in failures belong here too: nothing reached Partner Center, so resending is safe; and
#: so does a success answer we cannot read (the change was made: a resend replays it).
UNKNOWN: tuple[type[Exception], ...] = (
    *UNKNOWN_OUTCOME_ERRORS,
    CartBusyError,
    OrderInProgressError,
    TokenAcquisitionError,
    ResponseValidationError,
    OutcomeUnknown,
)

Intent = dict[str, Any]
Result = dict[str, Any]
#: Which refusals of a repeated step an earlier attempt of it may explain (then read back).
Explained = tuple[type[Exception], ...] | Callable[[Exception], bool]


def target_of(client: ClientCore) -> str:
    """The Partner Center ``client`` changes things in: its cloud and its partner tenant.

    The sandbox's credential names its own tenant (``sandbox``), so the sandbox is never the
    same target as a live partner, whatever base URL it is served on.
    """
    tenant = getattr(client.credential, "tenant_id", None) or "unknown-tenant"
    return f"{client.endpoints.api_base}|{tenant}"


def default_owner() -> str:
    """This worker's name for leases: host, process id and a random part."""
    return f"{os.uname().nodename}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class StepEngine(Generic[ClientT]):
    """Records, sends and resolves the steps of operations against one Partner Center.

    Every step is written once, as a program (:mod:`~csp_commerce.fulfilment.program`):
    :meth:`step_program` and :meth:`acquire` are run by :meth:`run` with a
    :class:`~csp_commerce.provisioning.PartnerCenterClient`, or by :meth:`arun` with an
    :class:`~csp_commerce.provisioning.AsyncPartnerCenterClient` (no thread). :meth:`step` and
    :meth:`locked` are their sync forms for callers with plain functions.

    :param client: the Partner Center client (live or the sandbox's, sync or async); its cloud
        and partner tenant are the engine's *target*, written on every record.
    :param ledger: where steps, request ids and locks are kept.
    :param owner: this worker's name for order leases.
    :param lease_seconds: how long an order stays this worker's, and an idle lock lasts.
    :param lock_wait: how long to wait for a subscription another operation holds before
        giving up for now (the operation is interrupted and resumed later).
    :param sleep: how :meth:`run` waits for a lock; ``async_sleep``: how :meth:`arun` does.
    """

    def __init__(
        self,
        client: ClientT,
        ledger: Ledger,
        *,
        owner: str | None = None,
        lease_seconds: float = 300.0,
        lock_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.target = target_of(client)
        self.owner = owner or default_owner()
        self.lease_seconds = lease_seconds
        self.lock_wait = lock_wait
        self._sleep = sleep
        self._async_sleep = async_sleep

    def run(self: StepEngine[PartnerCenterClient], program: Program[T]) -> T:
        """Run a program of this engine's steps with its sync client."""
        return run(program, self._sleep)

    async def arun(self: StepEngine[AsyncPartnerCenterClient], program: Program[T]) -> T:
        """Run a program of this engine's steps with its async client, in this task."""
        return await run_async(program, self._async_sleep)

    def _plan(self, key: str, intent: Intent | Callable[[], Program[Intent]]) -> Program[Intent]:
        """A new step's intent; a definite refusal of the reads it needs fails the step before
        anything is recorded or sent."""
        if not callable(intent):
            return intent
        try:
            return (yield from intent())
        except UNKNOWN:
            raise
        except PartnerCenterClientError as error:
            raise _plan_failed(key, error) from error

    def with_client(self, client: ClientT) -> StepEngine[ClientT]:
        """The same engine over another client of the same Partner Center (e.g. one with an
        order's correlation id)."""
        engine = copy.copy(self)
        engine.client = client
        engine.check_target(target_of(client), "the client")
        return engine

    def check_target(self, recorded: str, what: str) -> None:
        """Refuse to act on a record made against another Partner Center."""
        if recorded != self.target:
            raise TargetMismatchError(
                f"{what} was recorded against {recorded!r}, not {self.target!r}: "
                "resume it with a client for that Partner Center"
            )

    def acquire(self, subscription_id: str, operation_id: str) -> Program[str]:
        """Take the subscription for ``operation_id`` (waiting up to ``lock_wait``, then raising
        :class:`OutcomeUnknown`); returns the lock's name, to pass to :meth:`step_program`.
        Give it back with :meth:`release` in a ``finally``."""
        name = f"subscription:{self.target}:{subscription_id}"
        deadline = time.monotonic() + self.lock_wait
        while not self.ledger.lock(name, operation_id, self.lease_seconds):
            if time.monotonic() >= deadline:
                holder = self.ledger.lock_holder(name)
                raise OutcomeUnknown(
                    f"subscription {subscription_id} is being changed by {holder}; try again later"
                )
            yield Pause(0.02)
        return name

    def release(self, name: str, operation_id: str) -> None:
        """Let go of a lock :meth:`acquire` took, unless a step holding it is still ``sent``:
        then it stays held until that step's outcome is known."""
        self.ledger.unlock(name, operation_id)

    @contextmanager
    def locked(
        self: StepEngine[PartnerCenterClient], subscription_id: str, operation_id: str
    ) -> Iterator[str]:
        """:meth:`acquire` and :meth:`release` around a block (sync): yields the lock's name."""
        name = self.run(self.acquire(subscription_id, operation_id))
        try:
            yield name
        finally:
            self.release(name, operation_id)

    def step(
        self: StepEngine[PartnerCenterClient],
        operation_id: str,
        key: str,
        kind: str,
        *,
        intent: Intent | Callable[[], Intent],
        send: Callable[[Step], Result],
        read_back: Callable[[Step], Result | None] | None = None,
        explained: Explained = (),
        owner: str | None = None,
        lock_name: str | None = None,
        context: Mapping[str, str | None] | None = None,
    ) -> Result:
        """:meth:`step_program` with plain (blocking) functions, run at once with the sync
        client: a step only a sync caller needs."""
        return self.run(
            self.step_program(
                operation_id,
                key,
                kind,
                intent=at_once(intent) if callable(intent) else intent,
                send=at_once(send),
                read_back=None if read_back is None else at_once(read_back),
                explained=explained,
                owner=owner,
                lock_name=lock_name,
                context=context,
            )
        )

    def step_program(
        self,
        operation_id: str,
        key: str,
        kind: str,
        *,
        intent: Intent | Callable[[], Program[Intent]],
        send: Callable[[Step], Program[Result]],
        read_back: Callable[[Step], Program[Result | None]] | None = None,
        explained: Explained = (),
        owner: str | None = None,
        lock_name: str | None = None,
        context: Mapping[str, str | None] | None = None,
    ) -> Program[Result]:
        """Make step ``key`` of ``operation_id`` happen exactly once; return its result.

        ``intent`` (or the program that plans it, run only for a new step: under the lock
        when the caller holds one) is recorded before ``send`` runs with the recorded step. A
        repeat that Partner Center refuses with one of ``explained`` (error classes, or a test
        of the error) is resolved by ``read_back``: None means not visible yet (the step stays
        sent), and ``read_back`` raises :class:`StepFailed` when what it reads shows the change
        was not made; the same refusal of a first attempt is a failure.
        ``owner`` extends an order's lease in the same write that records each attempt;
        ``lock_name`` is held until the outcome is known; ``context`` (customer_id,
        subscription_id, actor) makes the step findable in a subscription's history.
        ``intent``, ``send`` and ``read_back`` are programs (they yield the client's answers).

        Raises :class:`StepFailed` when the step failed for good (now or before), or one of
        :data:`UNKNOWN` when its outcome is unknown (the step stays ``sent``; call again);
        :class:`TargetMismatchError` for a step recorded against another Partner Center, and
        :class:`~csp_commerce.errors.LeaseLostError` when ``owner`` lost the order's lease
        (nothing is sent).
        """
        recorded = self.ledger.get_step(operation_id, key)
        if recorded is not None:
            self.check_target(recorded.target, f"step {key} of {operation_id}")
            if recorded.status is StepStatus.DONE:
                return recorded.result or {}
            if recorded.status is StepStatus.FAILED:
                raise StepFailed(
                    FailureDetail.model_validate(recorded.error or _unknown_failure(key)),
                    recorded.result,
                )
        planned = recorded.intent if recorded is not None else (yield from self._plan(key, intent))
        step = self.ledger.begin_step(
            operation_id,
            key,
            kind,
            planned,
            target=self.target,
            owner=owner,
            lease_seconds=self.lease_seconds,
            lock_name=lock_name,
            **dict(context or {}),
        )
        try:
            try:
                result = yield from send(step)
            except Exception as error:
                if step.attempts <= 1 or read_back is None or not _explains(explained, error):
                    raise
                found = yield from read_back(step)
                if found is None:
                    raise OutcomeUnknown(
                        f"step {key} of {operation_id} was sent before but its outcome is not"
                        " visible yet"
                    ) from None
                result = {**found, "read_back": True}
        except UNKNOWN:
            raise  # stays sent (and keeps its lock): sent again with the same id later
        except StepFailed as failed:
            self.ledger.finish_step(
                operation_id,
                key,
                StepStatus.FAILED,
                result=failed.result,
                error=_json(failed.detail),
            )
            raise
        except PartnerCenterClientError as error:
            detail = failure_from(error, line_id=_line_of(key))
            self.ledger.finish_step(operation_id, key, StepStatus.FAILED, error=_json(detail))
            raise StepFailed(detail) from error
        self.ledger.finish_step(operation_id, key, StepStatus.DONE, result=result)
        return result


def _explains(explained: Explained, error: Exception) -> bool:
    if isinstance(explained, tuple):
        return isinstance(error, explained)
    return explained(error)


def _plan_failed(key: str, error: PartnerCenterClientError) -> StepFailed:
    return StepFailed(failure_from(error, line_id=_line_of(key)))


def failure_from(error: PartnerCenterClientError, *, line_id: str | None) -> FailureDetail:
    """What a failed request tells the host: Partner Center's code and the request's ids."""
    return FailureDetail(
        message=str(error),
        error_type=type(error).__name__,
        code=None if error.code is None else str(error.code),
        description=error.description,
        request_id=error.request_id,
        correlation_id=error.correlation_id,
        line_id=line_id,
    )


def failure(
    message: str,
    *,
    code: str | None = None,
    request_id: str | None = None,
    line_id: str | None = None,
    error_type: str = "ProvisioningError",
) -> FailureDetail:
    """A failure the library itself found (no request to blame, or a partial order)."""
    return FailureDetail(
        message=message, error_type=error_type, code=code, request_id=request_id, line_id=line_id
    )


def _line_of(key: str) -> str | None:
    return key.partition(":")[2] or None


def _unknown_failure(key: str) -> dict[str, Any]:
    return _json(failure(f"step {key} failed", line_id=_line_of(key)))


def _json(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json"))
