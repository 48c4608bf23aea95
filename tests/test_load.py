"""Concurrent readers, kept small: four simultaneous browser sessions on one server, two
of them running polynomial on demand with their own max_degree. No exception box, each
run shows its own provenance command (sessions do not see each other's runs), and the
server's peak RSS stays under 1.5 GB. Nothing else in the suite puts several sessions
on one server at once.

The figures (24 sessions, p50/p95 time to first chart, RSS) and the storm of ten heavy
links come from `python -m bench.load_test [--storm]`: minutes of browser work each,
kept out of the suite's time budget. Refusals, the gate's bound, the time and memory
limits they rely on are unit-tested in test_admission.py and test_costs.py.
"""
import os
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import load_test

pytestmark = [pytest.mark.load, pytest.mark.browser]

if shutil.which("chromium") is None:
    if os.environ.get("CI"):
        raise RuntimeError("Debian chromium is required under CI (apt-get install -y chromium)")
    pytest.skip("Debian chromium not found (apt-get install -y chromium)", allow_module_level=True)


def test_simultaneous_sessions_stay_isolated_and_small():
    # Its own thread: the sync Playwright of the browser tests keeps an event loop
    # running in this one, and the load test drives pages with asyncio. The timeout is
    # generous because a shared CI box can be several times slower.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(load_test.load_test, sessions=4, runs_fraction=1 / 2, seeds=1,
                             pages=["polynomial", "sample_wise"], timeout_s=180).result()
    assert not result["errors"], [(o.url, o.error) for o in result["errors"]]
    runs = [o for o in result["outcomes"] if o.kind == "run"]
    assert len(runs) == 2 and len({o.url for o in runs}) == 2
    assert result["rss_peak_mb"] < 1536, result["rss_peak_mb"]
    print(load_test.table(result))
