"""Fixtures for tests that use the app as people do: a real ``factgraph serve`` process
on a free loopback port, and a headless Chromium (Debian's ``chromium`` and
``chromium-driver``) driven by Selenium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
BASE = "http://127.0.0.1:5000/"
DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def screenshot(browser, tmp_path: Path, name: str) -> None:
    """Save the browser's view as ``name``.png in ``tmp_path`` (and in docs/screenshots
    when ``FACTGRAPH_SCREENSHOTS`` is set)."""
    path = tmp_path / f"{name}.png"
    browser.save_screenshot(str(path))
    if os.environ.get("FACTGRAPH_SCREENSHOTS"):
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS / path.name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def seed_dir(tmp_path_factory) -> Callable[[Path], Path]:
    """``seed_dir(dest)``: a store directory at ``dest`` holding the built-in corpus under
    ``BASE``, as ``factgraph serve`` builds it in an empty store. Ingested once per
    session through the pipeline and copied (closed, so RocksDB's files are whole): a
    ``serve`` subprocess on an empty store spends most of its start-up (7-10 s of 15 s
    at load ~6) ingesting the corpus in a fresh interpreter. Each caller gets its own
    copy, to write to or to lock."""
    import gc

    from factgraph.graph.pipeline import builtin_corpus, ingest
    from factgraph.graph.store import EmbeddedStore
    from factgraph.graph.terms import Iris

    built = tmp_path_factory.mktemp("seed-dir") / "store"
    store = EmbeddedStore(built)
    ingest(store, builtin_corpus(), Iris(BASE))
    store.close()
    del store
    gc.collect()  # the embedded store's lock goes with its last reference

    def copy(dest: Path) -> Path:
        shutil.copytree(built, dest)
        return dest

    return copy


@pytest.fixture(scope="module")
def factgraph_server() -> Iterator[Callable[..., str]]:
    """A function that starts ``python -m factgraph serve --store STORE`` on a free
    loopback port, waits until ``ready`` answers and returns the base URL; every
    server it started is stopped when the module's tests are done."""
    procs: list[subprocess.Popen] = []

    def start(store: str | Path, ready: str = "/", *extra: str, env: dict[str, str] | None = None) -> str:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "factgraph", "serve", "--store", str(store), "--host", "127.0.0.1",
             "--port", str(port), *extra],
            env={**os.environ, "FACTGRAPH_BASE": BASE, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + ready, timeout=2).read()
                return url
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    pytest.fail(f"factgraph serve did not start: {err[-2000:]}")
                time.sleep(0.2)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the session (a launch costs 1.5-3 s); tests take it
    through ``browser``. Skipped, saying why, where Chromium or Selenium is missing."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400",
                "--no-first-run", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console messages, for the tests to read
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def browser(chromium):
    """The session's headless Chromium, as a module finds it: a blank page, no cookies
    (cookies ignore the port, so another module's server's session would be sent to this
    one's) and no console messages of earlier modules (``get_log`` returns those since
    the last call). The same again when the module is done."""

    def blank() -> None:
        chromium.get("about:blank")
        chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
        chromium.get_log("browser")

    blank()
    yield chromium
    blank()
