"""Descent Lab experiments: pure numpy / scikit-learn sweeps that return tidy DataFrames.

    from experiments import get, run
    frame, provenance = run(get("polynomial"), {"n_train": 30}, seeds=20)
"""
from importlib import import_module

_EXPORTS = {"Experiment": "experiment", "run": "experiment", "ParamError": "params",
            "experiments": "registry", "get": "registry"}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    # Imported on first use: `python -m experiments runs ...` and the catalog need no numpy.
    if name in _EXPORTS:
        return getattr(import_module(f"experiments.framework.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'experiments' has no attribute {name!r}")
