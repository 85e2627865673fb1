"""GET /models and GET /models/{name}: versions with states and errors, signature, metadata."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from tests.support import copy_models, serve_in_process

ZOO = ["celsius_to_fahrenheit", "cereal_calories", "linear", "quadratic"]


def test_list_models_shows_every_model_ready(zoo_client: TestClient,
                                             trained_repository: Path) -> None:
    body = zoo_client.get("/models").json()
    assert [m["name"] for m in body["models"]] == ZOO
    assert body["repository"] == str(trained_repository)
    assert body["repository_error"] is None
    for model in body["models"]:
        assert model["ready"] is True and model["default_version"] == 1
        assert model["versions"] == [{"version": 1, "state": "AVAILABLE", "error": None}]
        assert model["labels"] == {} and model["versions_on_disk"] == [1]


def test_describe_model_gives_signature_in_input_order(zoo_client: TestClient) -> None:
    body = zoo_client.get("/models/cereal_calories").json()
    inputs = [(t["name"], t["dtype"], t["shape"]) for t in body["signature"]["inputs"]]
    assert inputs == [("sugars", "float32", [-1]), ("fibre", "float32", [-1]),
                      ("protein", "float32", [-1])]
    assert body["signature"]["outputs"] == [{"name": "calories", "dtype": "float32",
                                             "shape": [-1]}]


def test_describe_model_gives_version_metadata_and_formula(zoo_client: TestClient) -> None:
    body = zoo_client.get("/models/linear").json()
    assert body["name"] == "linear" and body["default_version"] == 1
    assert body["formula"] == "y = 2.0000*x - 1.0000"
    (version,) = body["versions"]
    assert version["state"] == "AVAILABLE" and version["error"] is None
    assert version["signature"] == body["signature"]
    metadata = version["metadata"]
    assert metadata["model"] == "linear" and metadata["version"] == 1
    assert metadata["formula"] == body["formula"]
    assert metadata["signature"]["inputs"] == ["x"]


def test_describe_model_shows_labels_and_pending_versions(trained_repository: Path,
                                                          tmp_path: Path) -> None:
    repository = copy_models(trained_repository, tmp_path / "models", "linear")
    (repository / "linear" / "labels.json").write_text(json.dumps({"stable": 1}))
    (repository / "linear" / "2").mkdir()
    (repository / "linear" / "2" / "saved_model.pb").write_bytes(b"")
    (repository / "linear" / "007").mkdir()
    with serve_in_process(repository) as client:
        body = client.get("/models/linear").json()
    assert body["labels"] == {"stable": 1}
    assert body["versions_on_disk"] == [1, 2]
    pending = body["versions"][-1]
    assert pending == {"version": 2, "state": "PENDING",
                       "error": "incomplete: missing variables/variables.index"}
    assert any("'007'" in problem and "positive integer" in problem
               for problem in body["problems"])


def test_describe_unknown_model_is_404_listing_models(zoo_client: TestClient) -> None:
    response = zoo_client.get("/models/zebra")
    assert response.status_code == 404, response.text
    assert response.json() == {"error": "model 'zebra' not found (models: "
                                        + ", ".join(ZOO) + ")"}

