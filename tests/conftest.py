"""Shared fixtures: the built book, a local web server and headless chromium.

- ``book_build`` / ``built_book``: build the book once per test session with
  ``jupyter-book build . -W --keep-going`` (the same command as ``make book``; the execution
  cache keeps it quick) and give the ``_build/html`` folder.
- ``serve(folder)``: serve a folder over http on 127.0.0.1 with a free port, in a thread.
- ``browser`` / ``chromium_page``: one Debian chromium for the session (Playwright, never
  ``playwright install``), one fresh page per test. Browser tests are skipped only when
  /usr/bin/chromium is missing on a developer machine; in CI (``CI=true``) that is a failure.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
VENDOR_TEST = ROOT / "book" / "vendor" / "test"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
    "--disable-quic", "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _venv_env() -> dict[str, str]:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def ensure_vendor() -> None:
    """Fetch the pinned JavaScript (make vendor) if it is missing; quick when it is there."""
    subprocess.run([sys.executable, str(ROOT / "book" / "fetch_vendor.py")], cwd=ROOT,
                   check=True, capture_output=True, text=True)


@dataclass(frozen=True)
class BuildResult:
    returncode: int
    log: str
    html: Path
    seconds: float

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.splitlines()[-lines:])


def jupyter_book_build(*extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``jupyter-book build . -W --keep-going EXTRA...`` in the repository root."""
    jb = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"
    return subprocess.run([jb, "build", ".", "-W", "--keep-going", *extra], cwd=ROOT,
                          env=env or _venv_env(), capture_output=True, text=True)


@contextlib.contextmanager
def _build_lock():
    """One build at a time, also across pytest-xdist workers."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".book-build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def book_build() -> BuildResult:
    """Build the book once per session (like ``make book``) and return the result."""
    ensure_vendor()
    with _build_lock():
        start = time.perf_counter()
        done = jupyter_book_build()
        seconds = time.perf_counter() - start
    return BuildResult(done.returncode, done.stdout + done.stderr, HTML, seconds)


@pytest.fixture(scope="session")
def built_book(book_build: BuildResult) -> Path:
    """The ``_build/html`` folder of a clean (``-W``) build; fails if the build failed."""
    if book_build.returncode != 0:
        pytest.fail("jupyter-book build . -W --keep-going failed "
                    f"(exit {book_build.returncode}):\n{book_build.tail()}")
    return book_build.html


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass


class LocalServer:
    """A folder served over http on 127.0.0.1 with a free port, in a daemon thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.folder = folder
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, relative: str | Path = "") -> str:
        return self.base + Path(relative).as_posix().lstrip("/") if str(relative) else self.base

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def serve():
    """``serve(folder) -> LocalServer``; servers stop at the end of the session."""
    servers: list[LocalServer] = []

    def start(folder: Path) -> LocalServer:
        server = LocalServer(Path(folder))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture(scope="session")
def book_server(built_book: Path, serve) -> LocalServer:
    return serve(built_book)


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if in_ci():
        pytest.fail(f"{CHROMIUM} is missing and CI=true: browser tests must run in CI "
                    "(.ci/run installs Debian's chromium package).")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); browser tests skipped "
                "outside CI")


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium for the whole session."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageWatch:
    """What a page did: requests to hosts other than this machine, JavaScript errors."""

    third_party: list[str]
    js_errors: list[str]


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def is_local(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "javascript"):
        return True
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture
def chromium_page(browser):
    """A fresh page that blocks and records any request to another host and records JS errors.

    Yields ``(page, watch)``; ``watch.third_party`` and ``watch.js_errors`` fill as it runs.
    """
    context = browser.new_context(service_workers="block")
    watch = PageWatch([], [])

    def route(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            watch.third_party.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.js_errors.append(f"pageerror: {exc}"))
    page.on("response", lambda response: watch.js_errors.append(
        f"HTTP {response.status} for {response.url}") if response.status >= 400 else None)
    page.on("console", lambda msg: watch.js_errors.append(f"console.{msg.type}: {msg.text}")
            if msg.type == "error" else None)
    try:
        yield page, watch
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source (fetched from npm by ``make vendor``)."""
    ensure_vendor()
    path = VENDOR_TEST / "axe.min.js"
    assert path.is_file(), f"{path} missing: run `make vendor`"
    return path.read_text(encoding="utf8")


FIXTURE_BOOK = ROOT / "tests" / "fixtures" / "book"
FIXTURE_BRANDING = {
    "region_name": "Testshire",
    "faculty_name": "Testshire Improvement Academy",
    "jupyterhub_url": "https://hub.example.org",
    "repository_url": "https://git.example.org/qi/curriculum",
    "repository_branch": "main",
    "repository_provider": "gitlab",
    "notebook_interface": "jupyterlab",
    "colours": {"primary": "#6a1b9a", "link": "#6a1b9a", "link_hover": "#4a148c",
                "accent": "#00a499"},
}


@pytest.fixture(scope="session")
def fixture_book(tmp_path_factory) -> Path:
    """A small book built with the real ``_config.yml`` but a test toc and rebranded.

    Its pages (tests/fixtures/book) hold a widget, a pandas table, a ``qilab.show`` figure and
    an equation; its branding turns the JupyterHub launch button on and changes the colours.
    Returns its html folder.
    """
    import yaml

    ensure_vendor()
    out = tmp_path_factory.mktemp("fixture-book")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf8"))
    config["title"] = "Test book"
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p != "tests"]
    config["branding"] = {**config["branding"], **FIXTURE_BRANDING}
    config["sphinx"]["local_extensions"] = {
        name: str(ROOT / path) for name, path in config["sphinx"]["local_extensions"].items()}
    config_path = out / "_config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf8")
    toc_path = out / "_toc.yml"
    toc_path.write_text(yaml.safe_dump({
        "format": "jb-book", "root": "tests/fixtures/book/index",
        "chapters": [{"file": "tests/fixtures/book/widgets"}]}), encoding="utf8")
    env = _venv_env()
    env["QI_BOOK_CONFIG"] = str(config_path)
    done = jupyter_book_build("--config", str(config_path), "--toc", str(toc_path),
                              "--path-output", str(out), env=env)
    if done.returncode != 0:
        pytest.fail("The test book (tests/fixtures/book) failed to build:\n"
                    + "\n".join((done.stdout + done.stderr).splitlines()[-60:]))
    return out / "_build" / "html"
