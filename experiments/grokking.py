"""Grokking: a small network memorizes modular arithmetic at once, and generalizes much later.

What to notice
--------------
Train a two-layer network on a fraction of all pairs (a, b) with labels (a op b) mod p.
Training accuracy reaches ~100% within a few dozen epochs while test accuracy stays
near 0, below the 1/p of guessing: a memorizing network answers a held-out pair with a
label seen next to one of its operands, which for addition is always wrong.
With the defaults (30% of pairs, weight decay 3) test accuracy jumps to ~100% tens of
times later; the page states the measured delay. Meanwhile each neuron's input weights
become a few pure waves over the residues (their Fourier spectrum turns sparse), and the
restricted and excluded losses of Nanda et al. show the wave circuit forming before test
accuracy moves.
Whether weight decay is needed depends on the data: with 30% of pairs and none the net
only memorizes within our budgets, while with 50% it generalizes without any
regularization (as Gromov reports). The weight norm does not shrink during the delay
from a standard initialization: it grows while the net memorizes. From a large
initialization (`init_scale` well above 1, as in Omnigrok) weight decay shrinks it
through the delay instead.

Setup after Gromov (2023): concatenated one-hot inputs, x^2 activation, no biases, MSE
against one-hot targets, full-batch AdamW (lr 1e-2, betas 0.9/0.98). The network, its
trainer and the progress measures live in experiments/numerics/modular_net.py (one epoch
in modular_step.py); the sentences the page shows are computed in
experiments/analysis/grokking.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework import costs
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param
from experiments.numerics.modular_net import (
    OPERATIONS,
    WAVE_SIGNS,
    all_logits,
    dataset,
    key_frequencies,
    log_schedule,
    progress_losses,
    train,
)

MEMORIZED, GENERALIZED = 0.99, 0.95
GROK_RATIO = 10.0  # a "grok": test accuracy 95% at least 10x later than train accuracy 99%
SNAPSHOTS = 40  # input-weight snapshots per run, for the page's training scrubber
SNAPSHOT_NEURONS = 12
PROGRESS_EVERY = 3  # progress measures at every third logged epoch (a 3-D FFT each)

PARAMS = (
    Param("p", "int", 31, "The modulus: inputs and labels are residues 0..p-1.", low=2, high=113),
    Param("operation", "str", "add", "The operation learned, (a op b) mod p.",
          choices=tuple(OPERATIONS)),
    Param("train_fraction", "float", 0.3, "Share of all p^2 pairs used for training "
          "(the rest is the test set).", low=0.01, high=0.99),
    Param("width", "int", 128, "Hidden neurons.", low=4, high=1024, log=True),
    Param("activation", "str", "quadratic", "x^2 (Gromov's solvable model) or ReLU.",
          choices=("quadratic", "relu")),
    Param("loss", "str", "mse", "MSE against one-hot targets, or softmax cross-entropy.",
          choices=("mse", "cross_entropy")),
    Param("lr", "float", 1e-2, "AdamW learning rate.", low=1e-4, high=0.1, log=True),
    Param("weight_decay", "float", 3.0, "Decoupled (AdamW) weight decay. With 30% of pairs "
          "the net needs it to generalize; with 50% it generalizes without it.",
          low=0.0, high=20.0),
    Param("init_scale", "float", 1.0, "Multiplier on the initial weights (Omnigrok: a large "
          "start, e.g. 12, makes weight decay shrink the norm through the delay).",
          low=0.05, high=30.0, log=True),
    Param("epochs", "int", 3000, "Full-batch training steps.", low=1, high=20000),
)
# Omnigrok's regime, measured here: from init x12 the weight norm falls between memorizing
# and generalizing (x1 at the same settings: it grows). With MSE the x^2 net must first
# shrink its cubic-sized outputs, so the norm falls BEFORE it memorizes instead.
LARGE_INIT = {"loss": "cross_entropy", "train_fraction": 0.5, "weight_decay": 1.0,
              "init_scale": 12.0}
CONFIG = ("p", "operation", "train_fraction", "weight_decay", "width", "activation", "loss",
          "init_scale")


# Tidy rows ------------------------------------------------------------------------------------

SPLIT_OF = {"train_accuracy": ("train", "accuracy"), "test_accuracy": ("test", "accuracy"),
            "train_loss": ("train", "loss"), "test_loss": ("test", "loss"),
            "weight_norm": ("train", "weight_norm"), "fourier_ipr": ("train", "fourier_ipr"),
            "restricted_loss": ("test", "restricted_loss"),
            "excluded_loss": ("train", "excluded_loss")}


def _with_config(frame: pd.DataFrame, params: dict, seed: int) -> pd.DataFrame:
    for name in CONFIG:
        frame[name] = params.get(name, 1.0)
    frame["n_train"] = len(dataset(params, seed)[0][0])
    for col in ("neuron", "residue"):
        if col not in frame:
            frame[col] = -1  # only the weight-snapshot rows have these
    return frame


def logs_frame(logs: list[dict], params: dict, seed: int) -> pd.DataFrame:
    """Tidy rows from the trainer's logs (also used by the page while it trains live)."""
    frames = []
    for key, (split, metric) in SPLIT_OF.items():
        rows = [(log["step"], log[key]) for log in logs if key in log]
        if rows:
            step, value = zip(*rows)
            frames.append(pd.DataFrame({"seed": seed, "split": split, "metric": metric,
                                        "value": value, "step": step}))
    return _with_config(pd.concat(frames, ignore_index=True), params, seed)


