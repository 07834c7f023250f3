"""The gateway's request deadlines (deadlines.Deadlines): a late await raises TimeoutError and
leaves its task able to go on; an await in time, or cancelled by someone else, is left alone."""

from __future__ import annotations

import asyncio

import pytest

from mlops.online import deadlines


def test_an_await_past_its_time_is_cancelled_and_the_task_goes_on() -> None:
    async def run() -> tuple[str, float, bool, str]:
        loop = asyncio.get_running_loop()
        late = loop.create_future()
        started = loop.time()
        try:
            await deadlines.Deadlines().within(late, 0.1)
            outcome = "answered"
        except TimeoutError:
            outcome = "timed out"
        took = loop.time() - started
        await asyncio.sleep(0.01)  # the task is not left cancelled
        return outcome, took, late.cancelled(), "went on"

    outcome, took, cancelled, after = asyncio.run(run())

    assert (outcome, cancelled, after) == ("timed out", True, "went on")
    assert 0.1 <= took < 0.1 + 4 * deadlines.SWEEP_SECONDS


def test_awaits_in_time_return_their_result_and_the_sweep_stops() -> None:
    async def run() -> tuple[list[int], bool]:
        limits = deadlines.Deadlines()

        async def answer(value: int) -> int:
            await asyncio.sleep(0.01)
            return value

        results = await asyncio.gather(*(limits.within(answer(n), 5) for n in range(3)))
        await asyncio.sleep(2 * deadlines.SWEEP_SECONDS)
        return results, limits._sweep is None

    assert asyncio.run(run()) == ([0, 1, 2], True)


def test_a_cancel_from_elsewhere_stays_a_cancel() -> None:
    async def run() -> None:
        limits = deadlines.Deadlines()
        waiting = asyncio.ensure_future(limits.within(asyncio.sleep(10), 5))
        await asyncio.sleep(0.01)
        waiting.cancel()
        await waiting

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(run())
