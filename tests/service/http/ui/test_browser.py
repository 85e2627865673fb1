"""The model browser in a real headless Chromium against a real server: the zoo and its
formulas, nothing from the repository runs as markup, the try-it form's answers and refusals,
the report images, a version published while the page is open, phone width, and Swagger UI's
Authorize button when an API key is set."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By

from tests.service.http.ui.browser import MISSING, chromium, console_errors, find_browser, wait_for
from tests.service.http.ui.conftest import MARKUP
from tests.service.http.ui.test_pages import PNG, ZOO, settled
from tests.support import LiveServer, copy_models, eventually, publish_affine, run_training

DESKTOP, PHONE = (1280, 900), (390, 844)
ANSWER = re.compile(r"^(-?[\d.e+-]+) \(version (\d+)\)$")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    found = find_browser()
    if found is None:
        pytest.skip(MISSING)
    with chromium(*found, tmp_path_factory.mktemp("chromium-profile")) as session:
        session.set_window_size(*DESKTOP)
        yield session


@pytest.fixture(scope="module")
def server(showcase: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(showcase, tmp_path_factory.mktemp("log") / "server.log") as server:
        eventually(lambda: settled(httpx.get(f"{server.url}/models").json()["models"]),
                   timeout=60, what="every version loaded or failed")
        yield server


def open_page(session: WebDriver, url: str) -> str:
    """Loads `url` and waits for the script to have polled once; returns the body text."""
    session.get(url)
    wait_for(session, lambda s: "Follows the server" in s.find_element(
        By.ID, "live-status").text, what="the script's first poll")
    return session.find_element(By.TAG_NAME, "body").text


def ask(session: WebDriver, value: str) -> str:
    field = session.find_element(By.CSS_SELECTOR, "form.try input")
    field.clear()
    field.send_keys(value)
    session.find_element(By.CSS_SELECTOR, "form.try button").click()
    return wait_for(session, lambda s: (text := s.find_element(
        By.CSS_SELECTOR, "form.try output").text) not in ("", "asking…") and text,
                    what=f"the answer for {value!r}")


def test_index_lists_the_zoo_and_each_formula(session: WebDriver, server: LiveServer,
                                             showcase: Path) -> None:
    text = open_page(session, server.url + "/")
    links = {a.text for a in session.find_elements(By.CSS_SELECTOR, "article.model h2 a")}
    assert set(ZOO) <= links
    for name in ZOO:
        formula = json.loads((showcase / name / "1" / "metadata.json").read_text())["formula"]
        assert formula in text, name
    assert re.search(r"2 FAILED.*\n?Version 2: SavedModel could not be loaded", text), text
    assert console_errors(session) == []


def test_nothing_from_the_repository_runs(session: WebDriver, server: LiveServer) -> None:
    for path in ("/", "/ui/models/markup"):
        text = open_page(session, server.url + path)
        assert MARKUP in text  # shown as text; run, it would have opened an alert
        assert session.execute_script("return document.title").endswith("Dense model server")
        assert session.find_elements(By.CSS_SELECTOR, "main script, main img[src='x']") == []
        assert console_errors(session) == []  # no load of "x", no refused inline script


def test_try_it_answers_and_shows_the_refusal(session: WebDriver, server: LiveServer) -> None:
    open_page(session, server.url + "/ui/models/linear")
    answer = ANSWER.match(ask(session, "10"))
    assert answer is not None and answer.group(2) == "1"
    assert abs(float(answer.group(1)) - 19) < 0.01
    refused = ask(session, "abc")
    assert refused.startswith("Refused (400): instance 0: expected a number, got str")
    assert "not a finite float32" in ask(session, "1e999")
    assert session.find_element(By.CSS_SELECTOR, "form.try output").get_attribute(
        "class") == "answer refused"


def test_try_it_sends_every_input_of_a_model(session: WebDriver, server: LiveServer) -> None:
    open_page(session, server.url + "/ui/models/cereal_calories")
    for field, value in zip(session.find_elements(By.CSS_SELECTOR, "form.try input"),
                            ("6", "2", "3"), strict=True):
        field.send_keys(value)
    session.find_element(By.CSS_SELECTOR, "form.try button").click()
    shown = wait_for(session, lambda s: ANSWER.match(s.find_element(
        By.CSS_SELECTOR, "form.try output").text), what="the cereal answer")
    expected = httpx.post(f"{server.url}/predict/cereal_calories", json={"instances": [
        {"sugars": 6, "fibre": 2, "protein": 3}]}).json()["predictions"][0]
    assert abs(float(shown.group(1)) - expected) < 1e-3


def test_report_image_loads(session: WebDriver, server: LiveServer) -> None:
    open_page(session, server.url + "/ui/models/cereal_calories")
    image = session.find_element(By.CSS_SELECTOR, "figure img")
    session.execute_script("arguments[0].scrollIntoView()", image)
    width = wait_for(session, lambda s: s.execute_script(
        "const i = arguments[0]; return i.complete && i.naturalWidth", image),
                     what="the report image")
    assert width > 100 and image.get_attribute("alt").startswith("Training report of")
    body = httpx.get(image.get_attribute("src")).content
    assert body.startswith(PNG) and len(body) > 10_000


def test_published_version_appears_without_reload(session: WebDriver, trained_repository: Path,
                                                  tmp_path: Path) -> None:
    root = copy_models(trained_repository, tmp_path / "models", "linear")
    with LiveServer(root, tmp_path / "server.log") as server:
        for path, shown in (("/", "{v} default"), ("/ui/models/linear",
                                                     "Version {v} AVAILABLE default")):
            open_page(session, server.url + path)
            session.execute_script("window.notReloaded = true")
            version = publish_affine(root, 3.0, 1.0)
            expected = ("y = 3.0000*x + 1.0000", shown.format(v=version))
            wait_for(session, lambda s, e=expected: all(
                x in s.find_element(By.TAG_NAME, "main").text for x in e), timeout=30,
                     what=f"version {version} on {path}")
            assert session.execute_script("return window.notReloaded") is True
        answer = ANSWER.match(ask(session, "10"))  # the swapped-in page still answers
        assert answer is not None and answer.group(2) == str(version)
        assert abs(float(answer.group(1)) - 31) < 1e-3


@pytest.fixture(scope="module")
def tour(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[LiveServer]:
    """The zoo a while after training: a second, shorter run of cereal_calories is the default,
    the first is labelled stable (what the README's screenshots show)."""
    root = tmp_path_factory.mktemp("tour") / "models"
    shutil.copytree(trained_repository, root)
    run_training(root, "cereal_calories", "--epochs", "40", "--quiet")
    (root / "cereal_calories" / "labels.json").write_text('{"stable": 1}')
    with LiveServer(root, root.parent / "server.log") as server:
        yield server


@pytest.mark.parametrize(("path", "size", "shot"), [
    ("/", DESKTOP, "model-browser-desktop.png"),
    ("/ui/models/cereal_calories", PHONE, "model-browser-phone.png")])
def test_pages_fit_the_width_and_screenshot(session: WebDriver, tour: LiveServer,
                                            tmp_path: Path, path: str, size: tuple[int, int],
                                            shot: str) -> None:
    """The screenshots in docs/ are this test's (pytest --basetemp=DIR keeps them)."""
    session.set_window_size(*size)
    try:
        open_page(session, tour.url + path)
        overflow = session.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {size[0]} px"
        height = session.execute_script("return document.documentElement.scrollHeight")
        session.set_window_size(size[0], min(height + 150, 4000))
        for image in session.find_elements(By.CSS_SELECTOR, "figure img"):
            session.execute_script("arguments[0].scrollIntoView()", image)
        session.execute_script("window.scrollTo(0, 0)")
        assert session.save_screenshot(str(tmp_path / shot))
        assert (tmp_path / shot).read_bytes().startswith(PNG)
    finally:
        session.set_window_size(*DESKTOP)


def test_docs_authorize_button_only_with_an_api_key(session: WebDriver, server: LiveServer,
                                                    trained_repository: Path,
                                                    tmp_path: Path) -> None:
    def operations_and_authorize(url: str) -> int:
        session.get(url + "/docs")
        wait_for(session, lambda s: s.find_elements(By.CSS_SELECTOR, ".opblock"),
                 what="Swagger UI's operations")
        return len(session.find_elements(By.CSS_SELECTOR, "button.authorize"))

    assert operations_and_authorize(server.url) == 0
    with LiveServer(trained_repository, tmp_path / "server.log", api_key="sekrit") as keyed:
        assert operations_and_authorize(keyed.url) == 1
        locks = session.find_elements(By.CSS_SELECTOR, ".opblock .authorization__btn")
        assert len(locks) > 10  # one per guarded operation
