"""The availability-preserving policy, decided on records alone (no loading): the latest
complete version, falling back past failures, labelled versions, rewrites and retirements."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service.core.registry import policy
from service.core.registry.records import ModelRecord
from service.core.registry.servable import Servable
from service.core.repository.entries import Problem, ProblemKind, VersionEntry
from service.core.types import VersionState

POOL = ThreadPoolExecutor(1)


def entry(version: int, complete: bool = True, listing: tuple = ()) -> VersionEntry:
    problem = None if complete else Problem(ProblemKind.INCOMPLETE, "incomplete")
    return VersionEntry(version, Path(f"/m/{version}"), complete, problem, listing)


def servable(version: int, state: VersionState, listing: tuple = ()) -> Servable:
    held = Servable("m", version, Path(f"/m/{version}"), listing, POOL, 8, 0.0)
    held.state = state
    return held


def record(on_disk: list[VersionEntry], loaded: list[Servable] = (),
           labels: dict[str, int] | None = None) -> ModelRecord:
    return ModelRecord("m", {s.version: s for s in loaded}, labels or {},
                       {e.number: e for e in on_disk})


def test_the_latest_complete_version_is_loaded_first() -> None:
    action = policy.next_load(record([entry(1), entry(2), entry(3, complete=False)]))
    assert isinstance(action, policy.Load) and action.entry.number == 2


def test_a_failed_latest_falls_back_to_the_next_older() -> None:
    held = record([entry(1), entry(2)], [servable(2, VersionState.FAILED)])
    action = policy.next_load(held)
    assert isinstance(action, policy.Load) and action.entry.number == 1


def test_nothing_to_load_once_the_latest_is_held() -> None:
    held = record([entry(1), entry(2)], [servable(2, VersionState.AVAILABLE)])
    assert policy.next_load(held) is None


def test_labelled_versions_are_loaded_too() -> None:
    held = record([entry(1), entry(2)], [servable(2, VersionState.AVAILABLE)], {"stable": 1})
    action = policy.next_load(held)
    assert isinstance(action, policy.Load) and action.entry.number == 1


def test_a_served_version_rewritten_on_disk_is_reloaded_once_per_listing() -> None:
    served = servable(1, VersionState.AVAILABLE, listing=(("a", 1, 1),))
    held = record([entry(1, listing=(("a", 2, 2),))], [served])
    action = policy.next_load(held)
    assert isinstance(action, policy.Reload) and action.current is served
    held.rewrite_failures[1] = ((("a", 2, 2),), "broken")
    assert policy.next_load(held) is None  # the same failed files are not retried


def test_superseded_unlabelled_versions_retire_and_the_default_stays() -> None:
    old, new = servable(1, VersionState.AVAILABLE), servable(2, VersionState.AVAILABLE)
    unloads = policy.retirements(record([entry(1), entry(2)], [old, new]))
    assert [(u.servable, u.reason) for u in unloads] == [(old, "superseded")]
    assert policy.retirements(record([entry(1), entry(2)], [old, new], {"stable": 1})) == []


def test_the_last_serving_version_is_kept_when_removed_from_disk() -> None:
    last = servable(1, VersionState.AVAILABLE)
    assert policy.retirements(record([], [last])) == []
    gone, kept = servable(1, VersionState.AVAILABLE), servable(2, VersionState.AVAILABLE)
    unloads = policy.retirements(record([entry(2)], [gone, kept]))
    assert [(u.servable, u.reason) for u in unloads] == [(gone, "removed from disk")]


def test_failures_are_forgotten_when_their_files_change_or_go() -> None:
    failed = servable(1, VersionState.FAILED, listing=(("a", 1, 1),))
    assert policy.stale_failures(record([entry(1, listing=(("a", 1, 1),))], [failed])) == []
    assert policy.stale_failures(record([entry(1, listing=(("a", 2, 2),))], [failed])) == [1]
    assert policy.stale_failures(record([], [failed])) == [1]
