"""/openapi.json states what the app really answers: errors as 400 `{"error"}` (never FastAPI's
422 HTTPValidationError), the middleware's statuses, and the API key's Bearer scheme exactly on
the operations the key guards."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.support import serve_in_process

ERROR_REF = "#/components/schemas/ErrorResponse"
KEY = {"Authorization": "Bearer sekrit"}


def operations(document: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, operation) for path, methods in document["paths"].items()
            for method, operation in methods.items()]


def test_no_validation_error_schema_anywhere(zoo_client: TestClient) -> None:
    text = zoo_client.get("/openapi.json").text
    assert "HTTPValidationError" not in text and "ValidationError" not in text
    assert "Validation Error" not in text


def test_every_error_answer_is_the_error_body(zoo_client: TestClient) -> None:
    document = zoo_client.get("/openapi.json").json()
    seen = 0
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or (path, status) == ("/health/ready", "503"):
                continue  # readiness answers its own body: each model not ready, with why
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, f"{method} {path} {status}"
            seen += 1
    assert seen > 100


def test_an_invalid_parameter_is_a_documented_400(zoo_client: TestClient) -> None:
    paths = zoo_client.get("/openapi.json").json()["paths"]
    response = zoo_client.get("/v1/models/linear/versions/abc")
    assert response.status_code == 400 and "error" in response.json()
    assert "400" in paths["/v1/models/{name}/versions/{version}"]["get"]["responses"]
    assert "422" not in paths["/v1/models/{name}/versions/{version}"]["get"]["responses"]


def test_the_middlewares_statuses_are_declared(zoo_client: TestClient) -> None:
    paths = zoo_client.get("/openapi.json").json()["paths"]
    predict = paths["/predict/{model}"]["post"]["responses"]
    assert set(predict) == {"200", "400", "404", "408", "413", "415", "422", "431", "503",
                            "504"}
    assert set(paths["/models"]["get"]["responses"]) == {"200", "400", "431", "503", "504"}
    assert "503" not in paths["/metrics"]["get"]["responses"]  # never refused under load
    assert "overloaded" in paths["/models"]["get"]["responses"]["503"]["description"]


def test_without_a_key_no_security_is_declared(zoo_client: TestClient) -> None:
    document = zoo_client.get("/openapi.json").json()
    assert "securitySchemes" not in document["components"]
    assert not any("security" in op or "401" in op["responses"]
                   for _, _, op in operations(document))


def test_admin_scope_declares_bearer_on_guarded_operations(trained_repository: Path) -> None:
    with serve_in_process(trained_repository, wait_ready=False, api_key="sekrit") as client:
        response = client.get("/openapi.json")
        assert response.status_code == 200  # the document is open in the admin scope
        document = response.json()
    assert document["components"]["securitySchemes"] == {"bearerAuth": {
        "type": "http", "scheme": "bearer",
        "description": "the server's API_KEY, sent as Authorization: Bearer <key>"}}
    paths = document["paths"]
    for path, method in (("/models", "get"), ("/models/{name}", "get"), ("/metrics", "get"),
                         ("/v1/models/{name}/metadata", "get"), ("/v2/models/{name}", "get")):
        assert paths[path][method]["security"] == [{"bearerAuth": []}], path
        assert "API key" in paths[path][method]["responses"]["401"]["description"]
    for path, method in (("/predict/{model}", "post"), ("/v1/models/{name}:predict", "post"),
                         ("/v2/models/{name}/infer", "post"), ("/health/live", "get"),
                         ("/v2/models/{name}/ready", "get"), ("/v2", "get")):
        assert "security" not in paths[path][method], path
        assert "401" not in paths[path][method]["responses"], path
    # The open document does not list the models /models guards.
    assert "linear" not in document["info"]["description"]
    assert "needs the API key" in document["info"]["description"]


def test_all_scope_guards_every_operation_but_health(trained_repository: Path) -> None:
    health = ("/health/live", "/health/ready", "/v2/health/live", "/v2/health/ready")
    with serve_in_process(trained_repository, api_key="sekrit", api_key_scope="all") as client:
        assert client.get("/openapi.json").status_code == 401
        document = client.get("/openapi.json", headers=KEY).json()
    for method, path, operation in operations(document):
        assert ("security" in operation) is (path not in health), f"{method} {path}"
    assert "`linear`" in document["info"]["description"]  # only key holders read it
