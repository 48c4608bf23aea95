"""Experiments are found, not listed: every top-level module `experiments/<id>.py`.

`get(id)` imports only that module (so `python -m experiments run X` loads X alone);
`experiments()` imports them all, in the sidebar order each one declares (`order`).
The CLI, the dashboard navigation and the suite-wide tests all iterate over it.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path

from experiments.framework.experiment import Experiment
from experiments.framework.params import ParamError

PACKAGE = Path(__file__).resolve().parents[1]
NOT_EXPERIMENTS = {"__main__"}


@lru_cache(maxsize=1)
def module_names() -> tuple[str, ...]:
    """The ids of every experiment module on disk, without importing any. Scanned once
    per process (`get` asks on every call, hundreds of times per page view): a module
    written since, as `scaffold.create` does, is found after `module_names.cache_clear()`."""
    importlib.invalidate_caches()
    return tuple(sorted(m.name for m in pkgutil.iter_modules([str(PACKAGE)])
                        if not m.ispkg and m.name not in NOT_EXPERIMENTS))


def contract_problems(name: str) -> list[str]:
    """Why `experiments/<name>.py` breaks the contract (Experiment's docstring), one
    readable line per problem; empty when it keeps it."""
    where = f"experiments/{name}.py"
    module = importlib.import_module(f"experiments.{name}")
    exp = getattr(module, "EXPERIMENT", None)
    if not isinstance(exp, Experiment):
        return [f"{where}: no EXPERIMENT = Experiment(...) defined"]
    problems = [f"{where}: EXPERIMENT.{f} missing" for f in Experiment.REQUIRED
                if getattr(exp, f, None) in (None, "", ())]
    if exp.id != name:
        problems.append(f"{where}: EXPERIMENT.id is {exp.id!r}, expected the module name {name!r}")
    problems += [f"{where}: EXPERIMENT.{f} is not callable" for f in ("run_seed", "cost")
                 if not callable(getattr(exp, f))]
    if not exp.metrics:
        problems.append(f"{where}: EXPERIMENT.metrics is empty (the first one is plotted)")
    return problems


def _load(name: str) -> Experiment:
    problems = contract_problems(name)
    if problems:
        raise RuntimeError("; ".join(problems))
    return importlib.import_module(f"experiments.{name}").EXPERIMENT


@lru_cache(maxsize=1)
def experiments() -> dict[str, Experiment]:
    """Every experiment by id, in sidebar order (`order`, then id)."""
    found = sorted((_load(name) for name in module_names()), key=lambda e: (e.order, e.id))
    return {exp.id: exp for exp in found}


def get(experiment_id: str) -> Experiment:
    if not isinstance(experiment_id, str) or experiment_id not in module_names():
        known = ", ".join(module_names())
        raise ParamError(f"unknown experiment {experiment_id!r} (known: {known})")
    return _load(experiment_id)
