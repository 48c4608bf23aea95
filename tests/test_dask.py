"""Sweeps on a Dask cluster: the numbers equal the serial run exactly.

A two-worker LocalCluster on loopback (in its own process) stands in for a real cluster;
the CLI connects to it by address like it would to `dask scheduler` on another machine.
"""
import json
import subprocess
import sys

import pandas as pd
import pytest

from experiments.framework import registry
from experiments.framework.experiment import run
from experiments.framework.store import ROOT

distributed = pytest.importorskip("distributed", reason="optional extra: requirements-dask.txt")

PARAMS = {"max_degree": 60, "n_train": 20}


CLUSTER_SCRIPT = """
import sys
from distributed import LocalCluster
with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                  dashboard_address=None) as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture(scope="module")
def address():
    """A two-worker LocalCluster in its own process: worker processes started from inside
    pytest (after AppTest and hypothesis have run) fail to spawn, and a real cluster is a
    separate process anyway."""
    proc = subprocess.Popen([sys.executable, "-c", CLUSTER_SCRIPT], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline().strip()
        assert line.startswith("tcp://127.0.0.1:"), f"cluster did not start: {line!r}"
        yield line
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def cli(*args):
    return subprocess.run([sys.executable, "-m", "experiments", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_on_dask_equals_the_serial_run(address, tmp_path):
    sets = [a for k, v in PARAMS.items() for a in ("--set", f"{k}={v}")]
    serial = cli("run", "polynomial", *sets, "--seeds", "4", "--out", str(tmp_path / "s.parquet"))
    assert serial.returncode == 0, serial.stderr
    dask = cli("run", "polynomial", *sets, "--seeds", "4", "--out", str(tmp_path / "d.parquet"),
               "--backend", "dask", "--scheduler", address)
    assert dask.returncode == 0, dask.stderr
    saved = json.loads(cli("runs", "list", "--json", "--source", "dask").stdout)
    assert [r["seeds"] for r in saved] == [[0, 1, 2, 3]]  # the catalog knows it ran on Dask
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "d.parquet"),
                                  pd.read_parquet(tmp_path / "s.parquet"), check_exact=True)


@pytest.mark.slow
def test_python_api_inside_a_client_equals_the_serial_run(address):
    exp = registry.get("polynomial")
    serial = run(exp, PARAMS, 4).frame
    with distributed.Client(address) as client:
        with distributed.get_task_stream(client) as tasks:
            fanned = run(exp, PARAMS, 4, jobs=2, backend="dask").frame
    assert tasks.data, "no task ran on the cluster"
    pd.testing.assert_frame_equal(fanned, serial, check_exact=True)


@pytest.mark.slow
@pytest.mark.parametrize("flags, words", [
    (["--backend", "dask"], "needs --scheduler"),
    (["--backend", "dask", "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "1"],
     "cannot reach the Dask scheduler"),
    (["--backend", "dask", "--scheduler", "tcp://127.0.0.1:9", "--scheduler-timeout", "0"],
     "--scheduler-timeout: give a number of seconds above 0"),
    (["--scheduler", "tcp://127.0.0.1:9"], "only applies with --backend dask"),
])
def test_missing_or_unreachable_scheduler_is_one_line_exit_2(flags, words):
    proc = cli("run", "polynomial", "--seeds", "1", *flags)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and words in lines[0], proc.stderr
