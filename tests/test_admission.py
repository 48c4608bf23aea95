"""On-demand runs: the server-wide gate, the limited child process, the byte-bounded
result caches and the one owner of BLAS thread counts. No browser."""
import os
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info

from experiments.framework import admission, registry
from experiments.framework.admission import Busy, Gate
from experiments.framework.experiment import run
from experiments.framework.isolated import STARTING, Child, Limits, RunStopped, run_isolated
from experiments.numerics import threads as blas

POLY = registry.get("polynomial")
CHEAP = POLY.validate({"max_degree": 30})


def test_gate_admits_up_to_its_slots_queues_in_order_and_then_refuses():
    gate = Gate(slots=2, max_waiting=2)
    a, b, c, d = (gate.join() for _ in range(4))
    assert [gate.position(t) for t in (a, b, c, d)] == [0, 0, 1, 2]
    with pytest.raises(Busy, match="busy"):
        gate.join()
    gate.leave(a)  # a finished run frees its slot for the first in line
    assert [gate.position(t) for t in (b, c, d)] == [0, 0, 1]
    gate.leave(d)  # a visitor who leaves the queue gives up the place
    assert gate.load() == (2, 0)
    gate.leave(b), gate.leave(c)
    assert gate.load() == (0, 0)


def test_gate_holds_its_bound_under_concurrent_sessions():
    gate = Gate(slots=2, max_waiting=3)
    peak, lock = [0], threading.Lock()

    def session():
        try:
            token = gate.join()
        except Busy:
            return
        while gate.position(token):
            time.sleep(0.001)
        with lock:
            peak[0] = max(peak[0], gate.load()[0])
        time.sleep(0.005)
        gate.leave(token)

    threads = [threading.Thread(target=session) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] <= 2 and gate.load() == (0, 0)


def test_held_takes_a_free_slot_for_in_process_work_or_refuses():
    gate = Gate(slots=1, max_waiting=2)
    with admission.held(gate):
        assert gate.load() == (1, 0)
        with pytest.raises(Busy), admission.held(gate):
            pass
        assert gate.load() == (1, 0)  # the refused caller left no place in the queue
    assert gate.load() == (0, 0)


def test_clear_cache_from_a_visitor_leaves_the_shared_result_caches_alone():
    """Streamlit 1.67 lets any websocket client send `clear_cache`, which clears every
    st.cache_data and st.cache_resource for all sessions; results are kept elsewhere."""
    import streamlit as st

    from dashboard import data

    data.load_shipped("polynomial")
    before = data.SHIPPED.nbytes
    st.cache_data.clear()
    st.cache_resource.clear()
    assert before > 0 and data.SHIPPED.nbytes == before


@pytest.mark.slow
def test_an_isolated_run_equals_the_in_process_run():
    frame, provenance = run_isolated("polynomial", CHEAP, 2)
    expected = run(POLY, CHEAP, 2).frame
    pd.testing.assert_frame_equal(frame, expected, check_exact=False, rtol=1e-9)
    assert provenance["params"]["max_degree"] == 30 and provenance["seeds"] == [0, 1]
    assert "--set max_degree=30 --seeds 2" in provenance["command"]


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def test_a_run_is_forked_alone_in_its_group_at_its_priority_from_a_single_threaded_parent():
    """The forkserver keeps this process's priority (a child's nice is an increment) and
    holds no thread but its own when it forks (a BLAS or allocator pool would be missing
    in the child); the child leads its own process group, so a kill reaches all of it."""
    child = Child("polynomial", POLY.defaults(), 80, Limits(wall_seconds=60, nice=7))
    try:
        while child.text == STARTING and child.running():
            time.sleep(0.02)
        pid = child._proc.pid
        fields = _stat(pid)
        parent = int(fields[1])
        assert int(fields[2]) == pid and int(fields[16]) == min(19, os.nice(0) + 7)
        assert int(_stat(parent)[16]) == os.nice(0) and os.listdir(f"/proc/{parent}/task") == [
            str(parent)]
    finally:
        child.close()


