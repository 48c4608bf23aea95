"""Descent Lab experiments: pure numpy / scikit-learn sweeps that return tidy DataFrames.

    from experiments import get, run
    frame, provenance = run(get("polynomial"), {"n_train": 30}, seeds=20)
"""
from experiments.framework.experiment import Experiment, run
from experiments.framework.params import ParamError
from experiments.framework.registry import experiments, get

__all__ = ["Experiment", "ParamError", "experiments", "get", "run"]