def snapshot_steps(steps: np.ndarray, count: int = SNAPSHOTS) -> set[int]:
    """About `count` of the logged epochs, evenly spread over the (log) schedule, the
    first and the last included."""
    picks = np.round(np.linspace(0, len(steps) - 1, min(count, len(steps)))).astype(int)
    return set(np.asarray(steps)[picks].tolist())


def chosen_neurons(w_a: np.ndarray, count: int = SNAPSHOT_NEURONS) -> np.ndarray:
    """The `count` neurons with the largest input weights (a-inputs, p x width) at the
    end of training: the ones that carry the learned circuit."""
    return np.sort(np.argsort(-np.linalg.norm(w_a, axis=0), kind="stable")[:count])


def snapshot_rows(steps: np.ndarray, weights: np.ndarray, neurons: np.ndarray,
                  seed: int) -> pd.DataFrame:
    """Tidy rows of input weights, (snapshots, residues, neurons) as float32: metric
    `neuron_weight`, one row per epoch (`step`), neuron and residue a."""
    k, p, m = weights.shape
    grid = np.meshgrid(np.asarray(steps), np.arange(p), np.asarray(neurons), indexing="ij")
    return pd.DataFrame({"seed": seed, "split": "train", "metric": "neuron_weight",
                         "value": weights.astype(np.float32).ravel(), "step": grid[0].ravel(),
                         "neuron": grid[2].ravel(), "residue": grid[1].ravel()})


def run_seed(params: dict, seed: int) -> SeedPart:
    """Train once; log the curves, the progress measures (against the final key
    frequencies) and snapshots of a few neurons' input weights (see `combine`) at ~40
    epochs and at memorization and generalization."""
    steps = log_schedule(params["epochs"])
    checkpoints = set(steps[::PROGRESS_EVERY].tolist()) | {int(steps[-1])}
    snap_at = snapshot_steps(steps)
    with_waves = params["operation"] in WAVE_SIGNS
    p = params["p"]
    logs, kept, snaps, marks = [], {}, {}, set()
    for log in train(params, seed, steps, keep_weights=True):
        weights = log.pop("weights")
        step = log["step"]
        if with_waves and step in checkpoints:
            kept[step] = weights
        for name, hit in (("memorized", log["train_accuracy"] >= MEMORIZED),
                          ("generalized", log["test_accuracy"] >= GENERALIZED)):
            if hit and name not in marks:
                marks.add(name)
                snap_at.add(step)
        if step in snap_at:
            snaps[step] = weights[0][:p].copy()  # the a-inputs alone: let the rest go
        logs.append(log)
    if kept:
        pairs = dataset(params, seed)
        act, op = params["activation"], params["operation"]
        keys = key_frequencies(all_logits(kept[max(kept)], act), op)
        for log in logs:
            if log["step"] in kept:
                log.update(progress_losses(all_logits(kept[log["step"]], act), keys, op,
                                           params["loss"], *pairs))
    epochs = sorted(snaps)
    neurons = chosen_neurons(snaps[epochs[-1]])
    return SeedPart(logs_frame(logs, params, seed), arrays={
        "snapshot_steps": np.array(epochs),
        "snapshot_weights": np.stack([snaps[e][:, neurons] for e in epochs]),
        "snapshot_neurons": neurons})


