"""Fresh processes the training tests start: the CLI, the SavedModel probe, saved_model_cli."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROBE_SCRIPT = Path(__file__).with_name("savedmodel_probe.py")
TIMEOUT_SECONDS = 300


def child_env() -> dict[str, str]:
    """The test's environment minus PYTHONPATH (so a probe cannot import the project by
    accident) and with TensorFlow's C++ start-up chatter silenced."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def start_training_cli(*args: str) -> subprocess.Popen[str]:
    """`python -m training ARGS` from the project root, output captured."""
    return subprocess.Popen([sys.executable, "-m", "training", *args], cwd=PROJECT_ROOT,
                            env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def run_training_cli(*args: str) -> subprocess.CompletedProcess[str]:
    process = start_training_cli(*args)
    stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def probe_savedmodels(requests: list[dict]) -> dict:
    """Runs savedmodel_probe.py (plain TensorFlow, no project on the path) on the requests."""
    done = subprocess.run([sys.executable, str(PROBE_SCRIPT)], input=json.dumps(requests),
                          env=child_env(), cwd=PROBE_SCRIPT.parent, capture_output=True,
                          text=True, timeout=TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"probe failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def saved_model_cli() -> Path:
    """TensorFlow's saved_model_cli, installed beside this interpreter."""
    return Path(sys.executable).with_name("saved_model_cli")


def start_saved_model_cli_show(version_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(saved_model_cli()), "show", "--dir", str(version_dir), "--tag_set", "serve",
         "--signature_def", "serving_default"],
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
