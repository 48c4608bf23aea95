"""Grokking: a small network memorizes modular arithmetic at once, and generalizes much later.

What to notice
--------------
Train a two-layer network on a fraction of all pairs (a, b) with labels (a op b) mod p.
Training accuracy reaches ~100% within a few dozen epochs while test accuracy stays
near 0, below the 1/p of guessing: a memorizing network answers a held-out pair with a
label seen next to one of its operands, which for addition is always wrong.
Hundreds of epochs later test accuracy shoots up to ~100%.
Meanwhile each neuron's input weights become a few pure waves over the residues (their
Fourier spectrum turns sparse): the network swaps a lookup table for an algorithm.
Weight decay drives the swap. With AdamW the total weight norm does not fall here: it
grows while the network memorizes and then levels off where the decay balances Adam's
fixed-size steps, and at that fixed budget the sparse, wave-like solution wins.
Without weight decay the network stays a lookup table.

Setup after Gromov (2023): concatenated one-hot inputs, x^2 activation, no biases, MSE
against one-hot targets, full-batch AdamW (lr 1e-2, betas 0.9/0.98, weight decay 5).
The network and its trainer live in experiments/modular_net.py.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from experiments import costs
from experiments.base import Experiment, SeedPart
from experiments.modular_net import OPERATIONS, dataset, log_schedule, train
from experiments.params import Param

MEMORIZED, GENERALIZED = 0.99, 0.95

PARAMS = (
    Param("p", "int", 59, "The modulus: inputs and labels are residues 0..p-1.", low=2, high=113),
    Param("operation", "str", "add", "The operation learned, (a op b) mod p.",
          choices=tuple(OPERATIONS)),
    Param("train_fraction", "float", 0.3, "Share of all p^2 pairs used for training "
          "(the rest is the test set).", low=0.01, high=0.99),
    Param("width", "int", 256, "Hidden neurons.", low=4, high=1024, log=True),
    Param("activation", "str", "quadratic", "x^2 (Gromov's solvable model) or ReLU.",
          choices=("quadratic", "relu")),
    Param("loss", "str", "mse", "MSE against one-hot targets, or softmax cross-entropy.",
          choices=("mse", "cross_entropy")),
    Param("lr", "float", 1e-2, "AdamW learning rate.", low=1e-4, high=0.1, log=True),
    Param("weight_decay", "float", 5.0, "Decoupled (AdamW) weight decay; 0 never groks.",
          low=0.0, high=20.0),
    Param("epochs", "int", 400, "Full-batch training steps.", low=1, high=20000),
)


# Tidy rows, milestones, spectra ------------------------------------------------------------

SPLIT_OF = {"train_accuracy": ("train", "accuracy"), "test_accuracy": ("test", "accuracy"),
            "train_loss": ("train", "loss"), "test_loss": ("test", "loss"),
            "weight_norm": ("train", "weight_norm"), "fourier_ipr": ("train", "fourier_ipr")}


def logs_frame(logs: list[dict], params: dict, seed: int) -> pd.DataFrame:
    """Tidy rows from the trainer's logs (also used by the page while it trains live)."""
    logs = pd.DataFrame(logs)
    frames = [pd.DataFrame({"seed": seed, "split": split, "metric": metric, "value": logs[key],
                            "step": logs["step"]}) for key, (split, metric) in SPLIT_OF.items()]
    frame = pd.concat(frames, ignore_index=True)
    for name in ("p", "operation", "train_fraction", "weight_decay", "width", "activation"):
        frame[name] = params[name]
    frame["n_train"] = len(dataset(params, seed)[0][0])
    return frame


def run_seed(params: dict, seed: int) -> SeedPart:
    return SeedPart(logs_frame(list(train(params, seed)), params, seed))


def first_step(frame: pd.DataFrame, split: str, level: float) -> int | None:
    """First logged epoch where the median accuracy over seeds reaches `level` (None if never)."""
    rows = frame[(frame["metric"] == "accuracy") & (frame["split"] == split) & (frame["seed"] >= 0)]
    median = rows.groupby("step")["value"].median()
    hit = median.index[median.to_numpy() >= level]
    return int(hit[0]) if len(hit) else None


def milestones(frame: pd.DataFrame) -> dict:
    """When training was memorized (train >= 99%) and when it generalized (test >= 95%)."""
    return {"memorized": first_step(frame, "train", MEMORIZED),
            "generalized": first_step(frame, "test", GENERALIZED)}


