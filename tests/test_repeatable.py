"""Number for number: `--jobs N` equals `--jobs 1` for every experiment, a fresh seed of
each cheap experiment reproduces its shipped rows, and `precompute --check` compares a
whole fresh precompute with the shipped file (the full comparison of every file is
`python -m experiments precompute --check`, minutes of work: README, Shipped data)."""
from dataclasses import replace

import numpy as np
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
    "epoch_wise": {"epochs": 5, "digits_train": 100, "width": 16},
    "emergence": {"n_train": 100, "max_width": 300, "n_widths": 5, "n_answers": 500},
}
TINY_SECONDS = 3.0  # estimated, two seeds: an experiment without an entry must fit this
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


ONE_SEED = 4.0  # estimated seconds for one seed of the shipped configuration
SHIPPED = [e for e in EXPERIMENTS if store.paths(e.id)[0].exists()
           and e.cost(e.validate(e.precompute_params), 1) <= ONE_SEED]


@pytest.mark.slow
@pytest.mark.parametrize("exp", SHIPPED, ids=[e.id for e in SHIPPED])
def test_a_fresh_seed_reproduces_its_shipped_rows(exp, data_dir):
    """Seeds are independent (see experiments.framework.experiment.run), so the shipped
    rows of one seed are what a fresh run of that seed alone gives; rows a `combine`
    derives from all seeds together (polynomial's curves, benign_overfitting's theory)
    are left to `precompute --check`."""
    shipped, provenance = store.load(exp.id)
    seed = provenance["seeds"][-1]
    result = run(exp, exp.precompute_params, [seed], capped=False)
    store.save(*result, data_dir)
    fresh, fresh_provenance = store.load(exp.id, data_dir)
    assert fresh_provenance["params"] == provenance["params"]
    want = shipped[shipped["seed"] == seed]
    keys = [c for c in want.columns if c != "value"]
    both = want.merge(fresh, on=keys, how="left", suffixes=("", "_fresh"), validate="1:1")
    assert len(want) > 0 and len(both) == len(want)
    np.testing.assert_array_equal(both["value_fresh"].to_numpy(), both["value"].to_numpy())


def test_precompute_check_tells_a_matching_file_from_a_changed_one(data_dir, monkeypatch,
                                                                   capsys):
    from experiments.framework import cli

    small = replace(registry.get("polynomial"), precompute_seeds=2,
                    precompute_params={"n_train": 12, "max_degree": 20})
    monkeypatch.setattr(registry, "get", lambda exp_id: small)
    argv = ["precompute", "polynomial", "--data-dir", str(data_dir)]
    assert cli.main(argv) == 0
    assert cli.main([*argv, "--check"]) == 0
    assert "polynomial: equals the shipped file" in capsys.readouterr().err
    frame, provenance = store.load("polynomial", data_dir)
    frame.loc[frame.index[-1], "value"] *= 1 + 1e-12
    store.save(frame, provenance, data_dir)
    assert cli.main([*argv, "--check"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("polynomial: differs from the shipped file: ")
