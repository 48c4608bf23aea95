"""Grokking phase diagram: how training data and weight decay decide whether a network groks.

What to notice
--------------
For every (training fraction, weight decay) cell, the same small network is trained on
(a op b) mod p until it generalizes or the epoch budget runs out, and each seed gets one
of five outcomes, with stated thresholds (`outcome`): it *groks* (test accuracy 95% at
least 10x later than train accuracy 99%), *generalizes fast* (within 10x), *memorizes
only* (train >= 99% but test below 50% at the budget), *fails* (train accuracy below 50%
at the end: too much weight decay collapses the weights), or is *not yet* decided when
the budget runs out in between. With little data weight decay is needed to generalize at
all; with more data it generalizes without any; stronger decay shortens the delay until
it is too strong to fit the training set.

After Liu et al. (2022) and Google PAIR's "Do Machine Learning Models Memorize or
Generalize?"; the network and optimizer are those of the `grokking` experiment.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from experiments import grokking
from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param
from experiments.numerics import modular_net

FAILED_TRAIN = 0.5  # train accuracy at the end below this: the fit failed or collapsed
LOW_TEST = 0.5  # memorized, and test accuracy at the budget below this: memorize only
PHASES = ("fast generalization", "grok", "not yet", "memorize only", "failed")
SHARED = ("p", "operation", "width", "activation", "loss", "lr", "init_scale")

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


def outcome(memorize: int | None, generalize: int | None, train_end: float,
            test_end: float) -> str:
    """One seed's outcome from its milestones (first epochs with train >= 99% and test >=
    95%) and its accuracies at the end of the run (at generalization, or at the budget)."""
    if generalize is not None:
        late = memorize is not None and generalize >= grokking.GROK_RATIO * memorize
        return "grok" if late else "fast generalization"
    if train_end < FAILED_TRAIN:
        return "failed"
    if train_end >= grokking.MEMORIZED and test_end < LOW_TEST:
        return "memorize only"
    return "not yet"


def follow(logs) -> dict:
    """Read a run's logs (dicts with step, train_accuracy, test_accuracy) until test
    accuracy reaches 95%: the milestones, the last log read and the outcome."""
    memorize = generalize = last = None
    for last in logs:
        if memorize is None and last["train_accuracy"] >= grokking.MEMORIZED:
            memorize = last["step"]
        if last["test_accuracy"] >= grokking.GENERALIZED:
            generalize = last["step"]
            break
    return {"memorize": memorize, "generalize": generalize, "last": last,
            "phase": outcome(memorize, generalize, last["train_accuracy"], last["test_accuracy"])}


def cell(params: dict, seed: int, fraction: float, decay: float) -> dict:
    """Train one cell until test accuracy reaches 95% (or the budget ends)."""
    cfg = {**params, "train_fraction": fraction, "weight_decay": decay}
    return follow(modular_net.train(cfg, seed, schedule(params["epochs"])))


def run_seed(params: dict, seed: int) -> SeedPart:
    budget = params["epochs"]
    rows = []
    for fraction in params["train_fractions"]:
        for decay in params["weight_decays"]:
            out = cell(params, seed, fraction, decay)
            mem, gen, last, phase = out["memorize"], out["generalize"], out["last"], out["phase"]
            # Never = the budget, with the 0/1 flags saying it did not happen (values stay finite).
            metrics = [("train", "epochs_to_memorize", mem or budget),
                       ("train", "memorized", float(mem is not None)),
                       ("test", "epochs_to_generalize", gen or budget),
                       ("test", "generalized", float(gen is not None)),
                       ("train", "accuracy", last["train_accuracy"]),
                       ("test", "accuracy", last["test_accuracy"])]
            rows += [{"seed": seed, "split": split, "metric": metric, "value": float(value),
                      "train_fraction": fraction, "weight_decay": decay, "phase": phase}
                     for split, metric, value in metrics]
    frame = pd.DataFrame(rows)
    for name in SHARED:
        frame[name] = params[name]
    frame["n_train"] = np.round(frame["train_fraction"] * params["p"] ** 2).astype(int)
    return SeedPart(frame)


def cells(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (train_fraction, weight_decay): the majority outcome over seeds (ties
    go to the first in PHASES), the share of seeds that generalized, median epochs (never
    counted at the budget), median delay ratio of the seeds that memorized and generalized,
    and median accuracies at the end."""
    keys = ["train_fraction", "weight_decay"]
    rows = frame[frame["seed"] >= 0]
    wide = rows.pivot_table(index=keys + ["seed"], columns="metric", values="value").reset_index()
    accuracy = rows[rows["metric"] == "accuracy"].pivot_table(
        index=keys + ["seed"], columns="split", values="value").reset_index()
    wide = wide.merge(accuracy.rename(columns={"train": "train_end", "test": "test_end"}),
                      on=keys + ["seed"])
    both = (wide["memorized"] > 0) & (wide["generalized"] > 0)
    wide["delay"] = (wide["epochs_to_generalize"] / wide["epochs_to_memorize"]).where(both)
    rank = {name: i for i, name in enumerate(PHASES)}
    phase = rows.groupby(keys)["phase"].agg(
        lambda s: min(s.value_counts().items(), key=lambda kv: (-kv[1], rank[kv[0]]))[0])
    out = wide.groupby(keys).agg(
        epochs_to_memorize=("epochs_to_memorize", "median"),
        epochs_to_generalize=("epochs_to_generalize", "median"),
        generalized=("generalized", "mean"), delay=("delay", "median"),
        train_end=("train_end", "median"), test_end=("test_end", "median"),
        seeds=("seed", "nunique")).reset_index()
    return out.merge(phase.rename("phase").reset_index(), on=keys)


