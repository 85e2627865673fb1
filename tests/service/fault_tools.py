"""Tools for the fault, fuzz and security tests: hand-made SavedModels that misbehave, a slow
copier, bounded concurrent traffic, polling helpers and the server's memory."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

LINEAR_METADATA = {"signature": {"inputs": ["x"], "outputs": ["y"]}}


def model_view(url: str, name: str) -> dict:
    return httpx.get(f"{url}/models/{name}", timeout=10).json()


def version_entry(url: str, name: str, version: int) -> dict | None:
    for entry in model_view(url, name).get("versions", []):
        if entry["version"] == version:
            return entry
    return None


def in_flight(url: str, api_key: str | None = None) -> int:
    """The server's in-flight request gauge (the scrape itself is not counted)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    text = httpx.get(f"{url}/metrics", headers=headers, timeout=10).text
    line = next(x for x in text.splitlines() if x.startswith("serving_requests_in_flight "))
    return int(float(line.split()[1]))


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


# -- SavedModels made by hand -------------------------------------------------------------------
def save_module(directory: Path, serve: Callable, module: object) -> Path:
    """Saves `module` with `serve` as serving_default (one float input x, output y)."""
    import tensorflow as tf

    staging = directory.with_name(f".tmp-{directory.name}")
    tf.saved_model.save(module, str(staging), signatures={"serving_default": serve})
    (staging / "metadata.json").write_text(json.dumps(LINEAR_METADATA))
    staging.rename(directory)
    return directory


def _module(body: Callable) -> tuple[Callable, object]:
    import tensorflow as tf

    module = tf.Module()
    module.serve = tf.function(body, input_signature=[tf.TensorSpec([None], tf.float32,
                                                                    name="x")])
    return module.serve, module


def save_wrong_rows_model(directory: Path) -> Path:
    """Answers two rows per input row: the warm-up must refuse it."""
    import tensorflow as tf

    return save_module(directory, *_module(lambda x: {"y": tf.concat([x, x], 0)}))


def save_raises_on_zero_model(directory: Path) -> Path:
    """Raises for an input of 0 (which the warm-up sends)."""
    import tensorflow as tf

    def body(x: tf.Tensor) -> dict:
        check = tf.debugging.Assert(tf.reduce_all(tf.not_equal(x, 0.0)), ["zero input"])
        with tf.control_dependencies([check]):
            return {"y": tf.identity(x)}

    return save_module(directory, *_module(body))


def save_slow_model(directory: Path) -> Path:
    """y = x, after spinning for max(|x|) milliseconds (tf.timestamp, so the same everywhere)."""
    import tensorflow as tf

    def body(x: tf.Tensor) -> dict:
        seconds = tf.cast(tf.reduce_max(tf.abs(x)), tf.float64) / 1000.0
        start = tf.timestamp()
        spins = tf.while_loop(lambda i: tf.timestamp() - start < seconds, lambda i: i + 1,
                              [tf.constant(0, tf.int64)])
        return {"y": x + 0.0 * tf.cast(spins, tf.float32)}

    return save_module(directory, *_module(body))


# -- a foreign tool writing a version file by file ----------------------------------------------
FIRST = ("saved_model.pb", "variables/variables.index", "fingerprint.pb")


def copy_slowly(source: Path, target: Path, pause: float, chunks: int = 4,
                stall_in_data: float = 0.0) -> float:
    """Copies `source` into `target` one file at a time, the awkward files first, data shards in
    `chunks` pieces, preserving mtimes (as `cp -p` and many sync tools do). Returns the time the
    last byte was written."""
    files = sorted((p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()),
                   key=lambda name: (name not in FIRST, FIRST.index(name) if name in FIRST else 0,
                                     name))
    for name in files:
        src, dst = source / name, target / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if "variables.data" in name:
            data = src.read_bytes()
            step = max(1, len(data) // chunks)
            with open(dst, "wb") as handle:
                for start in range(0, len(data), step):
                    handle.write(data[start:start + step])
                    handle.flush()
                    time.sleep(stall_in_data if start == 0 and stall_in_data else pause)
        else:
            shutil.copyfile(src, dst)
        shutil.copystat(src, dst)  # old mtime, as cp -p would leave it
        time.sleep(pause)
    return time.time()


# -- bounded concurrent traffic -----------------------------------------------------------------
@dataclass
class Outcome:
    status: int  # -1: the request failed without an HTTP answer
    body: dict | str
    inputs: list[float]
    sent: float
    answered: float


@dataclass
class Traffic:
    """`workers` threads, each with its own keep-alive connection, POSTing at `url` until told to
    stop, or `max_requests` in all, or `max_seconds` passed."""

    url: str
    make_inputs: Callable[[int], list[float]]
    workers: int = 8
    max_requests: int = 20_000
    max_seconds: float = 90.0
    outcomes: list[Outcome] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True)
                         for i in range(self.workers)]

    def __enter__(self) -> Traffic:
        self._started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> list[Outcome]:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.max_seconds + 15)
        return self.outcomes

    def count(self) -> int:
        return len(self.outcomes)

    def _run(self, worker: int) -> None:
        deadline = self._started + self.max_seconds
        with httpx.Client(timeout=15) as client:
            n = 0
            while not self._stop.is_set() and time.monotonic() < deadline:
                if len(self.outcomes) >= self.max_requests:
                    return
                inputs = self.make_inputs(worker * 1_000_003 + n)
                n += 1
                sent = time.time()
                try:
                    response = client.post(self.url, json={"instances": inputs})
                    body = response.json() if response.headers.get(
                        "content-type", "").startswith("application/json") else response.text
                    outcome = Outcome(response.status_code, body, inputs, sent, time.time())
                except httpx.HTTPError as exc:
                    outcome = Outcome(-1, repr(exc), inputs, sent, time.time())
                with self._lock:
                    self.outcomes.append(outcome)


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.status != 200]
