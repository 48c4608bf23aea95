"""Descent Lab experiments: pure numpy / scikit-learn sweeps that return tidy DataFrames.

    from experiments import get, run
    frame = run(get("polynomial"), {"n_train": 30}, seeds=20)
"""
from experiments.base import Experiment, run
from experiments.params import ParamError
from experiments.registry import experiments, get

__all__ = ["Experiment", "ParamError", "experiments", "get", "run"]
