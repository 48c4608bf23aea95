"""Concurrent readers (light): 20 simultaneous browser sessions, half of them running
polynomial on demand with their own max_degree. No exception box, each run shows its
own provenance command, and the server's peak RSS stays under 1.5 GB.

The full figures (p50/p95 time to first chart, RSS) come from `python bench/load_test.py`.
"""
import os
import shutil
import sys

import pytest

from experiments.store import ROOT

sys.path.insert(0, str(ROOT / "bench"))
load_test = pytest.importorskip("load_test")

if shutil.which("chromium") is None:
    if os.environ.get("CI"):
        raise RuntimeError("Debian chromium is required under CI (apt-get install -y chromium)")
    pytest.skip("Debian chromium not found (apt-get install -y chromium)", allow_module_level=True)


def test_twenty_simultaneous_sessions_stay_isolated_and_small():
    # light pages and small runs: a few seconds each on 2 idle cores; the timeout is
    # generous because a shared CI box can be several times slower
    result = load_test.load_test(sessions=20, runs_fraction=0.25, seeds=2,
                                 pages=["polynomial", "sample_wise"], timeout_s=180)
    assert not result["errors"], [(o.url, o.error) for o in result["errors"]]
    runs = [o for o in result["outcomes"] if o.kind == "run"]
    assert len(runs) == 5 and len({o.url for o in runs}) == 5
    assert result["rss_peak_mb"] < 1536, result["rss_peak_mb"]
    print(load_test.table(result))
