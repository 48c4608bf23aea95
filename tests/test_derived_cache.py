"""Server-side caches of what pages derive (dashboard/data.py): computed once per input
for every session, handed out as copies, bounded in bytes, out of reach of Streamlit's
`clear_cache`; and run processes that yield the CPU to page views."""
from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import streamlit as st

from dashboard import data

CALLS: list[int] = []


def derive(frame: pd.DataFrame, scale: float) -> dict:
    CALLS.append(1)
    return {"frame": frame.assign(value=frame["value"] * scale),
            "total": float(frame["value"].sum())}


@pytest.fixture()
def fresh(monkeypatch):
    monkeypatch.setattr(data, "DERIVED", data.ValueLRU(data.MB))
    CALLS.clear()


def test_memo_computes_once_per_input_and_hands_out_copies(fresh):
    frame = pd.DataFrame({"value": [1.0, 2.0, 3.0]})
    first = data.memo(derive, frame, 2.0)
    first["frame"].loc[0, "value"] = -1.0  # a session changing its copy
    again = data.memo(derive, frame.copy(), 2.0)  # equal content, another object
    assert len(CALLS) == 1 and again["frame"]["value"].tolist() == [2.0, 4.0, 6.0]
    data.memo(derive, frame.assign(value=[1.0, 2.0, 4.0]), 2.0)  # other content
    data.memo(derive, frame, 3.0)  # other argument
    assert len(CALLS) == 3


def test_a_cached_none_is_a_hit(fresh):
    calls = []
    assert data.cached(("none",), lambda: calls.append(1)) is None
    assert data.cached(("none",), lambda: calls.append(1)) is None
    assert calls == [1]


def test_derived_cache_is_bounded_in_bytes_and_survives_clear_cache(fresh):
    big = pd.DataFrame({"value": range(40_000)}, dtype=float)  # ~320 kB per derived frame
    for scale in range(8):
        data.memo(derive, big, float(scale))
    assert data.DERIVED.nbytes <= data.MB
    assert len(CALLS) == 8
    st.cache_data.clear()  # what any websocket client can trigger
    data.memo(derive, big, 7.0)
    assert len(CALLS) == 8


def test_run_processes_take_the_lowest_priority_from_their_first_import():
    code = ("import os; from experiments.framework.isolated import lower_priority; "
            "lower_priority(19); print(os.nice(0), os.sched_getscheduler(0) == os.SCHED_IDLE)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(__file__))).stdout.split()
    assert out == ["19", "True"]
