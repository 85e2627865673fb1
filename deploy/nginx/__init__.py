"""The nginx configuration for replicas: `nginx.conf.template` with its tokens filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
ADDRESS = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$")
TOKEN = re.compile(r"@[A-Z_]+@")


@dataclass(frozen=True)
class Balancer:
    """What varies between installations; every other setting is in the template."""

    listen: str  # nginx `listen` value: "8080", "127.0.0.1:8080", "[::]:8080"
    replicas: tuple[str, ...]  # host:port of each replica
    state_dir: Path  # pid file, logs and temporary files (absolute)
    worker_processes: str = "auto"
    max_fails: int = 1  # failed attempts within fail_timeout that take a replica out ...
    fail_timeout_s: int = 2  # ... for this long


def check(balancer: Balancer) -> None:
    """Refuses a configuration nginx would misread, naming the bad value."""
    if not balancer.replicas:
        raise ValueError("no replicas: give at least one host:port")
    for address in balancer.replicas:
        match = ADDRESS.match(address)
        if not match or not 0 < int(match.group(2)) < 65536:
            raise ValueError(f"replica {address!r} is not host:port (e.g. 10.0.0.7:8000, "
                             "[fd00::7]:8000, replica-1.internal:8000)")
    if not balancer.state_dir.is_absolute():
        raise ValueError(f"state directory {str(balancer.state_dir)!r} must be an absolute path")
    if not re.fullmatch(r"auto|[1-9][0-9]*", balancer.worker_processes):
        raise ValueError(f"worker processes {balancer.worker_processes!r}: a positive integer "
                         "or auto")
    if balancer.max_fails < 1 or balancer.fail_timeout_s < 1:
        raise ValueError("max_fails and fail_timeout must be at least 1")


def render(balancer: Balancer) -> str:
    """The configuration text for `balancer`."""
    check(balancer)
    servers = "\n".join(f"        server {address} max_fails={balancer.max_fails} "
                        f"fail_timeout={balancer.fail_timeout_s}s;"
                        for address in balancer.replicas)
    values = {"@LISTEN@": balancer.listen, "@SERVERS@": servers,
              "@STATE_DIR@": str(balancer.state_dir),
              "@WORKER_PROCESSES@": balancer.worker_processes}
    text = TOKEN.sub(lambda token: values[token.group(0)], TEMPLATE.read_text())
    return text
