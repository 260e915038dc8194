"""Headless Chromium from Debian's packages, driven by Playwright for Python.

The browser is never downloaded: Playwright launches ``/usr/bin/chromium`` (installed by
``scripts/ensure-chromium``, which ``scripts/test`` runs), with the flags known to work on these
machines (no sandbox as root, no GPU, no background connections) and a fresh profile each run.
Screenshots go to ``var/artefacts/browser/``; the path is printed in the test summary.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from soap_server.railway.system import Railway
from soap_server.settings import Settings
from soap_server.wsgi import create_app
from tests.support import serving

CHROMIUM = Path(os.environ.get("IRCTC_CHROMIUM", "/usr/bin/chromium"))
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "artefacts" / "browser"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run scripts/ensure-chromium (apt-get install chromium)"
        )
    with tempfile.TemporaryDirectory(prefix="irctc-chromium-") as profile, sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # Playwright gives every launch a new empty profile (--user-data-dir) of its own.
            args=FLAGS,
            env={**os.environ, "HOME": profile},
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def site(settings: Settings, railway: Railway) -> Iterator[str]:
    """The core in demo mode on a real socket; yields its root URL."""
    app = create_app(replace(settings, demo_mode=True), railway)
    with serving(app) as url:
        yield url.removesuffix("/soap")


@pytest.fixture(scope="session")
def artefacts(request: pytest.FixtureRequest) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def announce() -> None:
        if reporter is not None:
            reporter.write_line(f"browser screenshots: {ARTEFACTS}")

    request.addfinalizer(announce)
    return ARTEFACTS
