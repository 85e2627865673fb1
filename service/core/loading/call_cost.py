"""Which signature calls are cheap enough to run on the event loop itself.

Handing a call to the inference threads and taking its answer back costs more than a small
session call does: at c=1 on one core, the hand-over took 80 µs of CPU a request (the loop's
wake-up from the thread, the thread's own wake-up, the future's callbacks), where a session run
of a Dense model's few rows takes 6-17 µs (service.core.loading.session_call). So, at load, a
session call is timed on probes of 1, 2, 4, ... rows; every batch with no more input values
than the largest probe whose median call took at most the budget (`INLINE_CALL_MAX_US`) runs
on the loop, which it then holds for about that long, as a parse of the request would. Only a
session run whose cost follows the batch's size is timed: every input's inner dimensions known
(the probes' values count is then the batch's) and no control flow (a loop's cost may follow
the values). Bigger batches, other signatures, eager calls (they wake TensorFlow's own threads
anyway) and a budget of 0 use the inference threads.
"""

from __future__ import annotations

import statistics
import time

from service.core.loading.signature_call import Call, probe_inputs
from service.core.types import Signature

PROBE_ROWS = tuple(2 ** i for i in range(11))  # 1 to 1,024 rows
REPEATS = 5


def _median_seconds(call: Call, sample: dict) -> float:
    call(sample)  # the first call of a shape allocates
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        call(sample)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def inline_values(call: Call, signature: Signature, budget_us: float) -> int:
    """Input values (all inputs, all rows) up to which a call stays within `budget_us`; 0 when
    even one row does not."""
    limit = 0
    for rows in PROBE_ROWS if budget_us > 0 else ():
        sample = probe_inputs(signature, rows)
        try:
            seconds = _median_seconds(call, sample)
        except Exception:  # a probe this big is refused (a value out of a lookup's range...)
            break
        if seconds * 1e6 > budget_us:
            break
        limit = sum(values.size for values in sample.values())
    return limit
