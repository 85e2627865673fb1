"""A real headless Chromium for the page tests, driven by Selenium through Debian's
chromedriver (given by path, so Selenium never downloads a driver)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

T = TypeVar("T")
ARGUMENTS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run")
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
MISSING = ("NO BROWSER: the model browser's browser tests did NOT run. Install Debian's "
           "chromium and chromium-driver packages (make test does when they are missing).")


def find_browser() -> tuple[str, str] | None:
    """(browser, driver) executables, or None when either is missing."""
    browser = next((path for path in map(shutil.which, BROWSERS) if path), None)
    driver = shutil.which("chromedriver") or next(
        (path for path in DRIVERS if Path(path).is_file()), None)
    return (browser, driver) if browser and driver else None


@contextmanager
def chromium(browser: str, driver: str, profile: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    for argument in (*ARGUMENTS, f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.binary_location = browser
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield session
    finally:
        session.quit()


def wait_for(session: WebDriver, probe: Callable[[WebDriver], T], timeout: float = 20.0,
             what: str = "the page") -> T:
    """`probe`'s first truthy value, or a failure naming `what` after `timeout` seconds."""
    return WebDriverWait(session, timeout, poll_frequency=0.1).until(
        probe, message=f"{what} not seen within {timeout} s")


def console_errors(session: WebDriver) -> list[str]:
    """What the page logged at SEVERE since the last call: failed loads, CSP refusals,
    script errors."""
    return [entry["message"] for entry in session.get_log("browser")
            if entry["level"] == "SEVERE"]
