"""python -m deploy.cluster (make cluster-test): replicas behind nginx lose no request.

Trains `linear` once into a temporary repository, starts REPLICAS replicas of `python -m
service` on free localhost ports (all reading that one repository) and Debian's nginx in front
of them (deploy/nginx/nginx.conf.template; private prefix, pid file and logs), then drives
predictions through nginx with wrk while it SIGKILLs the first replica, SIGTERMs the second
(each is started again at once, as a supervisor would), and publishes a new version with the
trainer. Prints one line of figures: requests, failures (non-2xx answers, socket errors and
timeouts seen by wrk), the requests nginx retried on another replica, and how long after the
publish each replica answered with the new version (polled on each replica directly).

Exits 1 on any failed request, a drain that did not exit 0, or a replica that never served the
new version. Settings (environment): REPLICAS (3), CONNECTIONS (16), STEADY_SECONDS (3: load
before, between and after the faults), KEEP_DIR (1: keep the temporary directory and logs).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from deploy.cluster import scenario
from deploy.cluster.balancer import Nginx
from deploy.cluster.load import Load
from deploy.cluster.replicas import Replica, free_port, wait_for
from deploy.nginx import Balancer


def figures(outcome: scenario.Outcome, replicas: int) -> str:
    load, retries = outcome.load, outcome.retries
    versions = ", ".join(f"v{v} {n}" for v, n in load.versions.items())
    causes = ", ".join(f"{status} x{n}" for status, n in sorted(retries.first_failures.items()))
    each = ", ".join(f"{name} {s:.1f} s" for name, s in outcome.per_replica_s.items())
    return (f"cluster-test: {replicas} replicas, {load.requests} requests in {load.seconds:.1f} s "
            f"({load.requests / load.seconds:.0f}/s, p99 {load.p99_ms:.0f} ms, max "
            f"{load.max_ms:.0f} ms), {load.failures} failed ({load.non_2xx} non-2xx, "
            f"{load.socket_errors} socket errors, {load.timeouts} timeouts); nginx retried "
            f"{retries.retried} on another replica ({causes or 'none'}), "
            f"{retries.client_closed} cut by wrk's stop; answers {versions}; "
            f"version {outcome.new_version} served by every replica "
            f"{outcome.everywhere_after_s:.1f} s after its publish ({each})")


def problems(outcome: scenario.Outcome, connections: int) -> list[str]:
    found = []
    if outcome.load.failures or outcome.retries.non_2xx:
        found.append(f"{outcome.load.failures} failed requests (nginx logged "
                     f"{outcome.retries.non_2xx} non-2xx answers)")
    # wrk's stop closes its connections with a request in flight on each: nginx logs those 499.
    if outcome.retries.client_closed > connections:
        found.append(f"nginx logged {outcome.retries.client_closed} requests the client gave up "
                     f"on, more than the {connections} in flight when the load stopped")
    if outcome.drain_exit_code != 0:
        found.append(f"the SIGTERMed replica exited {outcome.drain_exit_code}, not 0")
    if outcome.load.requests == 0:
        found.append("no request was answered")
    return found


def main() -> int:
    count = int(os.environ.get("REPLICAS", "3"))
    connections = int(os.environ.get("CONNECTIONS", "16"))
    steady = float(os.environ.get("STEADY_SECONDS", "3"))
    work = Path(tempfile.mkdtemp(prefix="cluster-test-"))
    repository = work / "models"
    # One host, many replicas: each gets its own HTTP port, and gRPC (default 8500, which they
    # would all try to bind) is off; nginx balances HTTP only.
    env = {"LOG_FORMAT": "text", "GRPC_PORT": "0"}
    replicas = [Replica(f"r{i + 1}", repository, free_port(), work, env) for i in range(count)]
    port = free_port()
    nginx = Nginx(Balancer(listen=f"127.0.0.1:{port}", state_dir=work / "nginx",
                           replicas=tuple(f"127.0.0.1:{r.port}" for r in replicas)))
    load = Load(f"http://127.0.0.1:{port}/predict/{scenario.MODEL}", connections, work)
    try:
        version = scenario.publish(repository)
        print(f"cluster-test: trained {scenario.MODEL} version {version} into {repository}",
              flush=True)
        for replica in replicas:
            replica.start()
        wait_for(replicas, lambda r: r.get_json("/health/ready") is not None, "ready", 180)
        nginx.start(port)
        print(f"cluster-test: {count} replicas ready; nginx on 127.0.0.1:{port}", flush=True)
        outcome = scenario.run(replicas, nginx, load, repository, steady)
    finally:
        load.close()
        nginx.stop()
        for replica in replicas:
            if replica.running():
                replica.terminate()
        if os.environ.get("KEEP_DIR") == "1":
            print(f"cluster-test: kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(figures(outcome, count), flush=True)
    found = problems(outcome, connections)
    for problem in found:
        print(f"cluster-test: FAILED: {problem}", flush=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
