"""Shared fixtures: a scratch data folder and results catalog, the running dashboard, a
real browser, and a throwaway PostgreSQL server.

Browser tests need Debian's chromium (`apt-get install -y chromium`), the PostgreSQL
catalog tests Debian's `postgresql`. Locally they are skipped with a clear reason when
it is missing; under CI (CI=true) a missing one is a failure, so these tests can never
silently stop running.
"""
from __future__ import annotations

import functools
import os
import shutil

import pytest

from tests import local_server, ordering, pg_server
from tests.helpers import ARTIFACTS, CHROMIUM_FLAGS, count_messages

BROWSER_FIXTURES = {"page", "browser", "dashboard_url"}


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Tests that drive the running dashboard are `browser` tests, marked or not (before
    `-m` deselects); then, once every other plugin has filtered and grouped the items,
    the longest tests go first on every xdist worker (tests/ordering.py)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    yield
    if config.getoption("failedfirst", False) or config.getoption("newfirst", False):
        return  # the developer asked for another order
    workers = getattr(config, "workerinput", {}).get("workercount", 1)
    known = config.cache.get(ordering.CACHE_KEY, {}) if getattr(config, "cache", None) else {}
    items[:] = ordering.order(items, workers, known)


def pytest_configure(config):
    if not hasattr(config, "workerinput") and getattr(config, "cache", None):
        config.pluginmanager.register(ordering.Recorder(config.cache), "descent-lab-durations")
    _scan_components_once()


def _scan_components_once() -> None:
    """Every new AppTest scans all installed packages' metadata for Streamlit components
    (~0.17 s here, more than many pages' own script). What is installed does not change
    during a test run, so the scan runs once per process; the app has no such component."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(scan)


@pytest.fixture(scope="session", autouse=True)
def scratch_catalog(tmp_path_factory):
    """Runs that tests save (`run` saves by default; so may the dashboard they start) go
    to a scratch catalog: never the developer's results/ nor a team's server."""
    folder = tmp_path_factory.mktemp("results")
    os.environ["DESCENT_LAB_RESULTS"] = str(folder)
    os.environ.pop("DESCENT_LAB_CATALOG_URL", None)
    return folder


@pytest.fixture(scope="session")
def postgres_url():
    """$DESCENT_LAB_TEST_PG_URL, or a throwaway local cluster for the session."""
    if os.environ.get("DESCENT_LAB_TEST_PG_URL"):
        yield os.environ["DESCENT_LAB_TEST_PG_URL"]
        return
    try:
        with pg_server.cluster() as url:
            yield url
    except pg_server.Unavailable as err:
        if os.environ.get("CI"):
            pytest.fail(f"{err} — required under CI")
        pytest.skip(str(err))


@pytest.fixture(scope="session")
def dashboard_url(scratch_catalog):
    """`streamlit run streamlit_app.py` on a free loopback port for the whole session,
    saving runs into the session's scratch catalog."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / "streamlit.log", "w") as log:
        proc, url = local_server.start(log, env={"DESCENT_LAB_RESULTS": str(scratch_catalog)})
        try:
            yield url
        finally:
            local_server.stop(proc)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        message = "Debian chromium not found (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + " — required under CI")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def browser_context(browser):
    """One context per worker: its HTTP and compiled-script caches let every test's page
    load skip re-fetching and re-compiling Streamlit's frontend (~1 s per load here).
    Tests stay isolated: each gets its own tab, hence its own Streamlit session."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    count_messages(context)
    yield context
    context.close()


@pytest.fixture()
def page(browser_context):
    tab = browser_context.new_page()
    yield tab
    tab.close()


@pytest.fixture()
def data_dir(tmp_path):
    """An empty result store; experiments.framework.store functions take it as `data_dir`."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder
