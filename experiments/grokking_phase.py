"""Grokking phase diagram: how training data and weight decay decide whether a network groks.

What to notice
--------------
For every (training fraction, weight decay) cell, the same small network is trained on
(a op b) mod p until it generalizes or the epoch budget runs out. Four regimes appear:
with plenty of data it *comprehends* (test accuracy follows training accuracy closely);
with less data and enough weight decay it *groks* (test accuracy jumps long after the
training set is memorized); with little data or no weight decay it *memorizes only*;
with too much weight decay it cannot even fit the training set and *fails*.
Little weight decay delays generalization, more data shortens it.

After Liu et al. (2022) and Google PAIR's "Do Machine Learning Models Memorize or
Generalize?"; the network and optimizer are those of the `grokking` experiment.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from experiments import grokking, modular_net
from experiments.base import Experiment, SeedPart
from experiments.params import Param

QUICK_RATIO = 3.0  # generalized within 3x the epochs it took to memorize: no real delay
PHASES = ("comprehend quickly", "grok", "memorize only", "fail")
SHARED = ("p", "operation", "width", "activation", "loss", "lr")

# On demand: a small grid that runs in seconds; the shipped diagram is the full grid.
SMALLER = {"p": 23, "width": 96}
PARAMS = tuple(replace(p, default=SMALLER.get(p.name, p.default))
               for p in grokking.PARAMS if p.name in SHARED) + (
    Param("epochs", "int", 1000, "Epoch budget per cell (training stops once test accuracy "
          "reaches 95%).", low=10, high=20000),
    Param("train_fractions", "floats", (0.3, 0.5, 0.7),
          "Training fractions swept (x of the diagram).", low=0.01, high=0.99),
    Param("weight_decays", "floats", (0.0, 1.0, 10.0),
          "Weight decays swept (y of the diagram).", low=0.0, high=20.0),
)
SHIPPED = {"p": 31, "width": 128, "epochs": 2000,
           "train_fractions": (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8),
           "weight_decays": (0.0, 0.3, 1.0, 3.0, 10.0, 20.0)}


def schedule(epochs: int) -> np.ndarray:
    """Dense log-spaced checkpoints: ~2% resolution on the epochs to generalize."""
    return modular_net.log_schedule(epochs, points=int(50 * np.log10(max(epochs, 10))))


def phase_of(memorize: int | None, generalize: int | None) -> str:
    if generalize is not None:
        return "grok" if generalize > QUICK_RATIO * (memorize or generalize) else "comprehend quickly"
    return "memorize only" if memorize is not None else "fail"


def cell(params: dict, seed: int, fraction: float, decay: float) -> dict:
    """Train one cell until test accuracy reaches 95% (or the budget ends)."""
    cfg = {**params, "train_fraction": fraction, "weight_decay": decay}
    memorize = generalize = None
    for log in modular_net.train(cfg, seed, schedule(params["epochs"])):
        if memorize is None and log["train_accuracy"] >= grokking.MEMORIZED:
            memorize = log["step"]
        if log["test_accuracy"] >= grokking.GENERALIZED:
            generalize = log["step"]
            break
    return {"memorize": memorize, "generalize": generalize, "last": log}


def run_seed(params: dict, seed: int) -> SeedPart:
    budget = params["epochs"]
    rows = []
    for fraction in params["train_fractions"]:
        for decay in params["weight_decays"]:
            out = cell(params, seed, fraction, decay)
            mem, gen, last = out["memorize"], out["generalize"], out["last"]
            # Never = the budget, with the 0/1 flags saying it did not happen (values stay finite).
            metrics = [("train", "epochs_to_memorize", mem or budget),
                       ("train", "memorized", float(mem is not None)),
                       ("test", "epochs_to_generalize", gen or budget),
                       ("test", "generalized", float(gen is not None)),
                       ("train", "accuracy", last["train_accuracy"]),
                       ("test", "accuracy", last["test_accuracy"])]
            phase = phase_of(mem, gen)
            rows += [{"seed": seed, "split": split, "metric": metric, "value": float(value),
                      "train_fraction": fraction, "weight_decay": decay, "phase": phase}
                     for split, metric, value in metrics]
    frame = pd.DataFrame(rows)
    for name in SHARED:
        frame[name] = params[name]
    frame["n_train"] = np.round(frame["train_fraction"] * params["p"] ** 2).astype(int)
    return SeedPart(frame)


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (train_fraction, weight_decay): the majority phase over seeds, the share
    of seeds that generalized and median epochs (never counted at the budget)."""
    keys = ["train_fraction", "weight_decay"]
    rows = frame[frame["seed"] >= 0]
    wide = rows.pivot_table(index=keys + ["seed"], columns="metric", values="value").reset_index()
    phase = rows.groupby(keys)["phase"].agg(lambda s: s.value_counts().sort_index().idxmax())
    out = wide.groupby(keys).agg(
        epochs_to_memorize=("epochs_to_memorize", "median"),
        epochs_to_generalize=("epochs_to_generalize", "median"),
        generalized=("generalized", "mean"), seeds=("seed", "nunique")).reset_index()
    return out.merge(phase.rename("phase").reset_index(), on=keys)


def cost(params: dict, n_seeds: int) -> float:
    """Worst case (no cell stops early): every cell runs the whole budget."""
    per_cell = [grokking.cost({**params, "train_fraction": f, "weight_decay": 0.0}, 1)
                for f in params["train_fractions"]]
    return n_seeds * len(params["weight_decays"]) * sum(per_cell) * 1.5


EXPERIMENT = Experiment(
    id="grokking_phase",
    title="Grokking phase diagram: data, weight decay and the delay",
    summary=(
        "Steps to generalize across training fraction and weight decay: comprehension with "
        "plenty of data, grokking with less data and enough weight decay, memorization only "
        "without weight decay or with little data, and failure when weight decay is too strong."
    ),
    references=(
        "Liu, Kitouni, Nolte, Michaud, Tegmark, Williams (2022), Towards understanding "
        "grokking: an effective theory of representation learning, NeurIPS",
        "Power et al. (2022), Grokking, arXiv:2201.02177",
        "Google PAIR explorable: Do Machine Learning Models Memorize or Generalize?",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    x="train_fraction",
    default_seeds=1,
    precompute_params=SHIPPED,
    precompute_seeds=3,
    budget_seconds=20.0,
    metrics=("epochs_to_generalize", "epochs_to_memorize", "generalized", "memorized", "accuracy"),
    log_x=False,
    columns=("weight_decay", "phase"),  # read by its pages; checked on load
)
