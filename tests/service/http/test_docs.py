"""GET /docs works with no internet: the page and its assets come from the app itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

EXTERNAL = re.compile(r"(?:https?:)?//", re.IGNORECASE)


class References(HTMLParser):
    """Collects every src and href attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def test_docs_page_references_only_local_assets(zoo_client: TestClient) -> None:
    response = zoo_client.get("/docs")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    parser = References()
    parser.feed(response.text)
    assert len(parser.urls) >= 3  # stylesheet, favicon, script
    for url in parser.urls:
        assert url.startswith("/") and not EXTERNAL.match(url), url
        asset = zoo_client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
    assert not re.search(r"""(?:src|href|url)\s*[=:(]\s*['"]?(?:https?:)?//""", response.text)


def test_docs_page_loads_local_openapi_without_online_validator(zoo_client: TestClient) -> None:
    text = zoo_client.get("/docs").text
    assert "url: '/openapi.json'" in text
    assert '"validatorUrl": null' in text


def test_docs_stylesheet_embeds_images_instead_of_fetching_them(zoo_client: TestClient) -> None:
    css = zoo_client.get("/docs/assets/swagger-ui.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    urls = re.findall(r"url\(\s*['\"]?([^'\")]*)", css.text)
    assert urls and all(u.startswith("data:") for u in urls)


def test_docs_unknown_asset_is_404(zoo_client: TestClient) -> None:
    assert zoo_client.get("/docs/assets/nothing.js").status_code == 404
    assert zoo_client.get("/docs/assets/../../app.py").status_code == 404


def test_openapi_documents_native_and_operations_routes(zoo_client: TestClient) -> None:
    response = zoo_client.get("/openapi.json")
    assert response.status_code == 200, response.text
    document = response.json()
    paths = document["paths"]
    for path in ["/predict/{model}", "/models", "/models/{name}", "/health/live",
                 "/health/ready", "/metrics"]:
        assert path in paths
    predict = paths["/predict/{model}"]["post"]
    body = predict["requestBody"]["content"]["application/json"]["schema"]
    assert "instances" in body["properties"] and body["required"] == ["instances"]
    assert {"400", "404", "413", "422", "503"} <= set(predict["responses"])
    parameters = {p["name"] for p in predict["parameters"]}
    assert parameters == {"model", "version", "label", "signature"}


def test_docs_description_lists_each_models_tensors(zoo_client: TestClient) -> None:
    description = zoo_client.get("/openapi.json").json()["info"]["description"]
    assert "**Served models**" in description
    assert "- `cereal_calories`: `sugars` float32[-1], `fibre` float32[-1], `protein` " \
           "float32[-1] -> `calories` float32[-1]" in description
