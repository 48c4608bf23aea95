"""`python -m experiments run` saves to the catalog; `runs ...` finds, annotates, exports
and removes runs; bad input is one line with exit status 2 (SQLite and PostgreSQL)."""
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from experiments.framework.catalog import shipped_id
from experiments.framework.cli import main as cli_main
from experiments.framework.store import ROOT
from tests.catalog_helpers import Backend, catalog_backend

RUN = ("run", "polynomial", "--set", "max_degree=12", "--set", "n_train=10", "--seeds", "2")


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    yield from catalog_backend(request, tmp_path)


def cli(backend, *args, status=0):
    """`python -m experiments ...` in a child process, as a user runs it."""
    proc = subprocess.run([sys.executable, "-m", "experiments", *args], cwd=ROOT,
                          env=backend.env(), capture_output=True, text=True, timeout=180)
    assert proc.returncode == status, proc.stderr
    return proc


def main(backend, monkeypatch, capsys, *args, status=0):
    """The same CLI in this process (no interpreter start-up), output captured."""
    for key, value in backend.env().items():
        monkeypatch.setenv(key, value)
    if backend.url is None:
        monkeypatch.delenv("DESCENT_LAB_CATALOG_URL", raising=False)
    assert cli_main(list(args)) == status
    out, err = capsys.readouterr()
    if status:
        assert err.startswith("error: ") and err.count("\n") == 1, err
    return out, err


@pytest.mark.slow
def test_cli_round_trip(backend, tmp_path, monkeypatch, capsys):
    saved = cli(backend, *RUN)
    run_id = re.search(r"saved as run ([a-z0-9]{8})", saved.stderr)[1]
    cli(backend, *RUN, "--no-save")
    runs = json.loads(cli(backend, "runs", "list", "--json", "--experiment", "polynomial",
                          "--source", "cli").stdout)
    assert [r["id"] for r in runs] == [run_id]  # --no-save kept nothing
    entry = runs[0]
    assert {"id", "experiment", "params", "seeds", "created", "author", "runtime_s", "tags",
            "note", "command", "code_version", "shipped", "source"} <= set(entry)
    assert entry["params"]["max_degree"] == 12 and entry["seeds"] == [0, 1]
    assert entry["command"] == "python -m experiments " + " ".join(RUN)

    def run(*args):
        return main(backend, monkeypatch, capsys, *args)[0]

    def listed(*filters):
        return [r["id"] for r in json.loads(run("runs", "list", "--json", *filters))]

    run("runs", "tag", run_id, "baseline")
    run("runs", "note", run_id, "first try")
    shown = json.loads(run("runs", "show", run_id, "--json"))
    assert shown["tags"] == ["baseline"] and shown["note"] == "first try"
    assert shown["packages"]["numpy"]
    assert listed("--tag", "baseline") == [run_id] and listed("--text", "FIRST") == [run_id]
    assert run_id in run("runs", "list")
    run("runs", "export", run_id, "--out", str(tmp_path / "run.csv"))
    assert set(pd.read_csv(tmp_path / "run.csv")["seed"]) >= {0, 1}
    cli(backend, "runs", "rm", run_id)
    assert listed("--source", "cli") == [] and len(listed("--source", "shipped")) >= 13


@pytest.mark.parametrize("args, fragment", [
    (("runs", "show", "NOPE"), "bad run id"),
    (("runs", "show", "zzzzzzzz"), "no run zzzzzzzz"),
    (("runs", "rm", shipped_id("polynomial")), "cannot be removed"),
    (("runs", "tag", shipped_id("polynomial"), "two words"), "bad tag"),
    (("runs", "list", "--since", "last week"), "bad since"),
    (("runs", "list", "--limit", "0"), "bad limit"),
    (("runs", "export", shipped_id("polynomial"), "--out", "x.txt"), ".parquet or .csv"),
    (("runs", "frobnicate"), "invalid choice"),
])
def test_cli_bad_input_is_one_line_exit_2(args, fragment, tmp_path, monkeypatch, capsys):
    backend = Backend("sqlite", None, tmp_path / "results")
    assert fragment in main(backend, monkeypatch, capsys, *args, status=2)[1]


@pytest.mark.parametrize("modules, absent", [
    ("experiments.framework.cli, experiments.framework.catalog",
     ("sklearn", "streamlit", "psycopg", "scipy")),
    # what `python -m experiments runs ...` loads: the catalog verbs answer fast
    ("experiments.framework.cli_runs, experiments.framework.catalog",
     ("numpy", "pandas", "pyarrow", "sklearn", "streamlit", "psycopg")),
])
def test_cli_start_up_imports_only_what_it_needs(modules, absent):
    code = f"import sys, {modules}; print([m for m in {absent!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr
