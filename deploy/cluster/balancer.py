"""Debian's nginx with a private configuration, prefix and pid file, and what its access log
says about retries."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from collections import Counter
from dataclasses import dataclass

from deploy.nginx import Balancer, render

# `replicas` log format: ... $status ... upstream_status=$upstream_status ...
LOG_LINE = re.compile(r"^\S+ (?P<status>\d{3}) .* "
                      r"upstream_status=(?P<upstream>[^ ,]+(?:, [^ ,]+)*) ")


@dataclass(frozen=True)
class Retries:
    answered: int  # requests nginx logged
    non_2xx: int  # answers nginx gave that were not 2xx, 499 aside
    client_closed: int  # 499: the client closed the connection first (wrk's stop does)
    retried: int  # requests that reached more than one replica
    first_failures: dict[str, int]  # retried requests by the first replica's failure


class Nginx:
    def __init__(self, balancer: Balancer) -> None:
        nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
        if nginx is None:
            raise SystemExit("nginx is not installed: apt-get install -y nginx "
                             "(make cluster-test installs it)")
        self.balancer = balancer
        state = balancer.state_dir
        state.mkdir(parents=True, exist_ok=True)
        state.chmod(0o755)  # nginx's workers (nobody, when started as root) reach their files
        self.config = state / "nginx.conf"
        self.config.write_text(render(balancer))
        # -e: the error log before the configuration is read (the default is under /var/log).
        base = [nginx, "-p", str(state), "-c", str(self.config), "-e", str(state / "error.log")]
        self.check_command = [*base, "-t", "-q"]
        self.command = [*base, "-g", "daemon off;"]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, port: int, timeout: float = 10.0) -> None:
        subprocess.run(self.check_command, check=True, capture_output=True)
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"nginx is not listening on {port}: {self.error_log()}")

    def stop(self) -> None:
        """SIGQUIT: nginx finishes the requests it has, flushes its logs and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def error_log(self) -> str:
        path = self.balancer.state_dir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def retries(self) -> Retries:
        answered = non_2xx = client_closed = retried = 0
        first: Counter[str] = Counter()
        for line in (self.balancer.state_dir / "access.log").read_text().splitlines():
            match = LOG_LINE.match(line)
            if match is None:
                continue
            answered += 1
            client_closed += match["status"] == "499"
            non_2xx += match["status"][0] != "2" and match["status"] != "499"
            attempts = match["upstream"].split(", ")
            if len(attempts) > 1:
                retried += 1
                first[attempts[0]] += 1
        return Retries(answered, non_2xx, client_closed, retried, dict(first))
