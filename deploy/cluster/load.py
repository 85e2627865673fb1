"""Load through the balancer: wrk POSTs predictions until stopped, counting answers by status
and by the model version that answered."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

# response() sees every answer: a status outside 200-299 is a failure, and a 200's body names
# the version that answered. wrk gives each thread its own Lua state, so done() collects the
# threads' counts with thread:get.
LUA = """
wrk.method = "POST"
wrk.body = '{"instances": [1.0, 2.0, 3.0]}'
wrk.headers["Content-Type"] = "application/json"

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0; versions = {} end

function response(status, headers, body)
  if status < 200 or status > 299 then
    failed = failed + 1
  else
    local v = string.match(body, '"version":(%d+)') or "?"
    versions[v] = (versions[v] or 0) + 1
  end
end

function done(summary, latency, requests)
  local failed, versions = 0, {}
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failed")
    for v, n in pairs(thread:get("versions")) do versions[v] = (versions[v] or 0) + n end
  end
  local parts = {}
  for v, n in pairs(versions) do table.insert(parts, string.format('"%s": %d', v, n)) end
  local e = summary.errors
  io.write(string.format(
    'LOAD_JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"timeouts": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, "versions": {%s}}\\n',
    summary.requests, summary.duration, failed, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class LoadSummary:
    requests: int
    seconds: float
    non_2xx: int
    socket_errors: int  # connect, read and write errors between wrk and nginx
    timeouts: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    versions: dict[str, int]  # answers per model version

    @property
    def failures(self) -> int:
        return self.non_2xx + self.socket_errors + self.timeouts


class Load:
    """`wrk` with `connections` connections on one thread, running until stop()."""

    def __init__(self, url: str, connections: int, work_dir: Path,
                 longest_seconds: int = 600) -> None:
        wrk = shutil.which("wrk")
        if wrk is None:
            raise SystemExit("wrk is not installed: apt-get install -y wrk "
                             "(make cluster-test installs it)")
        script = work_dir / "predict.lua"
        script.write_text(LUA)
        self.command = [wrk, "-t1", f"-c{connections}", f"-d{longest_seconds}s",
                        "--timeout=10s", "-s", str(script), url]
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)

    def close(self) -> None:
        """Ends wrk if it is still running (a scenario step failed)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()

    def stop(self) -> LoadSummary:
        """SIGINT ends wrk's run early; it then prints its summary and runs done()."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        output, _ = self.process.communicate(timeout=30)
        lines = [line for line in output.splitlines() if line.startswith("LOAD_JSON ")]
        if not lines:
            raise RuntimeError(f"wrk printed no summary (exit {self.process.returncode}):\n"
                               f"{output}")
        data = json.loads(lines[-1].removeprefix("LOAD_JSON "))
        return LoadSummary(
            requests=data["requests"], seconds=data["duration_us"] / 1e6,
            non_2xx=data["non_2xx"], socket_errors=data["socket_errors"],
            timeouts=data["timeouts"], p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000, max_ms=data["max_us"] / 1000,
            versions=dict(sorted(data["versions"].items())))
