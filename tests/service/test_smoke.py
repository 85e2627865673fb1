"""End-to-end smoke: the trained zoo served over real HTTP answers the seeds' questions."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.support import LiveServer


def test_predict_zoo_answers_true_rules(trained_repository: Path, tmp_path: Path) -> None:
    with LiveServer(trained_repository, log_path=tmp_path / "server.log") as server:
        linear = httpx.post(f"{server.url}/predict/linear", json={"instances": [10]}).json()
        celsius = httpx.post(f"{server.url}/predict/celsius_to_fahrenheit",
                             json={"instances": [{"celsius": 100}]}).json()
        assert server.stop() == 0
    assert linear["model"] == "linear" and linear["version"] == 1
    assert abs(linear["predictions"][0] - 19) < 0.01
    assert abs(celsius["predictions"][0] - 212) < 0.05
