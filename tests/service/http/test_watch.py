"""A connection's deadline runs its callback at the deadline, never before, once; a cleared or
closed one never runs."""

from __future__ import annotations

import asyncio
import time

import uvloop

from service.http.watch import Watch

EARLY = 0.005  # uvloop's clock counts whole milliseconds, cached for a turn of the loop


def run(scenario) -> list:  # noqa: ANN001 - an async function of (watch, fired)
    """The scenario's calls, on asyncio's loop and on uvloop's (the server's), which must
    agree."""
    async def main() -> list:
        fired: list[tuple[str, float]] = []
        watch = Watch(asyncio.get_running_loop())
        await scenario(watch, fired)
        watch.close()
        return fired
    on_asyncio, on_uvloop = asyncio.run(main()), uvloop.run(main())
    assert [name for name, _ in on_asyncio] == [name for name, _ in on_uvloop]
    return on_asyncio + on_uvloop


async def settle(fired: list, calls: int = 1) -> None:
    """Waits (up to 5 s) for `calls` callbacks, then a little longer for any extra one."""
    deadline = time.monotonic() + 5
    while len(fired) < calls and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.1)


def note(fired: list, name: str, started: float):  # noqa: ANN201 - a callback
    return lambda: fired.append((name, time.monotonic() - started))


def test_it_runs_at_its_deadline_once() -> None:
    async def scenario(watch: Watch, fired: list) -> None:
        watch.set(0.05, note(fired, "a", time.monotonic()))
        await settle(fired)
    for name, after in run(scenario):  # once on each loop
        assert name == "a" and after >= 0.05 - EARLY


def test_a_later_deadline_moves_it_later() -> None:
    async def scenario(watch: Watch, fired: list) -> None:
        started = time.monotonic()
        watch.set(0.05, note(fired, "first", started))
        await asyncio.sleep(0.03)
        watch.set(0.1, note(fired, "second", started))  # due 0.13 s or more after the start
        await settle(fired)
    for name, after in run(scenario):
        assert name == "second" and after >= 0.13 - EARLY


def test_a_sooner_deadline_moves_it_sooner() -> None:
    async def scenario(watch: Watch, fired: list) -> None:
        started = time.monotonic()
        watch.set(5.0, note(fired, "keep-alive", started))
        watch.set(0.05, note(fired, "header", started))
        await settle(fired)
    for name, after in run(scenario):
        assert name == "header" and 0.05 - EARLY <= after < 4.0  # not the keep-alive's 5 s


def test_cleared_or_closed_it_does_not_run() -> None:
    async def cleared(watch: Watch, fired: list) -> None:
        watch.set(0.03, note(fired, "cleared", time.monotonic()))
        watch.clear()
        await asyncio.sleep(0.1)
        assert watch.expire is None

    async def closed(watch: Watch, fired: list) -> None:
        watch.set(0.03, note(fired, "closed", time.monotonic()))
        watch.close()
        await asyncio.sleep(0.1)
    assert run(cleared) == [] and run(closed) == []


def test_set_again_after_clearing_runs_the_new_callback() -> None:
    async def scenario(watch: Watch, fired: list) -> None:
        started = time.monotonic()
        for _ in range(1000):  # a request a turn: set, cleared, set again
            watch.set(0.05, note(fired, "body", started))
            watch.clear()
        watch.set(0.05, note(fired, "last", started))
        await settle(fired)
    assert [name for name, _ in run(scenario)] == ["last", "last"]