def fourier_spectra(params: dict, seed: int, epochs: Iterable[int], neurons: int = 4) -> pd.DataFrame:
    """Power spectra over residues of a few neurons' a-input weights at the given epochs.

    The neurons shown are those with the largest input weights at the last epoch (the
    ones the trained network relies on); power is each neuron's share at each frequency.
    """
    epochs = sorted({int(e) for e in epochs if 1 <= int(e) <= params["epochs"]})
    logs = train(params, seed, epochs, keep_weights=True)
    snaps = {s["step"]: s["w_in"][: params["p"]] for s in logs}
    chosen = np.argsort(-np.linalg.norm(snaps[epochs[-1]], axis=0))[:neurons]
    rows = []
    for epoch, w in snaps.items():
        power = np.abs(np.fft.rfft(w[:, chosen].astype(np.float64), axis=0)) ** 2
        share = power / np.maximum(power.sum(axis=0, keepdims=True), 1e-30)
        for j, neuron in enumerate(chosen):
            rows.append(pd.DataFrame({"epoch": epoch, "neuron": int(neuron),
                                      "frequency": np.arange(power.shape[0]), "power": share[:, j]}))
    return pd.concat(rows, ignore_index=True)


def training_work(params: dict, epochs: int, log_points: int) -> costs.Work:
    """One training run (experiments/modular_net.py), float32 elements counted as halves:
    per epoch three (n x width x p) products, the gathers, grouped sums and elementwise
    passes over (n x width), and AdamW's passes over the weights; per log point a forward
    pass over all p^2 pairs and the spectrum of the input weights."""
    p, width = params["p"], params["width"]
    n = min(max(round(params["train_fraction"] * p * p), 1), p * p - 1)
    # calls: ~80 numpy calls an epoch and ~50 a log point, plus the Python around them
    epoch = costs.Work(sgemm=6 * n * width * p, calls=110,
                       elements=0.5 * (6 * n * width + 4 * n * p + 36 * p * width))
    log = costs.Work(sgemm=2 * p**3 * width, calls=200,
                     elements=0.5 * (3 * p * p * (width + 3 * p)) + 8 * p * width)
    return epoch * epochs + log * log_points


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread (experiments/costs.py): the training loop and its
    log points, then one frame per seed."""
    seed = training_work(params, params["epochs"], len(log_schedule(params["epochs"])))
    return costs.price((seed + costs.Work(calls=300)) * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes (float32): weights and Adam moments; a gradient pass holds five
    (n x width) arrays, an evaluation three (test pairs x width); scores of all p^2 pairs;
    the data set (all pairs, int64) and the rows."""
    p, width = params["p"], params["width"]
    pairs = p * p
    n = min(max(round(params["train_fraction"] * pairs), 1), pairs - 1)
    arrays = 4 * (9 * 3 * p * width + max(5 * n, 3 * (pairs - n)) * width + 2 * pairs * p)
    rows = 6 * len(log_schedule(params["epochs"]))
    return costs.total_bytes(arrays + 8 * 8 * pairs + costs.results_bytes(rows, 12, n_seeds))


EXPERIMENT = Experiment(
    id="grokking",
    title="Grokking: memorize first, generalize much later",
    summary=(
        "A two-layer network learns (a + b) mod p from 30% of all pairs. Training accuracy "
        "hits 100% within a few dozen epochs while test accuracy stays at chance; only "
        "hundreds of epochs later does it jump to ~100%, while weight decay "
        "holds the weight norm in check and each neuron turns into a few pure waves over "
        "the residues."
    ),
    references=(
        "Power, Burda, Edwards, Babuschkin, Misra (2022), Grokking: Generalization beyond "
        "overfitting on small algorithmic datasets, arXiv:2201.02177",
        "Gromov (2023), Grokking modular arithmetic, arXiv:2301.02679",
        "Nanda et al. (2023), Progress measures for grokking via mechanistic interpretability, "
        "ICLR",
        "Google PAIR explorable: Do Machine Learning Models Memorize or Generalize?",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    memory=memory,
    x="step",
    default_seeds=3,
    precompute_params={"epochs": 1000},
    precompute_seeds=8,
    budget_seconds=20.0,
    metrics=("accuracy", "loss", "weight_norm", "fourier_ipr"),
)
