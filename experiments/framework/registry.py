"""The one list of experiments. Adding an experiment = one module + one line here.

The CLI, the dashboard navigation and the smoke tests all iterate over this registry,
so a new entry gets a command, a page and tests without further edits.
"""
from __future__ import annotations

import importlib
from functools import lru_cache

from experiments.framework.experiment import Experiment
from experiments.framework.params import ParamError

MODULES = (
    "polynomial",
    "random_features",
    "linear_theory",
    "sample_wise",
    "benign_overfitting",
    "epoch_wise",
    "scaling",
    "trees",
    "grokking", "grokking_phase",
    "random_labels", "emergence",
    "deep_double_descent",
)


@lru_cache(maxsize=1)
def experiments() -> dict[str, Experiment]:
    found = {}
    for name in MODULES:
        exp = importlib.import_module(f"experiments.{name}").EXPERIMENT
        if exp.id in found:
            raise RuntimeError(f"duplicate experiment id {exp.id!r}")
        found[exp.id] = exp
    return found


def get(experiment_id: str) -> Experiment:
    try:
        return experiments()[experiment_id]
    except (KeyError, TypeError):
        known = ", ".join(experiments())
        raise ParamError(f"unknown experiment {experiment_id!r} (known: {known})") from None
