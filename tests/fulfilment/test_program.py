"""The two drivers of a program: answers passed back, exceptions raised where the call was
made (so ``finally`` runs), pauses slept, and a program given the wrong client refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from csp_commerce.fulfilment.program import Pause, Program, run, run_async


def reads(log: list[str], *asks: Any) -> Program[list[Any]]:
    answers = []
    try:
        for ask in asks:
            answers.append((yield ask))
    except ValueError as error:
        log.append(f"caught {error}")
        raise
    finally:
        log.append("finally")
    return answers


async def answer(value: Any) -> Any:
    return value


async def refuse() -> Any:
    raise ValueError("refused")


def test_the_sync_driver_passes_answers_back_and_sleeps_pauses() -> None:
    slept: list[float] = []
    log: list[str] = []
    assert run(reads(log, 1, Pause(0.5), "two"), slept.append) == [1, None, "two"]
    assert slept == [0.5]
    assert log == ["finally"]


async def test_the_async_driver_awaits_answers_and_raises_failures_in_the_program() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    log: list[str] = []
    assert await run_async(reads(log, answer(1), Pause(2.0)), sleep) == [1, None]
    assert slept == [2.0]
    with pytest.raises(ValueError, match="refused"):
        await run_async(reads(log, answer(1), refuse()), sleep)
    assert log == ["finally", "caught refused", "finally"]


async def test_a_cancelled_task_runs_the_programs_finally() -> None:
    log: list[str] = []
    task = asyncio.create_task(run_async(reads(log, asyncio.sleep(60)), asyncio.sleep))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["finally"]


def test_the_sync_driver_refuses_an_async_clients_answer() -> None:
    log: list[str] = []
    with pytest.raises(TypeError, match="async client"):
        run(reads(log, answer(1)), lambda _: None)
    assert log == ["finally"]


async def test_the_async_driver_refuses_a_sync_clients_answer() -> None:
    with pytest.raises(TypeError, match="sync client"):
        await run_async(reads([], {"id": "c1"}), asyncio.sleep)


def test_a_program_yielded_instead_of_run_with_yield_from_is_refused() -> None:
    with pytest.raises(TypeError, match="yield from"):
        run(reads([], reads([], 1)), lambda _: None)
