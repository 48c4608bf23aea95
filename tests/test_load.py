"""Concurrent readers (light): 12 simultaneous browser sessions, a third of them running
polynomial on demand with their own max_degree. No exception box, each run shows its
own provenance command, and the server's peak RSS stays under 1.5 GB.

The full figures with 24 sessions (p50/p95 time to first chart, RSS) come from
`python -m bench.load_test`; this lighter run keeps the suite within its time budget
(server and browser share the same 2 cores here).
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
    # light pages and small runs: a few seconds each on 2 idle cores; the timeout is
    # generous because a shared CI box can be several times slower
    # Its own thread: the sync Playwright of the browser tests keeps an event loop
    # running in this one, and the load test drives pages with asyncio.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(load_test.load_test, sessions=12, runs_fraction=1 / 3, seeds=2,
                             pages=["polynomial", "sample_wise"], timeout_s=180).result()
    assert not result["errors"], [(o.url, o.error) for o in result["errors"]]
    runs = [o for o in result["outcomes"] if o.kind == "run"]
    assert len(runs) == 4 and len({o.url for o in runs}) == 4
    assert result["rss_peak_mb"] < 1536, result["rss_peak_mb"]
    print(load_test.table(result))


@pytest.mark.slow
def test_a_storm_of_heavy_links_is_contained():
    """Ten links that each ask for the most a cap allows, at once: each is refused by its
    estimate or as busy, stopped by its time or memory limit with a one-line reason, or
    finishes; the server
    stays under 1 GB and keeps answering. Home's latency is reported, not asserted: on a
    shared 2-core box the ten browser tabs themselves take most of the CPU."""
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(load_test.storm, timeout_s=400).result()
    print(load_test.storm_table(result))
    assert not result["errors"], [(o.url, o.error) for o in result["errors"]]
    allowed = ("stopped after", "needs more than", "the lab is busy", "too large")
    for o in result["outcomes"]:
        assert o.kind == "finished" or any(a in o.error for a in allowed), (o.url, o.error)
    assert result["rss_peak_mb"] < 1024, result["rss_peak_mb"]
    assert result["home_s"] and load_test.percentile(result["health_s"], 0.5) < 1
