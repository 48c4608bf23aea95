"""One provenance builder: what `run()` returns is what the store writes and reads back."""
import shlex

from experiments import get, run
from experiments.framework import store
from experiments.framework.params import parse_assignments
from experiments.framework.provenance import Result

POLY = get("polynomial")


def test_run_returns_a_result_that_unpacks_and_round_trips(data_dir, monkeypatch):
    monkeypatch.setenv("DESCENT_LAB_AUTHOR", "Ada")
    result = run(POLY, {"max_degree": 20, "noise": 0.2}, seeds=2)
    frame, provenance = result
    assert isinstance(result, Result) and frame is result.frame
    assert provenance["author"] == "Ada" and provenance["seeds"] == [0, 1]
    assert provenance["runtime_seconds"] >= 0 and provenance["params"]["max_degree"] == 20
    store.save(*result, data_dir)
    loaded = store.load("polynomial", data_dir)
    assert isinstance(loaded, Result) and loaded.provenance == provenance
    assert loaded.frame.equals(frame)


def test_the_recorded_command_reproduces_the_settings():
    _, provenance = run(POLY, {"max_degree": 20, "noise": 0.2}, seeds=2)
    words = shlex.split(provenance["command"])
    assert words[:5] == ["python", "-m", "experiments", "run", "polynomial"]
    sets = [words[i + 1] for i, w in enumerate(words) if w == "--set"]
    assert POLY.validate(parse_assignments(sets)) == POLY.validate(provenance["params"])
    assert words[words.index("--seeds") + 1] == "2"


def test_seeds_that_are_not_0_to_k_get_a_python_command():
    _, provenance = run(POLY, {"max_degree": 10}, seeds=[3, 7])
    python, flag, code = shlex.split(provenance["command"])
    assert (python, flag) == ("python", "-c")
    assert "seeds=[3, 7]" in code and "{'max_degree': 10}" in code
