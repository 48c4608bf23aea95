"""Tidy contract and result store: round trip, atomic writes, clear errors."""
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.framework import store
from experiments.framework.schema import SCHEMA_VERSION, SchemaError, check_tidy

PROVENANCE = {"experiment": "demo", "schema_version": SCHEMA_VERSION, "params": {"n": 3},
              "seeds": [0, 1], "command": "python -m experiments precompute demo"}


def tidy(n=4, value=1.0):
    return pd.DataFrame({"experiment": "demo", "seed": np.arange(n) % 2, "split": "test",
                         "metric": "mse", "value": np.full(n, value), "n_params": np.arange(n) + 1})


def test_check_tidy_accepts_a_good_frame_and_fixes_dtypes():
    frame = tidy()
    frame["seed"] = frame["seed"].astype(float)
    out = check_tidy(frame, "demo")
    assert out["seed"].dtype == np.int64 and out["value"].dtype == np.float64


@pytest.mark.parametrize("mutate, fragment", [
    (lambda f: f.drop(columns="metric"), "missing required column"),
    (lambda f: f.assign(split="validation"), "'validation'"),
    (lambda f: f.assign(value=np.nan), "NaN or infinite"),
    (lambda f: f.assign(value=np.inf), "NaN or infinite"),
    (lambda f: f.assign(value="x"), "numeric"),
    (lambda f: f.assign(seed=0.5), "whole numbers"),
    (lambda f: f.iloc[:0], "no rows"),
    (lambda f: f.assign(experiment="other"), "another experiment"),
])
def test_check_tidy_rejects_contract_breaks(mutate, fragment):
    with pytest.raises(SchemaError, match=fragment):
        check_tidy(mutate(tidy()), "demo")


def test_round_trip_keeps_data_and_provenance(data_dir):
    store.save(tidy(), PROVENANCE, data_dir)
    frame, provenance = store.load("demo", data_dir)
    pd.testing.assert_frame_equal(frame, check_tidy(tidy()))
    assert provenance == PROVENANCE
    assert json.loads((data_dir / "demo.json").read_text()) == PROVENANCE
    assert oct((data_dir / "demo.parquet").stat().st_mode & 0o777) == "0o644"


def test_missing_file_names_the_file_and_the_fix(data_dir):
    with pytest.raises(store.StoreError, match=r"demo\.parquet is missing.*precompute demo"):
        store.load("demo", data_dir)


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # truncated
    lambda b: b"not a parquet file at all",  # garbage
    lambda b: b[:100] + bytes(200) + b[300:],  # corrupted middle
])
def test_corrupt_file_gives_a_clear_error(data_dir, damage):
    store.save(tidy(), PROVENANCE, data_dir)
    path = data_dir / "demo.parquet"
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(store.StoreError, match=r"demo\.parquet.*precompute demo"):
        store.load("demo", data_dir)


def test_other_schema_version_is_rejected_with_the_fix(data_dir):
    store.save(tidy(), {**PROVENANCE, "schema_version": 0}, data_dir)
    with pytest.raises(store.StoreError, match="schema version 0"):
        store.load("demo", data_dir)


def test_failed_write_leaves_the_previous_result_intact(data_dir):
    store.save(tidy(value=1.0), PROVENANCE, data_dir)
    with pytest.raises(SchemaError):
        store.save(tidy(value=np.nan), PROVENANCE, data_dir)
    frame, _ = store.load("demo", data_dir)
    assert (frame["value"] == 1.0).all()
    assert [p.name for p in data_dir.iterdir()] and not list(data_dir.glob("*.tmp"))


@pytest.mark.slow
def test_killed_writer_never_leaves_a_half_file(data_dir):
    """SIGKILL a process that rewrites a large result in a loop; the file stays readable."""
    store.save(tidy(value=1.0), PROVENANCE, data_dir)
    script = textwrap.dedent(f"""
        import numpy as np, pandas as pd
        from experiments.framework import store
        n = 400_000
        frame = pd.DataFrame({{"experiment": "demo", "seed": np.arange(n) % 7, "split": "test",
                              "metric": "mse", "value": np.random.default_rng(0).random(n)}})
        print("ready", flush=True)
        while True:
            store.save(frame, {PROVENANCE!r}, {str(data_dir)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            cwd=store.ROOT)
    assert proc.stdout.readline().strip() == b"ready"
    for delay in (0.05, 0.13, 0.21):
        os.kill(proc.pid, 0)
        subprocess.run(["sleep", str(delay)])
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    frame, provenance = store.load("demo", data_dir)
    assert len(frame) in (4, 400_000) and provenance == PROVENANCE


def test_csv_is_written_atomically(tmp_path, monkeypatch):
    path = tmp_path / "run.csv"
    store.write_csv(tidy(value=1.0), path)
    before = path.read_bytes()

    def half_then_crash(self, target, **kwargs):
        Path(target).write_text("experiment,seed\ndemo,")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_crash)
    with pytest.raises(OSError):
        store.write_csv(tidy(value=2.0), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.csv"]


def test_no_folder_is_created_silently(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist; create it first"):
        store.save(tidy(), PROVENANCE, tmp_path / "nope")
    assert not (tmp_path / "nope").exists()


def test_a_stale_sidecar_is_rewritten_from_the_parquet_file(data_dir):
    """A run killed between the Parquet rename and the JSON rename of `save`."""
    store.save(tidy(value=1.0), PROVENANCE, data_dir)
    newer = {**PROVENANCE, "seeds": [0, 1, 2]}
    store.write_table(tidy(value=2.0), data_dir / "demo.parquet", newer)
    assert json.loads((data_dir / "demo.json").read_text()) == PROVENANCE  # stale
    assert store.sync_sidecars(data_dir) == [data_dir / "demo.json"]
    assert json.loads((data_dir / "demo.json").read_text()) == newer
    assert store.sync_sidecars(data_dir) == []
    (data_dir / "demo.json").unlink()  # a missing sidecar is restored too
    assert store.sync_sidecars(data_dir) == [data_dir / "demo.json"]


def test_shipped_sidecars_mirror_their_parquet_files():
    for parquet_path in store.DATA_DIR.glob("*.parquet"):
        _, provenance = store.read_table(parquet_path)
        assert json.loads(parquet_path.with_suffix(".json").read_text()) == provenance, parquet_path
