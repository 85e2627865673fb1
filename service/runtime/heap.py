"""Keeps the garbage collector's full passes off TensorFlow and the loaded models.

Importing TensorFlow and loading the models leaves some 300,000 tracked objects that live as long
as the process. A full collection walks all of them (0.1-0.2 s with the event loop stopped), and
under load one is due every few seconds, which multiplies tail latency and costs a third of the
CPU. Once the loaded versions settle, the heap is moved into the permanent generation
(`gc.freeze`), so full collections walk only objects created since. Versions that are added
are frozen the same way (a cheap move, no collection). When a version goes away, the heap is
thawed, collected once (freeing the unloaded version's reference cycles, ~0.2 s) and frozen again,
so hot reloads do not leak.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

from service.core.registry.poller import RepositoryPoller
from service.core.types import VersionState

logger = logging.getLogger("service.heap")
SETTLED = (VersionState.AVAILABLE, VersionState.FAILED)


def loaded_set(poller: RepositoryPoller) -> frozenset | None:
    """Which versions are held, or None while any is loading or unloading."""
    held = set()
    for record in list(poller.manager.models.values()):
        for servable in list(record.versions.values()):
            if servable.state not in SETTLED:
                return None
            held.add((record.name, servable.version, servable.state, servable.loaded_at))
    return frozenset(held)


def refreeze(collect: bool) -> float:
    """Freezes the heap, after thawing and collecting it first when `collect`; returns the
    seconds it took."""
    started = time.perf_counter()
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    return time.perf_counter() - started


async def keep_heap(poller: RepositoryPoller, stop: asyncio.Event, interval: float = 0.5) -> None:
    """Refreezes whenever the settled set of loaded versions differs from the frozen one;
    thaws on the way out (so an app embedded in a longer-lived process leaks nothing)."""
    frozen: frozenset = frozenset()
    try:
        while not stop.is_set():
            current = loaded_set(poller)
            if current is not None and current != frozen and poller.polls > 0:
                seconds = refreeze(collect=not current >= frozen)
                frozen = current
                logger.info("heap frozen with %d versions held (%.0f ms)", len(current),
                            seconds * 1000)
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass
    finally:
        gc.unfreeze()
