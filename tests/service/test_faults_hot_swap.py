"""Hot swap under load: versions are published and deleted while clients keep predicting."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from tests.service.fault_tools import Traffic, failures, model_view
from tests.support import LiveServer, eventually, publish_affine

WEIGHTS = [(2.0, 1.0), (-3.0, 0.5), (0.25, -4.0), (7.0, 2.0)]  # version i+1: y = w*x + b
MIN_REQUESTS = 3000


def inputs(seed: int) -> list[float]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-100, 100, size=int(rng.integers(1, 5))).round(3).tolist()


def default_version(url: str) -> int | None:
    return model_view(url, "linear").get("default_version")


def test_hot_swap_under_load_fails_no_request(tmp_path: Path) -> None:
    repository = tmp_path / "models"
    published = {publish_affine(repository, *WEIGHTS[0]): WEIGHTS[0]}
    with LiveServer(repository, log_path=tmp_path / "server.log") as server, \
            Traffic(f"{server.url}/predict/linear", inputs, workers=8) as traffic:
        eventually(lambda: traffic.count() > 200, what="first answers")
        seen_version = lambda v: any(o.status == 200 and o.body["version"] == v  # noqa: E731
                                     for o in traffic.outcomes[-400:])
        # 1: publish, wait until it serves, then delete the old one.
        old = 1
        new = publish_affine(repository, *WEIGHTS[1])
        published[new] = WEIGHTS[1]
        eventually(lambda: seen_version(new), what="version 2 answering")
        shutil.rmtree(repository / "linear" / str(old))
        # 2: publish and delete the old one at once, racing the poller.
        new, old = publish_affine(repository, *WEIGHTS[2]), new
        published[new] = WEIGHTS[2]
        shutil.rmtree(repository / "linear" / str(old))
        eventually(lambda: seen_version(new), what="version 3 answering")
        # 3: delete the only version first (still served from memory), then move the next one
        # in (published elsewhere and renamed, since the publisher would reuse number 1).
        shutil.rmtree(repository / "linear" / str(new))
        eventually(lambda: model_view(server.url, "linear")["problems"], what="problem reported")
        staged = publish_affine(tmp_path / "staging", *WEIGHTS[3])
        new += 1
        (tmp_path / "staging" / "linear" / str(staged)).rename(repository / "linear" / str(new))
        published[new] = WEIGHTS[3]
        eventually(lambda: seen_version(new), what="version 4 answering")
        eventually(lambda: traffic.count() >= MIN_REQUESTS, timeout=60, what="enough requests")
        outcomes = traffic.stop()
        final = model_view(server.url, "linear")
        assert server.stop() == 0
    answered: dict[int, int] = {}
    for outcome in outcomes:
        if outcome.status != 200:
            continue
        version = outcome.body["version"]
        answered[version] = answered.get(version, 0) + 1
        weight, bias = published[version]
        expected = np.float32(weight) * np.float32(outcome.inputs) + np.float32(bias)
        np.testing.assert_allclose(outcome.body["predictions"], expected, rtol=1e-5, atol=1e-3,
                                   err_msg=f"{outcome}")
    print(f"\nhot swap: {len(outcomes)} requests, {len(failures(outcomes))} failed, "
          f"{len(published) - 1} versions swapped in, answers per version {answered}")
    assert failures(outcomes) == []
    assert len(outcomes) >= MIN_REQUESTS
    assert sorted(answered) == sorted(published) == [1, 2, 3, 4]
    assert final["default_version"] == 4
    assert [v["version"] for v in final["versions"]] == [4]
    assert final["versions_on_disk"] == [4]
