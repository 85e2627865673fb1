"""The failure scenario: load through nginx while one replica is killed, another stopped, both
started again, and a new version published; every step is timed from the start of the load."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.cluster.balancer import Nginx, Retries
from deploy.cluster.load import Load, LoadSummary
from deploy.cluster.replicas import ROOT, Replica, wait_for

MODEL = "linear"


@dataclass
class Timeline:
    started: float = field(default_factory=time.monotonic)
    events: list[str] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.started

    def note(self, event: str) -> None:
        self.events.append(f"{event} at {self.now():.1f} s")
        print(f"cluster-test: {self.events[-1]}", flush=True)


@dataclass(frozen=True)
class Outcome:
    load: LoadSummary
    retries: Retries
    events: list[str]
    drain_exit_code: int
    drain_seconds: float
    new_version: int
    everywhere_after_s: float  # from the publish to the last replica answering the version
    per_replica_s: dict[str, float]


def publish(repository: Path) -> int:
    """`python -m training linear`: trains and publishes the next version (atomic rename)."""
    subprocess.run([sys.executable, "-m", "training", MODEL, "--quiet", "--repository",
                    str(repository)], cwd=ROOT, check=True, capture_output=True, timeout=300)
    return max(int(p.name) for p in (repository / MODEL).iterdir() if p.name.isdigit())


def restart(replica: Replica, timeline: Timeline, what: str) -> None:
    replica.start()
    timeline.note(f"{replica.name} {what}")


def run(replicas: list[Replica], nginx: Nginx, load: Load, repository: Path,
        steady_seconds: float) -> Outcome:
    """Runs the scenario under load; replicas and nginx are up and ready when it is called."""
    killed, stopped = replicas[0], replicas[1]
    timeline = Timeline()
    load.start()
    time.sleep(steady_seconds)
    killed.kill()
    timeline.note(f"SIGKILL {killed.name}")
    restart(killed, timeline, "started again")
    time.sleep(steady_seconds)
    code, drained = stopped.terminate()
    timeline.note(f"SIGTERM {stopped.name} (exit {code} after {drained:.1f} s)")
    restart(stopped, timeline, "started again")
    wait_for(replicas, lambda r: r.get_json("/health/ready") is not None, "ready", 120)
    timeline.note("all replicas ready")
    version = publish(repository)
    timeline.note(f"version {version} published")
    # Polled from the moment the version directory was renamed into place.
    reached = wait_for(replicas, lambda r: r.default_version(MODEL) == version,
                       f"serving version {version}", 60)
    timeline.note(f"every replica answers version {version}")
    time.sleep(steady_seconds)  # the new version under load, on every replica
    summary = load.stop()
    nginx.stop()
    return Outcome(load=summary, retries=nginx.retries(), events=timeline.events,
                   drain_exit_code=code, drain_seconds=drained, new_version=version,
                   everywhere_after_s=max(reached.values()),
                   per_replica_s={name: round(s, 1) for name, s in reached.items()})
