"""Hostile input: random and adversarial values at every parameter of every registered
experiment, through the Python API, the CLI and the pages.

The contract: a valid tidy result or one clear one-line `ParamError`, never another
exception, a traceback or a hang. Only cheap configurations are actually run (estimated
cost below CHEAP seconds for one seed), so the file stays well under a minute.

Cost calibration (2 shared cores, measured while writing this file): the estimates are
conservative for small configs, where fixed overheads dominate; we only require the
actual time to stay below SLACK x estimate + FLOOR seconds.
"""
import math
import subprocess
import sys
import time

import pytest
import streamlit as st
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from streamlit.testing.v1 import AppTest

from experiments.framework import cli, registry
from experiments.framework.experiment import run, seed_list
from experiments.framework.params import ParamError
from experiments.framework.schema import check_tidy
from experiments.framework.store import ROOT
from tests.helpers import page_script
from tests.payloads import as_shown

EXPERIMENTS = list(registry.experiments().values())
IDS = [e.id for e in EXPERIMENTS]
CHEAP = 0.4  # seconds (estimated, one seed): configs above this are validated, not run
SLACK, FLOOR = 10.0, 3.0
# Found while writing this: linear_theory's estimate is ~5-10x low (n_train=451,
# n_gammas=5: estimated 0.26 s, measured 2.2-8.7 s; defaults: 0.17 s/seed vs ~1.5 s).
SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

NASTY_TEXT = ["", " ", "nan", "NaN", "inf", "-inf", "1e308", "-1", "0", "1e999", "true", "None",
              "[]", "{}", "1,2,3", ",", "http://evil.example/?a=1&b=2", "javascript:alert(1)",
              "../../etc/passwd", "<script>x</script>", "' OR 1=1 --", "%00", "\x00", "é∞",
              "9" * 400, "0x10", "1_000", " 5 ", "--help"]
hostile_values = hs.one_of(
    hs.none(), hs.booleans(),
    hs.integers(min_value=-2**70, max_value=2**70),
    hs.floats(allow_nan=True, allow_infinity=True),
    hs.sampled_from(NASTY_TEXT), hs.text(max_size=20),
    hs.lists(hs.one_of(hs.floats(), hs.integers(), hs.text(max_size=3)), max_size=12),
    hs.just(()), hs.just({}), hs.just(object()), hs.just(b"bytes"), hs.just(1j),
)


def hostile_params(exp):
    """A dict assigning hostile values to some real parameter names, sometimes plus an
    unknown or URL-like name."""
    names = [p.name for p in exp.params]
    known = hs.dictionaries(hs.sampled_from(names), hostile_values, min_size=1, max_size=len(names))
    unknown = hs.dictionaries(hs.sampled_from(["bogus", "http://x.example", "", "__class__"]),
                              hostile_values, max_size=1)
    return hs.builds(lambda a, b: {**a, **b}, known, unknown)


def one_clear_line(err: Exception) -> None:
    text = str(err)
    assert text and "\n" not in text and "Traceback" not in text, repr(text)
    assert len(text) < 600, text


def run_if_cheap(exp, clean, seeds=(0,)):
    """Run a validated config if it is cheap; check the tidy contract and the cost estimate."""
    estimate = exp.cost(clean, len(seeds))
    assert math.isfinite(estimate) and estimate >= 0, (exp.id, clean, estimate)
    if estimate > CHEAP:
        return None
    start = time.perf_counter()
    frame = run(exp, clean, list(seeds)).frame
    elapsed = time.perf_counter() - start
    check_tidy(frame, exp.id)
    assert elapsed <= SLACK * estimate + FLOOR, (exp.id, clean, estimate, elapsed)
    return frame


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=IDS)
def test_python_api_gives_a_result_or_one_clear_message(exp):
    @SETTINGS
    @given(hostile_params(exp), hs.one_of(hs.just(1), hostile_values))
    def check(values, seeds):
        try:
            clean = exp.validate(values)
        except ParamError as err:
            one_clear_line(err)
            return
        assert set(clean) == {p.name for p in exp.params}
        try:
            seed_ids = seed_list(seeds)
        except ParamError as err:
            one_clear_line(err)
            seed_ids = [0]
        run_if_cheap(exp, clean, seed_ids)
    check()


