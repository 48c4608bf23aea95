"""Number for number: `--jobs N` equals `--jobs 1` for every experiment, and a fresh
precompute of each cheap experiment equals its shipped file."""
import pandas as pd
import pytest

from experiments.framework import registry, store
from experiments.framework.experiment import run

# Small but not trivial: each sweep still crosses its interpolation threshold (where
# rounding differences are amplified most), so a thread-count dependence shows.
TINY = {
    "polynomial": {"n_train": 12, "max_degree": 40},
    # Before seeds ran on one BLAS thread this config differed by up to 60% (train MSE
    # near 1e-9) between jobs=1 and jobs=2: large enough for OpenBLAS to go parallel.
    "random_features": {"n_train": 100, "n_widths": 6, "max_ratio": 20.0},
    "linear_theory": {"n_train": 40, "n_gammas": 5},
    "sample_wise": {},
    "scaling": {"max_train": 60, "n_sizes": 3, "family": "mlp"},
    "trees": {"n_train": 60, "max_trees": 3, "max_rounds": 3, "max_ensembles": 2},
    "grokking": {"p": 11, "width": 16, "epochs": 30},
    "grokking_phase": {"p": 7, "width": 8, "epochs": 20, "train_fractions": "0.5",
                       "weight_decays": "0,1"},
    "random_labels": {"n_train": 100, "width": 500, "label_fraction": "0, 1", "max_epochs": 30},
    "deep_double_descent": {"n_train": 50, "max_width": 16, "n_widths": 2, "epochs": 50},
}
TINY_SECONDS = 3.0  # estimated, two seeds: an experiment without an entry must fit this
CHEAP_PRECOMPUTE = 30.0  # estimated seconds: the shipped files re-made in the slow test
EXPERIMENTS = list(registry.experiments().values())


@pytest.mark.slow
@pytest.mark.parametrize("exp", EXPERIMENTS, ids=[e.id for e in EXPERIMENTS])
def test_parallel_seeds_equal_serial_seeds_exactly(exp):
    params = exp.validate(TINY.get(exp.id, {}))
    assert exp.cost(params, 2) <= TINY_SECONDS, f"add a tiny config for {exp.id} to TINY"
    serial, parallel = (measured(run(exp, params, 2, jobs=jobs).frame) for jobs in (1, 2))
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)


def measured(frame: pd.DataFrame) -> pd.DataFrame:
    """Without wall-clock timings (e.g. scaling's fit_seconds), which no rerun repeats."""
    return frame[~frame["metric"].str.endswith("_seconds")].reset_index(drop=True)


def cheap_shipped():
    out = []
    for exp in EXPERIMENTS:
        params = exp.validate(exp.precompute_params)
        if store.paths(exp.id)[0].exists() and exp.cost(params,
                                                        exp.precompute_seeds) <= CHEAP_PRECOMPUTE:
            out.append(exp)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("exp", cheap_shipped(), ids=[e.id for e in cheap_shipped()])
def test_fresh_precompute_equals_the_shipped_file(exp, data_dir):
    from experiments.framework import cli

    assert cli.main(["precompute", exp.id, "--data-dir", str(data_dir)]) == 0
    fresh, fresh_provenance = store.load(exp.id, data_dir)
    shipped, provenance = store.load(exp.id)
    assert fresh_provenance["params"] == provenance["params"]
    assert fresh_provenance["seeds"] == provenance["seeds"]
    pd.testing.assert_frame_equal(fresh, shipped, check_exact=True)
