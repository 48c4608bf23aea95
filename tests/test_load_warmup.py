"""The server's warm-up (dashboard/app.py) and the single-flight cache it relies on: the
first visitors of a fresh server find Home's tour computed, two sessions asking for the
same cold value at once compute it once, and the warm-up runs once per process."""
from __future__ import annotations

import threading
import time

import pytest

from dashboard import data


def test_two_threads_asking_for_one_cold_value_compute_it_once():
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.2)  # long enough for the second thread to ask meanwhile
        return {"value": len(calls)}

    key = ("test-single-flight", time.time_ns())
    results = []
    threads = [threading.Thread(target=lambda: results.append(data.cached_once(key, compute)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and results == [{"value": 1}, {"value": 1}]
    results[0]["value"] = 99  # each caller holds its own copy
    assert data.cached_once(key, compute) == {"value": 1}


def test_the_warm_up_runs_once_per_process_and_survives_a_failing_task(monkeypatch):
    monkeypatch.setattr(data, "_WARM_UP", [])
    done = []

    def fail():
        raise ValueError("a broken shipped file")

    first = data.warm_up((fail, lambda: done.append("a")))
    second = data.warm_up((lambda: done.append("b"),))
    first.join(timeout=10)
    assert first is second and done == ["a"]


@pytest.mark.slow
def test_warm_up_puts_home_s_tour_in_the_cache_before_anyone_asks(monkeypatch):
    from dashboard import app
    from dashboard.pages import home

    data.DERIVED.clear()
    assert app.warm_up_tasks()[0] is home.warm
    home.warm()

    def refuse(*args, **kwargs):
        raise AssertionError("Home measured its tour again after the warm-up")

    monkeypatch.setattr(home, "measured_stop", refuse)
    views = [home.stop_shown(stop) for stop in home.tour.STOPS]
    assert [v.key for v in views] == [s.key for s in home.tour.STOPS]
    assert all(v.spec and not v.error for v in views)