def in_bounds(exp):
    """Random configs inside every parameter's bounds (log-spread where bounds allow)."""
    def value(p):
        if p.kind == "int":
            return hs.integers(int(p.low), int(p.high))
        if p.kind == "float":
            return hs.floats(p.low, p.high, allow_nan=False)
        if p.kind == "floats":
            return hs.lists(hs.floats(p.low, p.high, allow_nan=False), min_size=1,
                            max_size=p.max_items)
        if p.kind == "bool":
            return hs.booleans()
        return hs.sampled_from(p.choices)
    return hs.fixed_dictionaries({p.name: value(p) for p in exp.params})


@pytest.mark.slow
@pytest.mark.parametrize("exp", EXPERIMENTS, ids=IDS)
def test_compute_caps_hold_for_any_valid_config(exp):
    """Any in-bounds config either fits the budget or is refused with a clear message;
    cheap ones run within a generous factor of their estimate."""
    ran = []

    @settings(max_examples=25, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(in_bounds(exp), hs.integers(1, 200))
    def check(values, n_seeds):
        try:
            clean = exp.validate(values)
        except ParamError as err:  # a combination the experiment's `check` refuses
            one_clear_line(err)
            return
        estimate = exp.cost(clean, n_seeds)
        assert math.isfinite(estimate) and estimate >= 0
        if estimate > exp.budget_seconds:
            with pytest.raises(ParamError, match="too large"):
                run(exp, clean, n_seeds)  # refused before any compute
        elif not ran and run_if_cheap(exp, clean) is not None:
            ran.append(clean)
    check()


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=IDS)
def test_cli_gives_a_result_or_one_error_line(exp, capsys):
    @settings(max_examples=6, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(hs.sampled_from([p.name for p in exp.params] + ["bogus", "", "a=b"]),
           hs.sampled_from(NASTY_TEXT[:-1]))  # "--help" would be a flag, not a value
    def check(name, text):
        text = text.replace("\x00", "")  # argv cannot carry NUL bytes
        try:
            clean = exp.validate({name: text})
            if exp.cost(clean, 1) > CHEAP:
                return  # valid but not cheap: validation was the point
        except ParamError:
            pass
        code = cli.main(["run", exp.id, "--set", f"{name}={text}", "--seeds", "1", "--no-save"])
        err = capsys.readouterr().err.strip().splitlines()
        assert code in (0, 2), err
        if code == 2:
            assert len(err) == 1 and err[0].startswith("error: "), err
    check()


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["run", "polynomial", "--set", "max_degree=nan"],
    ["run", "polynomial", "--set", "noise=http://evil.example/?x=1"],
    ["run", "polynomial", "--seeds", "-3"],
    ["run", "no_such_experiment"],
    ["run", "grokking", "--set", "epochs=1e9"],
])
def test_cli_subprocess_prints_one_line_and_exits_2(argv):
    proc = subprocess.run([sys.executable, "-m", "experiments", *argv], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("exp", EXPERIMENTS, ids=IDS)
def test_pages_survive_hostile_links(exp):
    """Hostile query values fall back to defaults with a notice; the page still works."""
    @settings(max_examples=2, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(hs.dictionaries(hs.sampled_from([p.name for p in exp.params] + ["seeds", "bogus"]),
                           hs.sampled_from(NASTY_TEXT[:-1]).map(lambda t: t.replace("\x00", "")),
                           min_size=1, max_size=4))
    def check(query):
        # the page's caches stay warm between examples: they are keyed by validated
        # values, so a hostile one can only miss them, and a cold start per example
        # doubled the file's time
        at = AppTest.from_function(page_script, args=(exp.id,), default_timeout=120)
        # an on-demand run only where the default run is cheap (the page is what is tested)
        cheap = exp.cost(exp.defaults(), exp.default_seeds) <= 0.6
        at.query_params.update({**query, **({"run": "1"} if cheap else {})})
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        for box in at.error:
            assert "\n" not in box.value.strip() and "Traceback" not in box.value, box.value
        notices = " ".join(as_shown(w.value) for w in at.warning)
        for name, raw in query.items():
            param = next((p for p in exp.params if p.name == name), None)
            if param is not None:
                try:
                    exp.validate({name: raw})
                except ParamError:
                    assert f"value for {name} was ignored" in notices, (name, raw, notices)
    st.cache_data.clear()
    check()
    st.cache_data.clear()