def phase_claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """What the diagram shows about weight decay, each in its regime (training fraction)."""
    table = cells(frame)
    budget, out = params["epochs"], []
    setting = f"p = {params['p']}, width {params['width']}, budget {budget} epochs"
    no_decay = table[table["weight_decay"] == 0].set_index("train_fraction")
    with_decay = table[(table["weight_decay"] > 0) & (table["generalized"] > 0.5)]
    needed = [f for f, row in no_decay.iterrows() if row["generalized"] < 0.5
              and f in set(with_decay["train_fraction"])]
    if needed:
        f = needed[0]
        best = with_decay[with_decay["train_fraction"] == f].sort_values(
            "epochs_to_generalize").iloc[0]
        out.append(Claim(
            "decay_needed", f"With {f:.0%} of pairs, weight decay 0 did not generalize within "
            f"{budget} epochs, while weight decay {best['weight_decay']:g} did (median epoch "
            f"{best['epochs_to_generalize']:.0f}).", True, f"{setting}, {f:.0%} of pairs"))
    optional = no_decay[no_decay["generalized"] > 0.5]
    if len(optional):
        f = float(optional.index.min())
        out.append(Claim(
            "decay_optional", f"With {f:.0%} of pairs, weight decay 0 generalized as well "
            f"(median epoch {optional.loc[f, 'epochs_to_generalize']:.0f}): there, grokking "
            "needs no regularization.", True, f"{setting}, {f:.0%} of pairs"))
    failed = table[table["phase"] == "failed"]
    if len(failed):
        decay = float(failed["weight_decay"].max())
        worst = failed[failed["weight_decay"] == decay]
        out.append(Claim(
            "too_much_decay_fails", f"Weight decay {decay:g} failed at {len(worst)} of "
            f"{int((table['weight_decay'] == decay).sum())} training fractions: training "
            f"accuracy at the end was at most {worst['train_end'].max():.0%}, near the "
            f"{1 / params['p']:.0%} of guessing.",
            bool(worst["train_end"].max() < FAILED_TRAIN), setting))
    return out


def cost(params: dict, n_seeds: int) -> float:
    """Seconds (experiments/costs.py), worst case: no cell stops early, so every cell
    trains the whole budget and logs at every checkpoint."""
    points = len(schedule(params["epochs"]))
    seed = costs.Work(calls=200)
    for fraction in params["train_fractions"]:
        cell_work = grokking.training_work({**params, "train_fraction": fraction},
                                           params["epochs"], points)
        seed += cell_work * len(params["weight_decays"])
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: one cell's training at a time (grokking's estimate), plus the rows."""
    cells = len(params["train_fractions"]) * len(params["weight_decays"])
    one = max(grokking.memory({**params, "train_fraction": f, "epochs": 1}, 1)
              for f in params["train_fractions"])
    return one + costs.results_bytes(6 * cells, 14, n_seeds)


EXPERIMENT = Experiment(
    id="grokking_phase",
    order=100,
    title="Grokking phase diagram: data, weight decay and the delay",
    summary=(
        "Epochs to generalize across training fraction and weight decay, and one of five "
        "outcomes per cell with stated thresholds: fast generalization, grokking (a delay of "
        "10x or more), memorization only, failure (training accuracy near chance at the end) "
        "and not yet (the budget ran out in between)."
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
    memory=memory,
    x="train_fraction",
    default_seeds=1,
    precompute_params=SHIPPED,
    precompute_seeds=3,
    budget_seconds=20.0,
    metrics=("epochs_to_generalize", "epochs_to_memorize", "generalized", "memorized", "accuracy"),
    log_x=False,
    claims=lambda frame, params: phase_claims(frame, params),
    columns=("weight_decay", "phase"),  # read by its pages; checked on load
    page="grokking_phase",
)