def combine(params: dict, parts) -> pd.DataFrame:
    """Every seed's curves, and the weight snapshots of the lowest seed: the page scrubs
    through one run, and every seed's would multiply these rows by the seed count."""
    first = min(parts, key=lambda part: int(part.frame["seed"].iloc[0]))
    seed = int(first.frame["seed"].iloc[0])
    arrays = first.arrays
    snapshots = _with_config(snapshot_rows(arrays["snapshot_steps"], arrays["snapshot_weights"],
                                           arrays["snapshot_neurons"], seed), params, seed)
    return pd.concat([*(part.frame for part in parts), snapshots], ignore_index=True)


# Milestones -----------------------------------------------------------------------------------

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


def delays(frame: pd.DataFrame) -> pd.DataFrame:
    """Per seed: epochs to memorize and to generalize, and the delay ratio between them
    (generalized / memorized; NaN where either never happened)."""
    rows = []
    for seed, part in frame[frame["seed"] >= 0].groupby("seed"):
        marks = milestones(part)
        mem, gen = marks["memorized"], marks["generalized"]
        rows.append({"seed": seed, "memorized": mem, "generalized": gen,
                     "ratio": gen / mem if mem and gen else np.nan})
    return pd.DataFrame(rows, columns=["seed", "memorized", "generalized", "ratio"])


def snapshots(frame: pd.DataFrame) -> pd.DataFrame:
    """The stored input-weight snapshots (one seed): seed, epoch, neuron, residue, weight."""
    rows = frame[frame["metric"] == "neuron_weight"]
    return rows.rename(columns={"step": "epoch", "value": "weight"})[
        ["seed", "epoch", "neuron", "residue", "weight"]].reset_index(drop=True)


def spectra(frame: pd.DataFrame) -> pd.DataFrame:
    """Each snapshot neuron's share of Fourier power per frequency k = 0..(p-1)/2 over
    the residues (rfft folds +-k into one bin): epoch, neuron, frequency, power."""
    snaps = snapshots(frame)
    if snaps.empty:
        return pd.DataFrame(columns=["epoch", "neuron", "frequency", "power"])
    cube = snaps.pivot_table(index=["epoch", "neuron"], columns="residue", values="weight")
    power = np.abs(np.fft.rfft(cube.to_numpy(np.float64), axis=1)) ** 2
    share = power / np.maximum(power.sum(axis=1, keepdims=True), 1e-300)
    wide = pd.DataFrame(share, index=cube.index,
                        columns=pd.RangeIndex(share.shape[1], name="frequency"))
    return wide.stack().rename("power").reset_index()


