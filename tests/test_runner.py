"""Running experiments: seeds, parallel equals serial, progress, budget."""
import pytest

from experiments import get, run
from experiments.framework.experiment import seed_list
from experiments.framework.params import ParamError

POLY = get("polynomial")


@pytest.mark.slow
def test_parallel_jobs_give_exactly_the_serial_numbers():
    serial = run(POLY, {"max_degree": 80}, seeds=4, jobs=1).frame
    parallel = run(POLY, {"max_degree": 80}, seeds=4, jobs=2).frame
    assert serial.equals(parallel)


def test_progress_is_reported_up_to_completion():
    seen = []
    run(POLY, {"max_degree": 20}, seeds=3, progress=lambda f, text: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize("seeds, fragment", [
    (0, "out of range"), (10_000, "out of range"), (True, "whole number"),
    (["a"], "whole number"), ([-1], "between 0"), ([], "1 to"),
])
def test_bad_seeds_are_rejected(seeds, fragment):
    with pytest.raises(ParamError, match=fragment):
        seed_list(seeds)


def test_explicit_seed_lists_are_kept_in_order_without_duplicates():
    assert seed_list([5, 2, 5]) == [5, 2]


@pytest.mark.parametrize("jobs", [0, 100, 1.5, "2"])
def test_bad_jobs_are_rejected(jobs):
    with pytest.raises(ParamError, match="jobs"):
        run(POLY, {"max_degree": 10}, seeds=1, jobs=jobs)


def test_unknown_experiment_lists_the_known_ones():
    with pytest.raises(ParamError, match="unknown experiment 'nope'.*polynomial"):
        get("nope")
