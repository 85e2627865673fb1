"""POST /predict/{model}: every instance form, version and label selection, and every error with
its exact status and a message that names the problem and what is accepted."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support import copy_models, eventually, publish_affine, serve_in_process

CEREAL = {"sugars": 6, "fibre": 2, "protein": 3}


def predict(client: TestClient, model: str, body: object, query: str = "") -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(f"/predict/{model}{query}", content=content,
                       headers={"content-type": "application/json"})


def error_of(response: httpx.Response, status: int) -> str:
    """The error message, after checking the status and that the body is exactly {"error"}."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body["error"]


def test_predict_number_instances_answers_in_order(zoo_client: TestClient) -> None:
    response = predict(zoo_client, "linear", {"instances": [10, 0, -3.5]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == ["model", "version", "predictions"]
    assert body["model"] == "linear" and body["version"] == 1
    assert body["predictions"] == pytest.approx([19, -1, -8], abs=0.01)


@pytest.mark.parametrize("instance", [100, [100], {"celsius": 100}],
                         ids=["number", "list", "object"])
def test_predict_celsius_every_form_answers_212(zoo_client: TestClient, instance: object) -> None:
    body = predict(zoo_client, "celsius_to_fahrenheit", {"instances": [instance]}).json()
    assert body["predictions"] == pytest.approx([212], abs=0.05)


def test_predict_large_flat_array_equals_row_form(zoo_client: TestClient) -> None:
    """A flat array of numbers is read straight into NumPy; rows of one go the general way."""
    values = [round(i * 0.003 - 45, 3) for i in range(30_000)]
    flat = predict(zoo_client, "linear", {"instances": values})
    rows = predict(zoo_client, "linear", {"instances": [[v] for v in values]})
    assert flat.status_code == rows.status_code == 200
    assert flat.json()["predictions"] == rows.json()["predictions"]
    assert flat.json()["predictions"][:2] == pytest.approx([-91, -90.994], abs=0.01)


def test_predict_cereal_list_and_object_forms_agree(zoo_client: TestClient) -> None:
    as_list = predict(zoo_client, "cereal_calories", {"instances": [[6, 2, 3]]}).json()
    shuffled = {"protein": 3, "sugars": 6, "fibre": 2}
    as_object = predict(zoo_client, "cereal_calories", {"instances": [shuffled]}).json()
    swapped = predict(zoo_client, "cereal_calories", {"instances": [[3, 2, 6]]}).json()
    assert as_list["predictions"] == pytest.approx(as_object["predictions"], abs=1e-3)
    assert abs(as_list["predictions"][0] - swapped["predictions"][0]) > 1  # order matters
    assert 60 < as_list["predictions"][0] < 200  # a plausible calorie count


def test_predict_mixed_forms_in_one_request(zoo_client: TestClient) -> None:
    body = predict(zoo_client, "cereal_calories", {"instances": [[6, 2, 3], CEREAL]}).json()
    assert body["predictions"][0] == pytest.approx(body["predictions"][1], abs=1e-3)


def test_predict_version_query_selects_version(zoo_client: TestClient) -> None:
    body = predict(zoo_client, "linear", {"instances": [1]}, "?version=1").json()
    assert body["version"] == 1


def test_predict_version_and_label_select_served_versions(trained_repository: Path,
                                                          tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    assert publish_affine(repository, 3.0, 0.5) == 2
    (repository / "linear" / "labels.json").write_text(json.dumps({"stable": 1}))
    with serve_in_process(repository) as client:
        eventually(lambda: all(v["state"] == "AVAILABLE" for v in
                               client.get("/models/linear").json()["versions"]))
        latest = predict(client, "linear", {"instances": [2]}).json()
        pinned = predict(client, "linear", {"instances": [2]}, "?version=1").json()
        stable = predict(client, "linear", {"instances": [2]}, "?label=stable").json()
    assert (latest["version"], latest["predictions"]) == (2, pytest.approx([6.5]))
    assert (pinned["version"], pinned["predictions"]) == (1, pytest.approx([3], abs=0.01))
    assert (stable["version"], stable["predictions"]) == (1, pytest.approx([3], abs=0.01))


def test_predict_version_and_label_together_is_400(zoo_client: TestClient) -> None:
    response = predict(zoo_client, "linear", {"instances": [1]}, "?version=1&label=stable")
    assert "either a version or a label" in error_of(response, 400)


@pytest.mark.parametrize("text", ["0", "01", "abc", "-1", "1.5", "1" * 19])
def test_predict_invalid_version_text_is_400(zoo_client: TestClient, text: str) -> None:
    response = predict(zoo_client, "linear", {"instances": [1]}, f"?version={text}")
    assert "positive integer" in error_of(response, 400)


@pytest.mark.parametrize(("model", "query", "fragments"), [
    ("nope", "", ["'nope' not found", "linear", "celsius_to_fahrenheit"]),
    ("linear", "?version=7", ["no servable version 7", "served versions: 1"]),
    ("linear", "?label=stable", ["no label 'stable'", "labels: none"]),
], ids=["model", "version", "label"])
def test_predict_unknown_target_is_404(zoo_client: TestClient, model: str, query: str,
                                       fragments: list[str]) -> None:
    message = error_of(predict(zoo_client, model, {"instances": [1]}, query), 404)
    for fragment in fragments:
        assert fragment in message


BAD_BODIES = [  # (model, raw body, fragments the message must contain)
    ("linear", b'{"instances": [1, 2', ["malformed JSON", "one JSON object"]),
    ("linear", b"", ["empty request body"]),
    ("linear", b"[1, 2]", ['{"instances": [...]}']),
    ("linear", b'{"inputs": [1]}', ['{"instances": [...]}']),
    ("linear", b'{"instances": [1], "extra": 1}', ["unknown field 'extra'"]),
    ("linear", b'{"instances": 5}', ['"instances" must be a JSON array', "a number"]),
    ("linear", b'{"instances": []}', ["no instances", "at least one"]),
    ("linear", b'{"instances": [1, [2, 3]]}', ["instance 1 has 2 values", "takes 1 (x)"]),
    ("cereal_calories", b'{"instances": [[6, 2, 3], [1, 2]]}',
     ["instance 1 has 2 values", "takes 3 (sugars, fibre, protein)"]),
    ("cereal_calories", b'{"instances": [[6, 2, 3], 5]}',
     ["instance 1 is a number", "3 inputs", "list of 3 numbers"]),
    ("cereal_calories", b'{"instances": [6, 2, 3]}',
     ["instance 0 is a number", "3 inputs", "list of 3 numbers"]),
    ("cereal_calories", b'{"instances": [{"sugars": 6, "fibre": 2, "protien": 3}]}',
     ["instance 0", "unknown input 'protien'", "sugars, fibre, protein"]),
    ("cereal_calories", b'{"instances": [{"sugars": 6, "fibre": 2}]}',
     ["instance 0", "missing input 'protein'", "sugars, fibre, protein"]),
    ("linear", b'{"instances": [1, "2"]}', ["instance 1", "expected a number, got str"]),
    ("linear", b'{"instances": [1, true]}', ["instance 1", "expected a number, got bool"]),
    ("linear", b'{"instances": [false]}', ["instance 0", "expected a number, got bool"]),
    ("linear", b'{"instances": [1, null]}', ["instance 1", "expected a number, got null"]),
    ("linear", b'{"instances": [1, {"x": [2]}]}', ["instance 1", "got list"]),
    ("cereal_calories", b'{"instances": [[6, 2, "3"]]}',
     ["instance 0, input 'protein'", "got str"]),
    ("linear", b'{"instances": [1, NaN]}', ["instance 1", "not a finite float32"]),
    ("linear", b'{"instances": [1, Infinity]}', ["instance 1", "not a finite float32"]),
    ("linear", b'{"instances": [1, -Infinity]}', ["instance 1", "not a finite float32"]),
    ("linear", b'{"instances": [1, 1e999]}', ["instance 1", "not a finite float32"]),
    ("linear", b'{"instances": [{"x": -1e999}]}', ["instance 0", "not a finite float32"]),
    ("linear", b'{"instances": [1, 2, 1e39]}', ["instance 2, input 'x'", "|x| > 3.4e38"]),
    ("cereal_calories", b'{"instances": [[6, 2, 3], [6, NaN, 3]]}',
     ["instance 1, input 'fibre'", "not a finite float32"]),
    ("linear", b'{"instances": [NaN, {"\\ud800": 1}]}', ["instance 1", "unknown input '\\ud800'"]),
    ("linear", b'{"instances": [NaN, ' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
     ["malformed JSON"]),
]


@pytest.mark.parametrize(("model", "body", "fragments"), BAD_BODIES,
                         ids=[b.decode()[:40] or "empty" for _, b, _ in BAD_BODIES])
def test_predict_bad_body_is_400(zoo_client: TestClient, model: str, body: bytes,
                                 fragments: list[str]) -> None:
    message = error_of(predict(zoo_client, model, body), 400)
    for fragment in fragments:
        assert fragment in message, message


def test_predict_non_finite_output_is_422_naming_instance(zoo_client: TestClient) -> None:
    response = predict(zoo_client, "linear", {"instances": [1, 3e38]})
    message = error_of(response, 422)
    assert "instance 1" in message and "output 'y' is not finite" in message


def test_predict_too_many_instances_is_413(trained_repository: Path) -> None:
    with serve_in_process(trained_repository, max_instances=3) as client:
        accepted = predict(client, "linear", {"instances": [1, 2, 3]})
        message = error_of(predict(client, "linear", {"instances": [1, 2, 3, 4]}), 413)
    assert accepted.status_code == 200, accepted.text
    assert "4 instances" in message and "limit of 3" in message


def test_predict_body_over_limit_is_413(trained_repository: Path) -> None:
    with serve_in_process(trained_repository, max_request_bytes=2048) as client:
        small = predict(client, "linear", {"instances": [1] * 500})
        message = error_of(predict(client, "linear", {"instances": [1] * 2000}), 413)
    assert small.status_code == 200, small.text
    assert "limit of 2048 bytes" in message and "MAX_REQUEST_BYTES" in message


def test_predict_model_without_ready_version_is_503(trained_repository: Path,
                                                     tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    (repository / "pending" / "1" / "variables").mkdir(parents=True)
    (repository / "pending" / "1" / "variables" / "variables.index").write_bytes(b"")
    with serve_in_process(repository, wait_ready=False) as client:
        eventually(lambda: predict(client, "linear", {"instances": [1]}).status_code == 200)
        message = error_of(predict(client, "pending", {"instances": [1]}), 503)
    assert "'pending' has no available version" in message
    assert "missing saved_model.pb" in message


def test_unknown_route_is_404_json(zoo_client: TestClient) -> None:
    message = error_of(zoo_client.get("/nowhere"), 404)
    assert "no route GET /nowhere" in message and "/docs" in message


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("GET", "/predict/linear", "POST"), ("DELETE", "/models", "GET"),
    ("PUT", "/models/linear", "GET"), ("POST", "/health/ready", "GET")])
def test_wrong_method_is_405_json(zoo_client: TestClient, method: str, path: str,
                                  allowed: str) -> None:
    response = zoo_client.request(method, path)
    message = error_of(response, 405)
    assert f"{method} is not allowed on {path}" in message and allowed in message
    assert allowed in response.headers["allow"]
