"""Programs: the step engine and the order saga written once, run by a sync or an async driver.

A *program* is a generator. Where it needs Partner Center it calls the client it was given and
yields what the call gave: the answer itself from a :class:`PartnerCenterClient`, an awaitable
from an :class:`AsyncPartnerCenterClient`, a pager from a listing. It receives the answer (a
pager read to a list), or the call's exception is raised at the ``yield``, as if the call had
been made there. ``yield Pause(seconds)`` waits. A program runs another with ``yield from``.
So a step is described once, as the client's operations are (``provisioning/_core.py``):

.. code-block:: python

    def read(engine: StepEngine[ClientT], customer_id: str) -> Program[str]:
        customer: PCCustomer = yield engine.client.customers.get(customer_id)
        return customer.id

    run(read(sync_engine, "c1"), time.sleep)                 # a blocking host
    await run_async(read(async_engine, "c1"), asyncio.sleep)  # an asyncio host: no threads

Ledger writes and hooks stay inline and synchronous in both drivers: each ledger write is one
short local transaction (well under a millisecond on SQLite), shorter than the thread hop
``asyncio.to_thread`` would add, and a lock another worker holds is never waited for inside the
database (the engine polls it with ``Pause``). An exception the driver meets (a lost answer, a
cancelled task, ``KeyboardInterrupt`` in a sleep) is thrown into the program, so its ``except``
and ``finally`` clauses run exactly as they would around a direct call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Generator
from dataclasses import dataclass
from types import GeneratorType
from typing import TYPE_CHECKING, Any, TypeVar

from csp_commerce.provisioning.pagination import AsyncPager, SyncPager

if TYPE_CHECKING:
    from collections.abc import Awaitable

T = TypeVar("T")


@dataclass(frozen=True)
class Pause:
    """A wait inside a program (the engine polling a lock another operation holds)."""

    seconds: float


#: A step, a saga or a part of one: yields answers-to-be and pauses, returns its result.
Program = Generator[Any, Any, T]


def at_once(function: Callable[..., T]) -> Callable[..., Program[T]]:
    """A plain function (its calls blocking, if any) as a program: for the sync ``step`` API."""

    def program(*args: Any, **kwargs: Any) -> Program[T]:
        yield from ()
        return function(*args, **kwargs)

    return program


def run(program: Program[T], sleep: Callable[[float], None]) -> T:
    """Run ``program`` with a sync client's answers; ``sleep`` waits out a :class:`Pause`."""
    answer: Any = None
    error: BaseException | None = None
    while True:
        try:
            asked = program.send(answer) if error is None else program.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        answer, error = None, None
        try:
            if isinstance(asked, Pause):
                sleep(asked.seconds)
            elif isinstance(asked, SyncPager):
                answer = list(asked)
            elif isinstance(asked, AsyncPager):
                raise TypeError("a sync driver cannot page an async client's listing")
            else:
                answer = _plain(asked, "a sync driver")
        except BaseException as exc:  # raised in the program, where the call was made
            error = exc


async def run_async(program: Program[T], sleep: Callable[[float], Awaitable[None]]) -> T:
    """Run ``program`` with an async client's answers, awaiting each in this task (no thread);
    ``sleep`` waits out a :class:`Pause`."""
    answer: Any = None
    error: BaseException | None = None
    while True:
        try:
            asked = program.send(answer) if error is None else program.throw(error)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        answer, error = None, None
        try:
            if isinstance(asked, Pause):
                await sleep(asked.seconds)
            elif isinstance(asked, AsyncPager):
                answer = await asked.to_list()
            elif inspect.isawaitable(asked):
                answer = await asked
            else:  # a sync client's answer: it blocked this event loop
                _plain(asked, "an async driver")
                raise TypeError("an async driver was given a sync client's answer")
        except BaseException as exc:  # CancelledError too: the program's finally clauses run
            error = exc


def _plain(asked: Any, driver: str) -> Any:
    """A sync client's answer, passed back as it is; a mistake is refused."""
    if isinstance(asked, GeneratorType):
        asked.close()
        raise TypeError("a program yielded a program: run it with 'yield from'")
    if inspect.isawaitable(asked):
        if inspect.iscoroutine(asked):
            asked.close()
        raise TypeError(f"{driver} cannot await: the program was given an async client")
    return asked


__all__ = ["Pause", "Program", "at_once", "run", "run_async"]
