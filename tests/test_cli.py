"""`python -m experiments`: verbs, outputs and one-line errors with exit status 2."""
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from experiments.framework import registry, store
from experiments.framework.store import ROOT


def cli(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "experiments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_list_names_every_registered_experiment():
    out = cli("list").stdout
    for exp_id in registry.experiments():
        assert exp_id in out


@pytest.mark.slow
def test_describe_prints_the_spec_as_json():
    spec = json.loads(cli("describe", "polynomial").stdout)
    names = {p["name"] for p in spec["params"]}
    assert {"n_train", "noise", "max_degree", "ridge"} <= names
    assert spec["id"] == "polynomial" and spec["x"] == "n_params"


@pytest.mark.slow
def test_run_writes_a_checked_parquet_with_provenance(tmp_path):
    out = tmp_path / "poly.parquet"
    cli("run", "polynomial", "--set", "n_train=12", "--set", "max_degree=40",
        "--seeds", "2", "--out", str(out))
    frame, provenance = store.read_table(out, "polynomial")
    assert set(frame["seed"]) == {-1, 0, 1} and (frame["n_train"] == 12).all()
    assert provenance["command"] == ("python -m experiments run polynomial --set n_train=12 "
                                     "--set max_degree=40 --seeds 2")
    assert provenance["params"]["max_degree"] == 40 and provenance["packages"]["numpy"]


@pytest.mark.slow
def test_run_to_csv_and_with_jobs(tmp_path):
    out = tmp_path / "poly.csv"
    cli("run", "polynomial", "--set", "max_degree=20", "--seeds", "2", "--jobs", "2", "--out",
        str(out))
    frame = pd.read_csv(out)
    assert {"experiment", "seed", "split", "metric", "value", "n_params"} <= set(frame.columns)


@pytest.mark.slow
def test_run_without_out_prints_a_summary_table():
    out = cli("run", "polynomial", "--set", "max_degree=10", "--seeds", "2").stdout
    assert "n_params" in out and "mse" in out


def test_precompute_writes_the_store(tmp_path, monkeypatch, capsys):
    """In process, on a small copy of polynomial's shipped configuration (the real one is
    a minute of work; `experiments new` runs a whole precompute in a subprocess in
    tests/test_sharing.py)."""
    from experiments.framework.cli import main

    small = replace(registry.get("polynomial"), precompute_seeds=3,
                    precompute_params={"n_train": 12, "max_degree": 20})
    monkeypatch.setattr(registry, "get", lambda exp_id: small)
    assert main(["precompute", "polynomial", "--data-dir", str(tmp_path)]) == 0
    frame, provenance = store.load("polynomial", tmp_path)
    assert provenance["command"] == "python -m experiments precompute polynomial"
    assert len(provenance["seeds"]) == 3 and provenance["params"]["max_degree"] == 20
    assert set(frame["seed"]) >= {0, 1, 2}
    assert "100%" in capsys.readouterr().err


@pytest.mark.parametrize("args, fragment", [
    (["run", "nope"], "unknown experiment 'nope'"),
    (["run", "polynomial", "--set", "n_train=abc"], "n_train: 'abc' is not a whole number"),
    (["run", "polynomial", "--set", "n_train=1e9"], "n_train: 1e+09 is out of range"),
    (["run", "polynomial", "--set", "noise=nan"], "noise: 'nan' is not a finite number"),
    (["run", "polynomial", "--set", "n_train=1e999"], "n_train: '1e999' is not a whole number"),
    (["run", "polynomial", "--set", "colour=red"], "unknown parameter 'colour'"),
    (["run", "polynomial", "--set", "oops"], "--set expects key=value"),
    (["run", "polynomial", "--seeds", "0"], "seeds: 0 is out of range"),
    (["run", "polynomial", "--seeds", "many"], "invalid int value"),
    (["run", "polynomial", "--jobs", "0"], "jobs"),
    (["run", "polynomial", "--set", "max_degree=2000", "--set", "n_train=200", "--seeds", "200"],
     "too large for on-demand compute"),
    (["run", "polynomial", "--out", "x.txt", "--set", "max_degree=5", "--seeds", "1"],
     "--out must end"),
    (["describe"], "the following arguments are required: id"),
    (["frobnicate"], "invalid choice"),
    ([], "the following arguments are required"),
])
def test_bad_input_prints_one_line_and_exits_2(args, fragment, capsys):
    """In process: `python -m experiments` is `sys.exit(main())`, and a process of its own
    for each case is tests/test_hostile.py's subprocess test (a second each for start-up)."""
    from experiments.framework.cli import main

    code = main(list(args))
    stderr = capsys.readouterr().err
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith("error: ")
    assert fragment in stderr
    assert "Traceback" not in stderr


def test_missing_result_file_is_a_readable_error(tmp_path):
    with pytest.raises(store.StoreError, match="none.parquet is missing"):
        store.read_table(tmp_path / "none.parquet", "polynomial")


def unwritable_folder(tmp_path):
    """A folder this process cannot create files in (root ignores permission bits)."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("where, fragment", [
    (lambda tmp: tmp / "results.parquet", "is a folder"),
    (lambda tmp: tmp / "missing" / "run.parquet", "does not exist; create it first"),
    (lambda tmp: tmp / "missing" / "run.csv", "does not exist; create it first"),
    (lambda tmp: unwritable_folder(tmp) / "run.parquet", "cannot write in"),
])
def test_bad_out_fails_before_running_in_one_line(tmp_path, where, fragment):
    (tmp_path / "results.parquet").mkdir()
    out = where(tmp_path)
    # --no-cap and a sweep of minutes: only a check before the run can answer at once
    proc = cli("run", "polynomial", "--no-cap", "--set", "max_degree=2000", "--set", "n_train=200",
               "--seeds", "200", "--out", str(out), check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: --out: "), proc.stderr
    assert fragment in proc.stderr and ".tmp" not in proc.stderr
    assert not (tmp_path / "missing").exists()  # no folder created silently


def test_precompute_into_a_missing_folder_fails_at_once(tmp_path, capsys):
    from experiments.framework.cli import main

    code = main(["precompute", "polynomial", "--data-dir", str(tmp_path / "none")])
    stderr = capsys.readouterr().err
    assert code == 2 and "does not exist" in stderr
    assert stderr.count("\n") == 1 and not (tmp_path / "none").exists()


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.slow
def test_a_run_clears_temp_files_of_killed_runs_only(tmp_path):
    stale = [tmp_path / f".run.parquet.{dead_pid()}-abcd1234.tmp",
             tmp_path / ".old.csv.x1y2z3w4.tmp"]
    kept = [tmp_path / f".run.parquet.{os.getpid()}-live1234.tmp",  # a writer still running
            tmp_path / ".notes.tmp", tmp_path / "mine.tmp"]  # not ours
    for path in stale + kept:
        path.write_text("partial")
    cli("run", "polynomial", "--set", "max_degree=5", "--seeds", "1", "--out",
        str(tmp_path / "run.csv"))
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)
    assert (tmp_path / "run.csv").exists()