def training_work(params: dict, epochs: int, log_points: int) -> costs.Work:
    """One training run (experiments/numerics/modular_step.py), float32 elements counted as
    halves, the outputs padded to a multiple of 8: per epoch three (n x width x outputs)
    products, ~8 passes over (n x width) (gathers, activation, its derivative, the sparse
    one-hot sums), a few over (n x outputs) and AdamW's ~22 passes over the weights; per
    log point a forward pass over all p^2 pairs (train and test) and the input weights'
    spectrum."""
    p, width = params["p"], params["width"]
    outputs = -(-p // 8) * 8
    n = min(max(round(params["train_fraction"] * p * p), 1), p * p - 1)
    weights = (2 * p + outputs) * width
    # calls: ~40 numpy calls an epoch at ~1 us each, ~40 more and a BLAS-limit change per
    # log point; counted at the model's 10 us per call, hence the small numbers
    epoch = costs.Work(sgemm=6 * n * width * outputs, calls=5,
                       elements=0.5 * (8 * n * width + 4 * n * outputs + 22 * weights))
    log = costs.Work(sgemm=2 * p * p * width * outputs, calls=20,
                     elements=0.5 * p * p * (4 * width + 6 * outputs) + 8 * p * width)
    return epoch * epochs + log * log_points


def _checkpoints(params: dict) -> int:
    return len(log_schedule(params["epochs"])[::PROGRESS_EVERY]) + 1


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread (experiments/costs.py): the training loop and its
    log points; then at every PROGRESS_EVERY-th log point the scores of all p^2 pairs
    and two 3-D FFTs over (p, p, p) for the progress measures; the frames."""
    p = params["p"]
    seed = training_work(params, params["epochs"], len(log_schedule(params["epochs"])))
    # p is usually prime, where an FFT costs ~200 ns per element (measured at p = 97)
    progress = costs.Work(sgemm=2 * p**3 * params["width"], elements=500 * p**3, calls=80)
    seed += progress * (_checkpoints(params) + 1) + costs.Work(calls=600)
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes (float32 unless said): weights and Adam moments, a weight copy per
    progress checkpoint and the a-inputs per weight snapshot; the trainer's buffers, three
    (n x width) for the gradient pass and two (test pairs x width) for evaluations, and a
    temporary (n x width) for ReLU's mask; the progress measures hold (p, p, p) scores in
    float64 and complex spectra; the data set (all pairs, int64) and the rows, with the
    snapshot rows of one seed."""
    p, width = params["p"], params["width"]
    pairs = p * p
    n = min(max(round(params["train_fraction"] * pairs), 1), pairs - 1)
    weights = 4 * p * width * (3 * (9 + _checkpoints(params)) + SNAPSHOTS + 2)
    training = 4 * ((4 * n + 2 * (pairs - n)) * width + 4 * pairs * p)
    progress = 4 * 3 * pairs * width + 8 * 6 * pairs * p
    rows = 8 * len(log_schedule(params["epochs"]))
    return costs.total_bytes(weights + max(training, progress) + 8 * 8 * pairs
                             + costs.results_bytes(rows, 14, n_seeds)
                             + costs.results_bytes((SNAPSHOTS + 2) * p * SNAPSHOT_NEURONS, 16, 1))


def _claims(frame, params):
    from experiments.analysis.grokking import claims

    return claims(frame, params)


EXPERIMENT = Experiment(
    id="grokking",
    order=90,
    title="Grokking: memorize first, generalize much later",
    summary=(
        "A two-layer network learns (a + b) mod p from 30% of all pairs. Training accuracy "
        "hits 100% within a few dozen epochs while test accuracy stays at or below chance; "
        "tens of times later it jumps to ~100%, as each neuron turns into a few pure waves "
        "over the residues and the restricted and excluded losses reveal the circuit forming."
    ),
    references=(
        "Power, Burda, Edwards, Babuschkin, Misra (2022), Grokking: Generalization beyond "
        "overfitting on small algorithmic datasets, arXiv:2201.02177",
        "Gromov (2023), Grokking modular arithmetic, arXiv:2301.02679",
        "Nanda, Chan, Lieberum, Smith, Steinhardt (2023), Progress measures for grokking via "
        "mechanistic interpretability, ICLR",
        "Liu, Michaud, Tegmark (2022), Omnigrok: Grokking beyond algorithmic data, "
        "arXiv:2210.01117",
        "Google PAIR explorable: Do Machine Learning Models Memorize or Generalize?",
    ),
    params=PARAMS,
    run_seed=run_seed,
    combine=combine,
    cost=cost,
    memory=memory,
    x="step",
    default_seeds=3,
    precompute_params={},
    precompute_seeds=8,
    budget_seconds=20.0,
    metrics=("accuracy", "loss", "weight_norm", "fourier_ipr", "restricted_loss",
             "excluded_loss"),
    claims=_claims,
    page="grokking",
)
