"""Faults lose nothing: a precompute killed at any moment leaves every shipped result
intact, and a damaged data file breaks only its own page, with a message saying the fix.

The kill test relies on store.save's write-temp-fsync-rename: at any instant each file
is either the old complete result or the new complete one.
"""
import json
import random
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import streamlit as st

from experiments.framework import registry, store
from experiments.framework.schema import SCHEMA_VERSION
from tests.helpers import open_page

AFFECTED = "polynomial"
# Only experiments whose data is already shipped (one being added may not have any yet).
OTHERS = [i for i in registry.experiments()
          if i != AFFECTED and store.paths(i)[0].exists()]


def copy_shipped(dest):
    for path in store.DATA_DIR.iterdir():
        if path.suffix in (".parquet", ".json"):
            shutil.copy2(path, dest / path.name)
    return {p.name: p.read_bytes() for p in dest.iterdir()}


@pytest.mark.slow
def test_precompute_killed_at_random_moments_loses_nothing(tmp_path):
    before = copy_shipped(tmp_path)
    old_frame, old_prov = store.load(AFFECTED, tmp_path)
    exp = registry.get(AFFECTED)
    rng = random.Random(8)
    delays = sorted(rng.uniform(0.2, 4.0) for _ in range(4))
    outcomes = []
    for delay in delays:
        proc = subprocess.Popen(
            [sys.executable, "-m", "experiments", "precompute", AFFECTED, "--data-dir",
             str(tmp_path)],
            cwd=store.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        frame, prov = store.load(AFFECTED, tmp_path)  # never unreadable
        if prov == old_prov:
            pd.testing.assert_frame_equal(frame, old_frame)
            outcomes.append("old")
        else:  # a complete new result: every seed present
            assert prov["seeds"] == list(range(exp.precompute_seeds))
            assert sorted(frame.loc[frame.seed >= 0, "seed"].unique()) == prov["seeds"]
            outcomes.append("new")
        for name, data in before.items():  # every other shipped file untouched
            if not name.startswith(AFFECTED + "."):
                assert (tmp_path / name).read_bytes() == data, name
        for other in OTHERS:
            store.load(other, tmp_path)
    assert "old" in outcomes, outcomes  # at least one kill landed mid-run


# -- damaged files: one page shows the fix, the others keep working ------------------

def corrupt(path):
    path.write_bytes(b"PAR1" + bytes(random.Random(1).randrange(256) for _ in range(4000)))


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def rewrite(path, change_frame=None, change_prov=None):
    table = pq.read_table(path)
    prov = json.loads(table.schema.metadata[store.PROVENANCE_KEY])
    frame = table.to_pandas()
    frame = change_frame(frame) if change_frame else frame
    prov = change_prov(prov) if change_prov else prov
    out = pa.Table.from_pandas(frame, preserve_index=False)
    out = out.replace_schema_metadata({store.PROVENANCE_KEY: json.dumps(prov).encode()})
    pq.write_table(out, path)


DAMAGE = {
    "corrupt": (corrupt, "unreadable"),
    "truncated": (truncate, "unreadable"),
    "missing": (lambda p: p.unlink(), "is missing"),
    "column_renamed": (lambda p: rewrite(p, lambda f: f.rename(columns={"value": "val"})), "value"),
    "column_dropped": (lambda p: rewrite(p, lambda f: f.drop(columns=["metric"])), "metric"),
    "wrong_dtype": (lambda p: rewrite(p, lambda f: f.assign(value="abc")), "value"),
    "older_schema": (lambda p: rewrite(p, change_prov=lambda d: {**d, "schema_version": 0}),
                     f"schema version 0, this code reads {SCHEMA_VERSION}"),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_file_gives_a_clear_message(kind, tmp_path):
    copy_shipped(tmp_path)
    damage, words = DAMAGE[kind]
    damage(tmp_path / f"{AFFECTED}.parquet")
    with pytest.raises(store.StoreError) as err:
        store.load(AFFECTED, tmp_path)
    message = str(err.value)
    assert words in message and f"precompute {AFFECTED}" in message, message
    assert "\n" not in message
    for other in OTHERS:
        store.load(other, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["truncated", "column_dropped", "older_schema"])
def test_damaged_file_breaks_only_its_own_page(kind, tmp_path, monkeypatch):
    copy_shipped(tmp_path)
    damage, words = DAMAGE[kind]
    damage(tmp_path / f"{AFFECTED}.parquet")
    monkeypatch.setattr(store, "DATA_DIR", tmp_path)
    at = open_page(AFFECTED)
    assert not at.exception, [e.value for e in at.exception]
    assert any(words in e.value and "precompute" in e.value for e in at.error), \
        [e.value for e in at.error]
    for other in OTHERS[:2] if kind != "truncated" else OTHERS:
        at = open_page(other)
        assert not at.exception and not at.error, (other, [e.value for e in at.error])
    st.cache_data.clear()