def test_a_run_does_not_run_the_page_script_again(tmp_path, monkeypatch):
    """Streamlit makes the page script __main__ while it runs; multiprocessing would run
    __main__ again in the child before the run."""
    import sys
    import types

    marker = tmp_path / "ran"
    script = tmp_path / "page.py"
    script.write_text(f"open({str(marker)!r}, 'w').close()\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    assert run_isolated("polynomial", CHEAP, 1).provenance["seeds"] == [0]
    assert not marker.exists()


@pytest.mark.slow
def test_an_isolated_run_is_the_same_after_a_killed_run_in_the_same_forkserver():
    first = run_isolated("polynomial", CHEAP, 2).frame
    child = Child("polynomial", POLY.defaults(), 80, Limits(wall_seconds=60))
    while child.text == STARTING and child.running():
        time.sleep(0.02)
    child.close()
    pd.testing.assert_frame_equal(run_isolated("polynomial", CHEAP, 2).frame, first,
                                  check_exact=True)


@pytest.mark.slow
def test_a_refused_setting_comes_back_as_one_line():
    with pytest.raises(RunStopped, match="max_degree") as err:
        run_isolated("polynomial", {"max_degree": -4}, 1)
    assert "\n" not in str(err.value)


@pytest.mark.slow
def test_the_wall_clock_limit_kills_the_run_and_says_so():
    """The limit counts from the end of the child's imports (slow on a busy host)."""
    child = Child("polynomial", POLY.defaults(), 20, Limits(wall_seconds=1.0))
    try:
        while child.text == STARTING and child.running():
            time.sleep(0.02)
        start = time.monotonic()
        with pytest.raises(RunStopped, match="stopped after 1 s, the time limit"):
            child.result()
        assert time.monotonic() - start < 10
    finally:
        child.close()


@pytest.mark.slow
def test_the_memory_ceiling_stops_a_run_that_needs_too_much():
    """The ceiling holds even where an estimate is wrong: a default run (~200 MB, within
    the 300 MB estimate cap, so the child's own budget check lets it start) under a
    60 MB ceiling."""
    rf = registry.get("random_features")
    with pytest.raises(RunStopped, match="needs more than the 60 MB"):
        run_isolated("random_features", rf.defaults(), 1, Limits(wall_seconds=120, memory_mb=60))


def test_closing_a_job_kills_its_child_and_frees_the_slot():
    gate = Gate(slots=1, max_waiting=1)
    job = admission.submit("polynomial", POLY.defaults(), 20, Limits(wall_seconds=60), gate)
    waiting = admission.submit("polynomial", CHEAP, 1, gate=gate)
    statuses = job.follow(poll_seconds=0.05)
    assert next(statuses).state == "running"
    assert next(waiting.follow()).position == 1
    pid = job._child._proc.pid
    job.close()  # what the page's `with` does when the visitor reruns or leaves
    assert not os.path.exists(f"/proc/{pid}") or "zombie" in open(f"/proc/{pid}/status").read()
    assert gate.position(waiting._token) == 0
    waiting.close()
    assert gate.load() == (0, 0)


def test_result_caches_are_bounded_in_bytes_and_hand_out_copies():
    from dashboard.data import ByteLRU

    frame = pd.DataFrame({"x": np.arange(1000, dtype=float)})
    size = ByteLRU.size((frame, {}))
    cache = ByteLRU(max_bytes=int(2.5 * size))
    for key in "abc":
        cache.put(key, (frame, {"k": [key]}))
    assert "a" not in cache and "b" in cache and cache.nbytes <= cache.max_bytes
    got, provenance = cache.get("b")
    got.loc[0, "x"] = -1.0
    provenance["k"].append("changed")
    again, provenance = cache.get("b")
    assert again.loc[0, "x"] == 0.0 and provenance == {"k": ["b"]}
    frame.loc[1, "x"] = -1.0  # the caller's frame is not the cached one either
    assert cache.get("c")[0].loc[1, "x"] == 1.0
    big = ByteLRU(max_bytes=1)
    big.put("only", (frame, {}))
    assert big.get("only") is not None  # the newest entry is kept even over the bound


def _threads():
    return {i["filepath"]: i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


@pytest.mark.parametrize("order", ["nested", "crossed"])
def test_concurrent_blas_limits_restore_the_original_thread_counts(order):
    """Two grokking runs (single_threaded) and a sweep (numpy_pool_only) overlapping in
    any order leave every BLAS pool as it was; a save-and-restore per block did not."""
    before = _threads()
    a, b, c = blas.single_threaded(), blas.single_threaded(), blas.numpy_pool_only()
    a.__enter__()
    b.__enter__()
    assert set(_threads().values()) == {1}
    c.__enter__()
    if order == "crossed":
        a.__exit__(None, None, None)
        assert set(_threads().values()) == {1}  # b still needs one thread everywhere
        b.__exit__(None, None, None)
        c.__exit__(None, None, None)
    else:
        c.__exit__(None, None, None)
        b.__exit__(None, None, None)
        a.__exit__(None, None, None)
    assert _threads() == before


def test_blas_limits_survive_many_threads_interleaving():
    before = _threads()
    barrier = threading.Barrier(6)

    def worker(i):
        limit = blas.single_threaded if i % 2 else blas.numpy_pool_only
        barrier.wait()
        for _ in range(20):
            with limit():
                time.sleep(0.0005)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _threads() == before


def test_only_experiments_blas_changes_thread_counts():
    from experiments.framework.store import ROOT

    owners = [p.relative_to(ROOT).as_posix() for folder in ("experiments", "dashboard")
              for p in (ROOT / folder).rglob("*.py")
              if "threadpool_limits" in p.read_text() or "ThreadpoolController" in p.read_text()]
    assert owners == ["experiments/numerics/threads.py"]
