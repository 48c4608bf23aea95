"""Deep double descent: model-wise double descent in a two-layer network (Nakkiran et al. 2019).

What to notice
--------------
Train two-layer ReLU networks of growing width on digits with some training labels
flipped, each to (near) zero training loss. Test loss falls, then rises to a peak
where the number of weights reaches n_train x 10 classes (the one-hot squared loss
has that many equations: the smallest network that can fit them all must bend hard
to fit the flipped labels), then falls again as the network keeps growing: the widest
network beats the peak. Weight decay removes the peak (Nakkiran et al. 2020).

The same axes as the random-features page: n_params counts every weight and bias,
and the dashed line sits at n_params = n_train x classes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param
from experiments.numerics import digits_mlp as mlp
from experiments.numerics.datasets import N_CLASSES, N_DIGITS, digits_split, flip_labels, one_hot

N_IN = 64  # 8 x 8 pixels
MIN_WIDTH = 2

PARAMS = (
    Param("n_train", "int", 200, "Training digits (stratified subset); the rest is the test set.",
          low=50, high=1000),
    Param("label_noise", "float", 0.2, "Fraction of training labels flipped to another class "
          "(test labels stay clean).", low=0.0, high=0.9),
    Param("max_width", "int", 400, "Widest network (hidden units).", low=8, high=4000, log=True),
    Param("n_widths", "int", 4, "Widths log-spaced from 2 to max_width; the width whose weight "
          "count is n_train x 10 is always added.", low=2, high=30),
    Param("epochs", "int", 2000, "Full-batch Adam steps.", low=10, high=20000, log=True),
    Param("lr", "float", 0.003, "Adam learning rate.", low=1e-5, high=0.1, log=True),
    Param("weight_decay", "floats", (0.0,), "L2 penalties (weight_decay / 2) ||W||^2 on the "
          "weights; several values are overlaid. 0 = none.", low=0.0, high=1.0, max_items=4),
)


def threshold_params(params: dict) -> int:
    """Weights at the interpolation threshold: one equation per (training point, class)."""
    return params["n_train"] * N_CLASSES


def widths_for(params: dict) -> np.ndarray:
    grid = np.geomspace(MIN_WIDTH, params["max_width"], params["n_widths"]).round()
    at_threshold = round(mlp.width_for_params(threshold_params(params), N_IN, N_CLASSES))
    return np.unique(np.append(grid, at_threshold).astype(int))


def _data(params: dict, seed: int):
    """Digits centred on the training mean (with raw pixels in [0, 1] the narrowest nets
    lose most units to dead ReLUs), training labels flipped from one stream per seed."""
    split = digits_split(params["n_train"], seed)
    labels = flip_labels(split.y_train, params["label_noise"], np.random.default_rng([seed, 5]))
    mean = split.x_train.mean(axis=0)
    return (split.x_train - mean).astype(np.float32), labels, \
        (split.x_test - mean).astype(np.float32), split.y_test


def run_seed(params: dict, seed: int) -> SeedPart:
    widths = widths_for(params)
    x, labels, x_test, y_test = _data(params, seed)
    targets = {"train": (x, labels), "test": (x_test, y_test)}
    frames = []
    for wd in params["weight_decay"]:
        nets = mlp.init(widths, N_IN, N_CLASSES, np.random.default_rng([seed, 1]))
        mlp.train(nets, x, one_hot(labels), params["epochs"], params["lr"], wd)
        for split, (inputs, truth) in targets.items():
            out = mlp.forward(nets, inputs)[0]
            metrics = {"mse": mlp.losses(out, one_hot(truth).astype(np.float32)),
                       "error_rate": (out.argmax(axis=2) != truth).mean(axis=1)}
            for metric, values in metrics.items():
                frames.append(pd.DataFrame({
                    "seed": seed, "split": split, "metric": metric,
                    "value": values.astype(np.float64), "width": widths,
                    "n_params": [mlp.n_weights(w, N_IN, N_CLASSES) for w in widths],
                    "n_train": params["n_train"], "label_noise": params["label_noise"],
                    "weight_decay": wd, "epochs": params["epochs"], "lr": params["lr"]}))
    return SeedPart(pd.concat(frames, ignore_index=True))


FLOP_RATE = 1.4e10  # one thread, float32, these shapes: 23-28e9 measured, less a margin
# (the estimate is ~2x the quiet run time: default run 2.82 s quiet, estimated 5.6 s)
STEP_OVERHEAD = 9e-5  # seconds per model per epoch (Python and small-array calls)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds for the seeds one after another (on-demand runs use one process)."""
    widths = widths_for(params)
    flops = mlp.epoch_flops(widths, params["n_train"], N_IN, N_CLASSES)
    per_fit = params["epochs"] * (flops / FLOP_RATE + STEP_OVERHEAD * len(widths))
    return n_seeds * (0.05 + len(params["weight_decay"]) * per_fit)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes (2-3x above traced peaks): float32 activations and gradients of every
    digit for all packed hidden units, the weights with their Adam moments, and the rows."""
    hidden = int(widths_for(params).sum())
    arrays = 4 * 4 * N_DIGITS * hidden + 4 * 4 * hidden * (N_IN + N_CLASSES + 1)
    rows = 4 * len(widths_for(params)) * len(params["weight_decay"])
    return costs.total_bytes(arrays) + costs.results_bytes(rows, 12, n_seeds)


def median_curve(frame: pd.DataFrame, metric: str, split: str = "test",
                 weight_decay: float = 0.0) -> pd.Series:
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split)
                 & np.isclose(frame["weight_decay"], weight_decay)]
    return rows.groupby("n_params")["value"].median().sort_index()


def peak_summary(frame: pd.DataFrame, params: dict) -> dict:
    """The peak of the unregularized test loss and the models the page compares with it."""
    loss, err = median_curve(frame, "mse"), median_curve(frame, "error_rate")
    peak = int(loss.idxmax())
    narrower = loss[loss.index < peak]
    return {"loss": loss, "error": err, "peak": peak, "widest": int(loss.index.max()),
            "best_narrower": int(narrower.idxmin()) if len(narrower) else None,
            "ratio": peak / threshold_params(params)}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def width_of(frame: pd.DataFrame, n_params: int) -> int:
    return int(frame.loc[frame["n_params"] == n_params, "width"].iloc[0])


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    s = peak_summary(frame, params)
    loss, err, peak, widest = s["loss"], s["error"], s["peak"], s["widest"]
    nk = threshold_params(params)
    regime = (f"digits, n = {params['n_train']}, {params['label_noise']:.0%} of training labels "
              f"flipped, no weight decay, {params['epochs']} epochs")
    out = []
    if s["best_narrower"] is not None:
        best = s["best_narrower"]
        out.append(Claim(
            "peak_near_threshold",
            f"Test squared loss peaks at width {width_of(frame, peak)} ({peak:,} weights, "
            f"{s['ratio']:.1f}x n_train x classes = {nk:,}): {loss[peak]:.2f}, against "
            f"{loss[best]:.2f} for the best narrower network (width {width_of(frame, best)}).",
            holds=bool(1 / 3 <= s["ratio"] <= 3 and loss[peak] > 1.2 * loss[best]), regime=regime))
    out.append(Claim(
        "widest_beats_peak",
        f"The widest network (width {width_of(frame, widest)}, {widest:,} weights) has test "
        f"squared loss {loss[widest]:.2f} and errs on {_pct(err[widest])} of test digits; at "
        f"the peak: {loss[peak]:.2f} and {_pct(err[peak])}.",
        holds=bool(widest > peak and loss[widest] < loss[peak] and err[widest] < err[peak]),
        regime=regime))
    train = median_curve(frame, "error_rate", "train")
    fitted = train[train.index >= peak]
    out.append(Claim(
        "interpolates",
        f"From the peak on, every network fits its training labels exactly, flipped ones "
        f"included (median training error {_pct(fitted.max())}).",
        holds=bool(fitted.max() == 0), regime=regime))
    decays = sorted(v for v in frame["weight_decay"].unique() if v > 0)
    if decays:
        wd = decays[-1]
        reg = median_curve(frame, "mse", weight_decay=wd)
        out.append(Claim(
            "weight_decay_removes_peak",
            f"With weight decay {wd:g} the test squared loss at the peak width is "
            f"{reg[peak]:.2f} instead of {loss[peak]:.2f}, and no wider network beats it by "
            f"more than 20% (widest: {reg[widest]:.2f}).",
            holds=bool(reg[peak] < 0.5 * loss[peak] and reg[widest] > 0.8 * reg[peak]),
            regime=f"weight decay {wd:g}, otherwise as above"))
    return out


EXPERIMENT = Experiment(
    id="deep_double_descent",
    order=130,
    title="Deep double descent: a two-layer network on noisy digits",
    summary=(
        "Two-layer networks of growing width, each trained to (near) zero training loss on "
        "digits with flipped labels: test loss peaks where the number of weights reaches "
        "n_train x classes and falls again for wider networks. Weight decay removes the peak."
    ),
    references=(
        "Nakkiran, Kaplun, Bansal, Yang, Barak, Sutskever (2019), Deep Double Descent: Where "
        "Bigger Models and More Data Hurt, arXiv:1912.02292 (ICLR 2020)",
        "Belkin, Hsu, Ma, Mandal (2019), Reconciling modern machine-learning practice and the "
        "classical bias-variance trade-off, PNAS 116(32), Fig. 3",
        "Nakkiran, Venkat, Kakade, Ma (2020), Optimal Regularization Can Mitigate Double Descent, "
        "arXiv:2003.01897",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    memory=memory,
    x="n_params",
    threshold=lambda params: float(threshold_params(params)),
    default_seeds=1,
    precompute_params={"max_width": 800, "n_widths": 12, "weight_decay": (0.0, 0.01)},
    precompute_seeds=4,
    budget_seconds=30.0,
    metrics=("mse", "error_rate"),
    claims=claims,
    page="deep_double_descent",
)
