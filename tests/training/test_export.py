"""The published SavedModels, as a fresh process with plain TensorFlow sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.training.processes import start_saved_model_cli_show
from tests.training.trained import Served, feeds_for
from training.modelfile import find_spec, zoo
from training.schema import ModelSpec


def answers(result: dict, output: str) -> list[float]:
    return result["answers"][output]


def test_serve_linear_answers_19_at_10(served: Served) -> None:
    y_at_10 = answers(served.default["linear"], "y")[0]
    assert y_at_10 == pytest.approx(19.0, abs=0.01)


def test_serve_celsius_answers_212_at_100(served: Served) -> None:
    fahrenheit, at_zero, at_minus_40 = answers(served.default["celsius_to_fahrenheit"],
                                               "fahrenheit")
    assert fahrenheit == pytest.approx(212.0, abs=0.05)
    assert at_zero == pytest.approx(32.0, abs=0.05)
    assert at_minus_40 == pytest.approx(-40.0, abs=0.05)


def test_serve_quadratic_learns_10_5_12(served: Served) -> None:
    at_0, at_1, at_minus_1 = answers(served.default["quadratic"], "y")
    a, b, c = (at_1 + at_minus_1) / 2 - at_0, (at_1 - at_minus_1) / 2, at_0
    assert (a, b, c) == pytest.approx((10.0, 5.0, 12.0), abs=0.05)


@pytest.mark.parametrize("spec", zoo().specs, ids=lambda s: s.name)
def test_signature_uses_spec_names(served: Served, spec: ModelSpec) -> None:
    result = served.default[spec.name]
    assert result["signatures"] == ["serving_default"]
    assert sorted(result["inputs"]) == sorted(spec.inputs)
    assert list(result["outputs"]) == [spec.output]
    for tensor in (*result["inputs"].values(), *result["outputs"].values()):
        assert tensor == {"dtype": "float32", "shape": [None]}
    fed_rows = len(feeds_for(spec.name)[spec.inputs[0]])
    assert len(result["answers"][spec.output]) == fed_rows


def test_load_needs_neither_keras_nor_project(served: Served) -> None:
    # the probe answered every request with these unimportable from start to end
    assert {"keras", "training", "service"} <= set(served.unimportable)


def test_saved_model_cli_show_lists_named_inputs(trained_repository: Path) -> None:
    # one single-input and the multi-input model (each run is a TensorFlow start-up), in parallel
    specs = [find_spec("celsius_to_fahrenheit"), find_spec("cereal_calories")]
    jobs = [(spec, start_saved_model_cli_show(trained_repository / spec.name / "1"))
            for spec in specs]
    for spec, job in jobs:
        stdout, stderr = job.communicate(timeout=120)
        assert job.returncode == 0, stderr[-2000:]
        for name in spec.inputs:
            assert f"inputs['{name}'] tensor_info:" in stdout
        assert f"outputs['{spec.output}'] tensor_info:" in stdout
        assert stdout.count("tensor_info:") == len(spec.inputs) + 1
        assert stdout.count("dtype: DT_FLOAT") == len(spec.inputs) + 1
        assert stdout.count("shape: (-1)") == len(spec.inputs) + 1
        assert "keras_tensor" not in stdout and "output_0" not in stdout
        assert "tensorflow/serving/predict" in stdout
