"""Command line: train and publish models, or set labels.

    python -m training [NAME ...] [--repository PATH] [--seed-recipe [RECIPE]] [--epochs N]
    python -m training label NAME LABEL VERSION [--repository PATH]
    python -m training label NAME LABEL --remove [--repository PATH]
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path

from modelrepo.layout import MODEL_NAME_RULE, is_model_name
from training.labels import remove_label, set_label
from training.specs import ZOO, ModelSpec, Recipe, find_spec

logger = logging.getLogger("training")
SEED_RECIPE_DEFAULT = "default"


def positive_int(text: str) -> int:
    """argparse type for a step budget: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _repository_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repository", type=Path, default=Path(os.environ.get("MODEL_REPOSITORY", "models")),
        help="model repository root (env MODEL_REPOSITORY; default: models)")


def train_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training",
        description="Train zoo models and publish each as the next version in the repository. "
                    "Set labels with: python -m training label NAME LABEL VERSION.")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"models to train (default: all of {', '.join(s.name for s in ZOO)})")
    _repository_argument(parser)
    parser.add_argument(
        "--seed-recipe", nargs="?", const=SEED_RECIPE_DEFAULT, default=None, metavar="RECIPE",
        help="reproduce a seed tutorial's exact run instead of training to convergence; "
             "RECIPE picks one when a model has several (linear: keras-sgd, gradient-tape)")
    parser.add_argument("--epochs", type=positive_int, default=None, metavar="N",
                        help="full-batch steps to run (overrides the recipe's step budget)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar, warnings only")
    return parser


def label_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training label",
        description="Point a label (stable, canary, ...) at a published version, or remove it.")
    parser.add_argument("name", help="model name")
    parser.add_argument("label", help="label name (letters, digits, _ . -)")
    parser.add_argument("version", nargs="?", type=int, help="version the label points to")
    parser.add_argument("--remove", action="store_true", help="remove the label")
    _repository_argument(parser)
    return parser


def choose_recipe(spec: ModelSpec, seed_recipe: str | None, epochs: int | None) -> Recipe:
    if seed_recipe is None:
        recipe = spec.default
    else:
        recipe = spec.seed_recipe(None if seed_recipe == SEED_RECIPE_DEFAULT else seed_recipe)
    if epochs is not None:
        recipe = dataclasses.replace(recipe, max_steps=epochs)
    return recipe


def plan_runs(args: argparse.Namespace) -> list[tuple[ModelSpec, Recipe]]:
    """Every (spec, recipe) to train, resolved before any training so a bad name or recipe
    fails fast instead of after some models were already published."""
    specs = [find_spec(name) for name in args.names] if args.names else list(ZOO)
    plan = []
    for spec in specs:
        if args.seed_recipe is not None and not spec.seed_recipes:
            logger.warning("%s: the seed shows no training run to reproduce; skipped", spec.name)
            continue
        plan.append((spec, choose_recipe(spec, args.seed_recipe, args.epochs)))
    return plan


def run_training(args: argparse.Namespace) -> int:
    plan = plan_runs(args)
    # TensorFlow loads only now: --help, usage errors and the label command stay instant
    from training.pipeline import evaluate, publish_run, train_model

    progress = sys.stderr.isatty() and not args.quiet
    for spec, recipe in plan:
        run = train_model(spec, recipe, progress=progress)
        version = publish_run(run, args.repository)
        holdout = evaluate(run).get("holdout")
        extra = f", holdout R^2 {holdout['r2']:.3f} MAE {holdout['mae']:.2f}" if holdout else ""
        logger.info("published %s:v%d (%s, %d steps, loss %.3g%s): %s", spec.name, version,
                    recipe.name, run.result.steps, run.result.final_loss, extra, run.formula)
    return 0


def run_label(argv: list[str]) -> int:
    args = label_parser().parse_args(argv)
    if not is_model_name(args.name):
        raise ValueError(f"invalid model name {args.name!r}: {MODEL_NAME_RULE}")
    model_dir = args.repository / args.name
    if args.remove:
        labels = remove_label(model_dir, args.label)
    elif args.version is None:
        label_parser().error("VERSION is required unless --remove is given")
    else:
        labels = set_label(model_dir, args.label, args.version)
    logger.info("%s labels: %s", args.name, labels or "none")
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
    except (KeyError, ValueError) as exc:
        logger.error("%s", exc.args[0] if exc.args else exc)
        return 2
