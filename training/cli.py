"""Command line: train and publish the models of a model file, or set labels.

    python -m training [NAME ...] [--config FILE] [--repository PATH] [--seed-recipe [RECIPE]]
                       [--epochs N] [--quiet]
    python -m training label NAME LABEL VERSION [--repository PATH] [--wait URL]
    python -m training label NAME LABEL --remove [--repository PATH] [--wait URL]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from training.arguments import positive_int, repository_argument
from training.label_cli import run_label
from training.modelfile import ZOO_FILE, ModelFileError, load_model_file, zoo
from training.planning import FIRST_SEED_RECIPE, Plan, plan_runs

logger = logging.getLogger("training")
ZOO_SHOWN = Path("training") / ZOO_FILE.name  # how metadata names the shipped zoo file


def zoo_names() -> list[str]:
    return [spec.name for spec in zoo().specs]


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training",
        description="Train the models a model file declares and publish each as the next "
                    "version in the repository. Set labels with: "
                    "python -m training label NAME LABEL VERSION.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="models to train (default: every model of the file; the zoo's: "
                             f"{', '.join(zoo_names())})")
    parser.add_argument("--config", type=Path, default=None, metavar="FILE",
                        help=f"model file (YAML) to train from (default: the zoo, {ZOO_SHOWN})")
    repository_argument(parser)
    parser.add_argument(
        "--seed-recipe", nargs="?", const=FIRST_SEED_RECIPE, default=None, metavar="RECIPE",
        help="reproduce a seed tutorial's exact run instead of the default run; "
             "RECIPE picks one when a model has several (linear: keras-sgd, gradient-tape)")
    parser.add_argument("--epochs", type=positive_int, default=None, metavar="N",
                        help="epochs to run (overrides the file's budget; with batch_size: "
                             "full one epoch is one step)")
    parser.add_argument("--quiet", action="store_true",
                        help="warnings only: no progress bar and no metrics table")
    return parser


def _describe(plan: Plan) -> str:
    data = plan.data
    dropped = f", {data.dropped_rows} rows with a missing value left out" \
        if data.dropped_rows else ""
    return (f"training {plan.spec.name} ({plan.spec.task}, recipe {plan.recipe.name}): "
            f"{data.rows} rows of {data.name}{dropped}, inputs {', '.join(plan.spec.inputs)} "
            f"-> {plan.spec.output}")


def check_repository(repository: Path) -> None:
    """ValueError (exit 2) before any training when the repository cannot take a version."""
    for path in (repository, *repository.parents):
        if path.exists():
            if not path.is_dir():
                raise ValueError(f"--repository {repository}: {path} is a file, not a "
                                 "directory; point it at a model repository (created if "
                                 "missing)")
            return


def run_training(args: argparse.Namespace) -> int:
    check_repository(args.repository)
    model_file = args.config or ZOO_FILE
    plans = plan_runs(load_model_file(model_file), args.names, args.seed_recipe, args.epochs)
    # TensorFlow loads only now: --help, usage errors and the label command stay instant
    from training.pipeline import publish_run, train_model
    from training.summary import table

    progress = sys.stderr.isatty() and not args.quiet
    tables = []
    for plan in plans:
        logger.info("%s", _describe(plan))
        run = train_model(plan.spec, plan.recipe, plan.data, progress=progress)
        version = publish_run(run, args.repository, args.config or ZOO_SHOWN)
        logger.info("published %s:v%d in %s: %s", plan.spec.name, version, args.repository,
                    run.formula)
        tables.append(table(run, version))
    if not args.quiet and tables:
        sys.stdout.write("\n" + "\n".join(tables))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    quiet = "--quiet" in argv
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("tensorflow", "absl"):  # no "Assets written" chatter
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        if argv[:1] == ["label"]:
            return run_label(argv[1:])
        return run_training(train_parser().parse_args(argv))
    except ModelFileError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except (KeyError, ValueError) as exc:
        logger.error("%s", exc.args[0] if exc.args else exc)
        return 2
