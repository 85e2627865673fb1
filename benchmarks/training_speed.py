"""Training speed: Keras' `model.fit` against `training.fitting.fit` with the same settings.

    python -m benchmarks.training_speed [--epochs 500] [--batch-epochs 300] [--output PATH]

For `linear` (seed 000: SGD) and `celsius_to_fahrenheit` (seed 004: Adam(0.1)) both ways start
from the same model (`training.modeling.build_model` with the seed recipe, so the same seeded
initial weights) and run the same number of full-batch steps. A third row fits a model with
hidden layers (`dense_400x10`: 400 seeded rows of 10 inputs, Dense 32-16-1, Adam(0.01), input
and target scaling) in mini-batches of 32 rows, in order (Keras `shuffle=False`, ours
`shuffle: false`), for --batch-epochs epochs. Prints both wall times, the ratio and the largest
difference between the learned weights, and writes them as JSON. Targets: ours at least 20x
faster, weights equal within 1e-3. Exits 1 only if the weights disagree.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from benchmarks.dense_case import dense_plan  # noqa: E402
from training.fitting import fit  # noqa: E402
from training.modelfile import zoo  # noqa: E402
from training.modeling import build_model  # noqa: E402
from training.planning import Plan, plan_runs  # noqa: E402

DEFAULT_OUTPUT = Path(__file__).parent / "results" / "training_speed.json"
SPEED_TARGET = 20.0
WEIGHT_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Case:
    model: str
    recipe: str
    seed_optimizer: Callable[[], str | keras.optimizers.Optimizer]  # as the seed wrote it
    batch_size: int = 32  # Keras' default; the zoo's tables are smaller: one full batch

    def plan(self) -> Plan:
        if self.model == "dense_400x10":
            return dense_plan()
        return plan_runs(zoo(), [self.model], self.recipe, None)[0]


CASES = (
    Case("linear", "keras-sgd", lambda: "sgd"),  # seed 000: compile(optimizer='sgd', ...)
    Case("celsius_to_fahrenheit", "keras-adam", lambda: keras.optimizers.Adam(0.1)),  # seed 004
    Case("dense_400x10", "adam-batch32", lambda: keras.optimizers.Adam(0.01)),
)


def flat_weights(model: keras.Model) -> np.ndarray:
    return np.concatenate([np.ravel(w) for w in model.get_weights()])


def measure(case: Case, epochs: int) -> dict:
    plan = case.plan()
    spec, data = plan.spec, plan.data
    recipe = plan.recipe.model_copy(update={"epochs": epochs})
    matrix = data.matrix(spec.inputs)

    seeds = build_model(spec, recipe, data)
    ours = build_model(spec, recipe, data)
    start_difference = float(np.max(np.abs(flat_weights(seeds) - flat_weights(ours))))

    seeds.compile(optimizer=case.seed_optimizer(), loss="mean_squared_error")
    began = time.perf_counter()
    history = seeds.fit(matrix, data.target, epochs=epochs, batch_size=case.batch_size,
                        shuffle=False, verbose=0)
    seeds_seconds = time.perf_counter() - began

    began = time.perf_counter()
    result = fit(ours, recipe, spec.task, (matrix, data.target), seed=spec.seed)
    ours_seconds = time.perf_counter() - began
    if result.epochs != epochs:
        raise RuntimeError(f"{case.model}: ran {result.epochs} epochs, not {epochs}")

    return {
        "model": case.model,
        "recipe": case.recipe,
        "epochs": epochs,
        "steps": result.steps,
        "seeds_final_loss": float(history.history["loss"][-1]),
        "ours_final_loss": result.losses[-1],
        "seeds_seconds": seeds_seconds,
        "ours_seconds": ours_seconds,
        "ratio": seeds_seconds / ours_seconds,
        "start_weight_difference": start_difference,
        "max_weight_difference": float(np.max(np.abs(flat_weights(seeds) - flat_weights(ours)))),
        "seeds_weights": flat_weights(seeds).tolist(),
        "ours_weights": flat_weights(ours).tolist(),
    }


def warm_up() -> None:
    """One tiny run of each way first, so TensorFlow's one-time start-up is billed to neither."""
    case = CASES[0]
    measure(case, 2)


def table(rows: list[dict]) -> str:
    header = (f"{'model':<24}{'recipe':<14}{'epochs':>7}{'steps':>7}{'fit(epochs) s':>15}"
              f"{'ours s':>9}{'ratio':>9}{'max |dw|':>11}  target")
    lines = [header, "-" * len(header)]
    for row in rows:
        ok = row["ratio"] >= SPEED_TARGET and row["max_weight_difference"] <= WEIGHT_TOLERANCE
        lines.append(
            f"{row['model']:<24}{row['recipe']:<14}{row['epochs']:>7}{row['steps']:>7}"
            f"{row['seeds_seconds']:>15.3f}{row['ours_seconds']:>9.3f}{row['ratio']:>8.1f}x"
            f"{row['max_weight_difference']:>11.2e}  {'met' if ok else 'MISSED'}")
    lines.append(f"target: ours >= {SPEED_TARGET:.0f}x faster, learned weights equal within "
                 f"{WEIGHT_TOLERANCE:g}")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.training_speed",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=500,
                        help="epochs of the full-batch rows (epochs = steps; default 500)")
    parser.add_argument("--batch-epochs", type=int, default=300,
                        help="epochs of the mini-batch row (13 steps each; default 300)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help=f"JSON results file (default {DEFAULT_OUTPUT})")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    warm_up()
    rows = [measure(case, args.batch_epochs if case.model == "dense_400x10" else args.epochs)
            for case in CASES]
    sys.stdout.write(table(rows))
    report = {
        "benchmark": "training_speed",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpus": os.cpu_count(), "tensorflow": tf.__version__,
                    "keras": keras.__version__},
        "speed_target": SPEED_TARGET,
        "weight_tolerance": WEIGHT_TOLERANCE,
        "results": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    sys.stdout.write(f"written: {args.output}\n")
    worst = max(row["max_weight_difference"] for row in rows)
    return 0 if worst <= WEIGHT_TOLERANCE else 1


if __name__ == "__main__":
    raise SystemExit(main())
