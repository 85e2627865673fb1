"""One worker's place among the WORKERS processes: its number, and the shared readiness flags
through which every worker's /health/ready answers 503 until all workers are ready."""

from __future__ import annotations

import os
from collections.abc import MutableSequence
from dataclasses import dataclass, field


@dataclass
class WorkerSlot:
    index: int  # 0-based
    count: int
    flags: MutableSequence[int]  # a multiprocessing Array shared by the supervisor and workers
    pid: int = field(default_factory=os.getpid)

    def set_ready(self, ready: bool) -> None:
        self.flags[self.index] = 1 if ready else 0

    def others_waiting(self) -> list[int]:
        """The other workers (1-based, as logged) not ready yet."""
        return [i + 1 for i in range(self.count) if i != self.index and not self.flags[i]]
