"""`python -m training label NAME LABEL VERSION|--remove [--repository PATH] [--wait URL]`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from modelrepo.layout import MODEL_NAME_RULE, is_hidden, is_model_name
from training.arguments import repository_argument
from training.labels import remove_label, set_label
from training.serverwait import wait_for_label

logger = logging.getLogger("training")
DEFAULT_WAIT_SECONDS = 30.0


def label_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m training label",
        description="Point a label (stable, canary, ...) at a published version, or remove it. "
                    "A running server picks the change up at its next repository poll "
                    "(POLL_INTERVAL_SECONDS, 2 s by default); --wait URL waits for that.")
    parser.add_argument("name", help="model name")
    parser.add_argument("label", help="label name (letters, digits, _ . -)")
    parser.add_argument("version", nargs="?", type=int, help="version the label points to")
    parser.add_argument("--remove", action="store_true", help="remove the label")
    repository_argument(parser)
    parser.add_argument("--wait", metavar="URL",
                        help="then poll URL/models/NAME (e.g. http://127.0.0.1:8000) until the "
                             "server shows the change; sends Bearer $API_KEY when set")
    parser.add_argument("--wait-timeout", type=float, default=DEFAULT_WAIT_SECONDS,
                        metavar="SECONDS", help="how long --wait waits (default: %(default)g)")
    return parser


def model_directory(repository: Path, name: str) -> Path:
    """The model's directory; ValueError naming a missing repository or an unknown model."""
    if not is_model_name(name):
        raise ValueError(f"invalid model name {name!r}: {MODEL_NAME_RULE}")
    if not repository.is_dir():
        raise ValueError(f"repository {str(repository)!r} does not exist (train into it first "
                         "with python -m training, or give --repository PATH or "
                         "MODEL_REPOSITORY)")
    if not (repository / name).is_dir():
        models = sorted(p.name for p in repository.iterdir()
                        if p.is_dir() and is_model_name(p.name) and not is_hidden(p.name))
        raise ValueError(f"unknown model {name!r} in {repository} "
                         f"(models: {', '.join(models) or 'none'})")
    return repository / name


def run_label(argv: list[str]) -> int:
    parser = label_parser()
    args = parser.parse_args(argv)
    if args.version is None and not args.remove:
        parser.error("VERSION is required unless --remove is given")
    model_dir = model_directory(args.repository, args.name)
    if args.remove:
        labels = remove_label(model_dir, args.label)
    else:
        labels = set_label(model_dir, args.label, args.version)
    logger.info("%s labels: %s", args.name, labels or "none")
    target = None if args.remove else args.version
    if args.wait is None:
        logger.info("a running server applies this at its next repository poll "
                    "(POLL_INTERVAL_SECONDS, 2 s by default); add --wait URL to wait for it")
        return 0
    try:
        seconds = wait_for_label(args.wait, args.name, args.label, target, args.wait_timeout)
    except TimeoutError as exc:
        logger.error("%s", exc)
        return 1
    logger.info("%s shows it after %.1f s", args.wait, seconds)
    return 0
