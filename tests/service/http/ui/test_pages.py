"""The model browser's HTML, from the app in this process: what `/` and `/ui/models/{name}`
show, that every model-supplied string is escaped, the report images, the assets, the headers,
and the API key guarding every page."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.service.http.ui.conftest import IGNORED, MARKUP
from tests.support import copy_models, eventually, serve_in_process

ZOO = ("celsius_to_fahrenheit", "cereal_calories", "linear", "quadratic")
SHOWCASE = (*ZOO, "bare", "markup", "odd")
BLOCKS = {"p", "div", "li", "dt", "dd", "td", "th", "tr", "h1", "h2", "h3", "caption"}
PNG = b"\x89PNG\r\n\x1a\n"


class Page(HTMLParser):
    """A page's text, its script elements and every src/href."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.urls: list[str] = []
        self.chunks: list[str] = []
        self.feed(html)
        self.text = " ".join("".join(self.chunks).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.chunks.append(" ")
        if tag == "script":
            self.scripts.append(dict(attrs))
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.chunks.append(" ")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


@pytest.fixture(scope="module")
def client(showcase: Path) -> Iterator[TestClient]:
    with serve_in_process(showcase, wait_ready=False) as client:
        eventually(lambda: settled(client.get("/models").json()["models"]), timeout=60,
                   what="every version loaded or failed")
        yield client


def settled(models: list[dict]) -> bool:
    states = [v["state"] for m in models for v in m["versions"]]
    return len(models) == len(SHOWCASE) and len(states) == len(SHOWCASE) + 1 and \
        "LOADING" not in states


def metadata(showcase: Path, name: str) -> dict:
    return json.loads((showcase / name / "1" / "metadata.json").read_text())


def test_index_lists_every_model_with_formula_holdout_and_labels(client: TestClient,
                                                                 showcase: Path) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/html")
    page = Page(response.text)
    for name in ZOO:
        assert f"/ui/models/{name}" in page.urls
        assert metadata(showcase, name)["formula"] in page.text
    holdout = metadata(showcase, "cereal_calories")["metrics"]["holdout"]
    assert f"R² {holdout['r2']:.3f}, MAE {holdout['mae']:.4g} on 13 held-out rows" in page.text
    assert "none held out; training R² 1.000" in page.text  # linear: six rows, all trained on
    assert "stable → 1" in page.text
    assert "sugars float32 [-1], fibre float32 [-1], protein float32 [-1]" in page.text
    assert "/docs" in page.urls


def test_failed_version_shows_its_reason(client: TestClient) -> None:
    text = Page(client.get("/").text).text
    assert re.search(r"2 FAILED – – Version 2: SavedModel could not be loaded: .*linear/2",
                     text), text


def test_versions_on_disk_the_policy_does_not_serve_are_named(showcase: Path,
                                                              tmp_path: Path) -> None:
    root = copy_models(showcase, tmp_path / "models", "quadratic")
    shutil.copytree(root / "quadratic" / "1", root / "quadratic" / "2")
    with serve_in_process(root) as client:
        eventually(lambda: client.get("/models/quadratic").json()["default_version"] == 2,
                   what="version 2 the default")
        for path in ("/", "/ui/models/quadratic"):
            text = Page(client.get(path).text).text
            assert "On disk but not served (the version policy): version 1." in text, path


def test_foreign_and_odd_metadata_are_named_not_errors(client: TestClient) -> None:
    assert "no metadata.json" in Page(client.get("/").text).text
    bare = Page(client.get("/ui/models/bare").text).text
    assert "No metadata.json (a SavedModel exported elsewhere)" in bare
    odd = client.get("/ui/models/odd")
    assert odd.status_code == 200 and "Learned: 42" in Page(odd.text).text


def test_every_model_supplied_string_is_escaped(client: TestClient) -> None:
    for path in ("/", "/ui/models/markup"):
        html = client.get(path).text
        assert MARKUP not in html and IGNORED not in html
        page = Page(html)
        assert [s.get("src") for s in page.scripts] == ["/ui/assets/ui.js"]  # no other script
        assert MARKUP in page.text  # shown as text
    assert IGNORED in Page(client.get("/").text).text
    model = Page(client.get("/ui/models/markup").text).text
    assert f"baseline: {MARKUP}" in model and f"quadratic_synthetic (1000 rows): {MARKUP}" in model


def test_model_page_has_lineage_form_and_report(client: TestClient, showcase: Path) -> None:
    html = client.get("/ui/models/cereal_calories").text
    page = Page(html)
    facts = metadata(showcase, "cereal_calories")
    for fact in (facts["created_at"], facts["data"]["sha256"], facts["code_revision"],
                 f"TensorFlow {facts['versions']['tensorflow']}, Keras "
                 f"{facts['versions']['keras']}"):
        assert fact in page.text
    for name in ("sugars", "fibre", "protein"):
        assert f'data-input="{name}"' in html
    assert 'data-url="/predict/cereal_calories"' in html
    assert "/ui/models/cereal_calories/versions/1/report.png" in page.urls
    assert re.search(r'<img [^>]*alt="Training report of cereal_calories version 1', html)


def test_report_image_is_the_version_directorys_png(client: TestClient, showcase: Path) -> None:
    response = client.get("/ui/models/linear/versions/1/report.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.content.startswith(PNG)
    assert response.content == (showcase / "linear/1/report.png").read_bytes()


@pytest.mark.parametrize("path", [
    "/ui/models/bare/versions/1/report.png",       # no report
    "/ui/models/linear/versions/7/report.png",     # no such version
    "/ui/models/nosuch/versions/1/report.png",     # no such model
    "/ui/models/linear/versions/1/metadata.json",  # only report.png is served
    "/ui/models/linear/versions/1/..%2Fmetadata.json",
    "/ui/models/linear/versions/..%2F1/report.png",
])
def test_nothing_else_is_served_from_the_repository(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "error" in response.json()


def test_report_linked_out_of_its_directory_is_not_served(showcase: Path,
                                                          tmp_path: Path) -> None:
    root = copy_models(showcase, tmp_path / "models", "linear", "quadratic")
    shutil.rmtree(root / "linear" / "2")
    report = root / "linear" / "1" / "report.png"
    report.unlink()
    report.symlink_to(root / "quadratic" / "1" / "report.png")  # inside the repository
    with serve_in_process(root) as client:
        assert client.get("/ui/models/linear/versions/1/report.png").status_code == 404
        assert "report.png" not in client.get("/ui/models/linear").text
        assert client.get("/ui/models/quadratic/versions/1/report.png").status_code == 200


def test_unknown_model_page_is_an_html_404_naming_the_models(client: TestClient) -> None:
    response = client.get("/ui/models/nosuch")
    assert response.status_code == 404 and response.headers["content-type"].startswith(
        "text/html")
    assert "model 'nosuch' not found (models: bare, celsius_to_fahrenheit" in \
        Page(response.text).text


def test_pages_reference_only_the_apps_own_assets(client: TestClient) -> None:
    for path in ("/", "/ui/models/linear"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        for url in Page(response.text).urls:
            assert url.startswith("/") and not url.startswith("//"), url
            assert client.get(url).status_code == 200, url


def test_assets_are_a_fixed_set(client: TestClient) -> None:
    assert client.get("/ui/assets/ui.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/ui/assets/ui.css").headers["content-type"].startswith("text/css")
    for name in ("nothing.js", "..%2Fpages.py", "%2E%2E%2Fviews.py"):
        assert client.get(f"/ui/assets/{name}").status_code == 404


@pytest.mark.parametrize("scope", ["admin", "all"])
def test_pages_need_the_api_key_like_models(showcase: Path, scope: str) -> None:
    key = {"Authorization": "Bearer sekrit"}
    with serve_in_process(showcase, wait_ready=False, api_key="sekrit",
                          api_key_scope=scope) as client:
        for path in ("/", "/ui/models/linear", "/ui/models/linear/versions/1/report.png",
                     "/ui/assets/ui.js", "/models"):
            refused = client.get(path)
            assert refused.status_code == 401, path
            assert refused.json()["error"].startswith("this route needs an API key")
            assert "linear" not in refused.text
            assert eventually(lambda p=path: client.get(p, headers=key).status_code == 200,
                              timeout=60, what=f"{path} with the key")
