"""Epoch-wise double descent: test loss over training time falls, rises, falls again.

What to notice
--------------
Linear model (Heckel & Yilmaz 2021): gradient descent from zero on least squares with
`n_fast` features of scale 1 and `n_slow` features `scale_ratio` times smaller, which
carry the share `slow_signal` of the signal. GD learns a direction at a speed set by its
variance, so the fast features are fitted first, while the slow features' part of y
still acts as extra noise: with n_fast comparable to n the fast fit overfits that noise
and the test loss rises to a peak. Later the slow features are learned, the "noise"
turns into signal and the test loss falls again, below where it started: two bias-
variance curves on two time scales add up to a double descent over steps (the time
analogue of Nakkiran et al. 2019, Fig. 9). The path is exact: GD has a closed form per
eigendirection of the sample covariance, and the test loss is exact for the known
covariance (noise variance included).
Network: a one-hidden-layer MLP on digits with a share `label_noise` of training labels
flipped, trained epoch by epoch. It fits the true labels first (test error dips), then
memorizes the flipped ones (training error to 0, test error up): at this scale the
first descent and the rise show, the second descent of large networks (Nakkiran et al.
2019, Fig. 1) does not.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param, ParamError
from experiments.numerics.datasets import digits_split, flip_labels

PARAMS = (
    Param("model", "str", "both", "linear: GD on the two-scale linear model (exact path); "
          "network: an MLP on digits with label noise; both: one result with each.",
          choices=("linear", "network", "both")),
    Param("n_train", "int", 100, "Linear model: training samples n.", low=10, high=2000,
          relevant_when=(("model", ("linear", "both")),)),
    Param("n_fast", "int", 50, "Linear model: features of scale 1.", low=1, high=2000,
          relevant_when=(("model", ("linear", "both")),)),
    Param("n_slow", "int", 10, "Linear model: features of scale 1 / scale_ratio.",
          low=0, high=2000,
          relevant_when=(("model", ("linear", "both")),)),
    Param("scale_ratio", "float", 10.0, "Linear model: fast feature scale over slow feature "
          "scale (GD learns slow directions scale_ratio^2 times later).", low=1.0, high=100.0,
          log=True,
          relevant_when=(("model", ("linear", "both")),)),
    Param("slow_signal", "float", 0.5, "Linear model: share of the signal variance carried by "
          "the slow features.", low=0.0, high=1.0,
          relevant_when=(("model", ("linear", "both")),)),
    Param("noise", "float", 0.5, "Linear model: noise standard deviation sigma.",
          low=0.0, high=5.0,
          relevant_when=(("model", ("linear", "both")),)),
    Param("steps", "int", 1000, "Linear model: gradient descent steps.", low=10, high=100000,
          log=True,
          relevant_when=(("model", ("linear", "both")),)),
    Param("lr", "float", 0.5, "Linear model: step size on (1/2n)||y - Xb||^2 (must stay below "
          "2 / the largest eigenvalue of X'X/n).", low=1e-4, high=10.0, log=True,
          relevant_when=(("model", ("linear", "both")),)),
    Param("label_noise", "float", 0.2, "Network: share of training labels flipped to another "
          "class.", low=0.0, high=0.9,
          relevant_when=(("model", ("network", "both")),)),
    Param("digits_train", "int", 500, "Network: training digits (stratified).",
          low=50, high=1500,
          relevant_when=(("model", ("network", "both")),)),
    Param("width", "int", 128, "Network: hidden units.", low=4, high=1024, log=True,
          relevant_when=(("model", ("network", "both")),)),
    Param("epochs", "int", 60, "Network: training epochs (Adam, batches of 100).",
          low=5, high=2000, log=True,
          relevant_when=(("model", ("network", "both")),)),
    Param("net_lr", "float", 0.003, "Network: Adam learning rate.", low=1e-5, high=0.1,
          log=True,
          relevant_when=(("model", ("network", "both")),)),
)


def chosen(params: dict) -> tuple[str, ...]:
    return ("linear", "network") if params["model"] == "both" else (params["model"],)


def linear_problem(params: dict, seed: int):
    """(x, y, beta, s): design, noisy targets, coefficients, feature variances."""
    rng = np.random.default_rng([seed, 21])
    fast, slow = params["n_fast"], params["n_slow"]
    s = np.r_[np.ones(fast), np.full(slow, params["scale_ratio"] ** -2)]
    x = rng.standard_normal((params["n_train"], fast + slow)) * np.sqrt(s)
    share = params["slow_signal"] if slow else 0.0
    weight = np.r_[np.full(fast, (1 - share) / max(fast, 1)), np.full(slow, share / max(slow, 1))]
    beta = rng.standard_normal(fast + slow) * np.sqrt(weight / s)  # E beta_j^2 s_j = weight_j
    y = x @ beta + params["noise"] * rng.standard_normal(params["n_train"])
    return x, y, beta, s


def step_grid(steps: int) -> np.ndarray:
    return np.unique(np.r_[0, np.geomspace(1, steps, 160).round()]).astype(np.int64)


def exact_path(x, y, beta, s, lr: float, steps: np.ndarray):
    """Train MSE and population excess risk of GD from 0 at each step count.

    With x = U diag(sv) V' and lam = sv^2 / n, GD on (1/2n)||y - Xb||^2 gives
    b_t = V diag((1 - (1 - lr lam)^t) / sv) U'y, one filter per eigendirection.
    """
    n = len(y)
    u, sv, vt = np.linalg.svd(x, full_matrices=False)
    keep = sv > sv.max() * 1e-12
    u, sv, vt = u[:, keep], sv[keep], vt[keep]
    lam = sv**2 / n
    if lr * lam.max() >= 2:
        raise ParamError(f"lr: {lr:g} makes gradient descent diverge here (needs lr < "
                         f"{2 / lam.max():.3g}, 2 / the largest eigenvalue of X'X/n)")
    uy = u.T @ y
    decay = (1 - lr * lam[:, None]) ** steps[None, :].astype(np.float64)
    coef = (1 - decay) * (uy / sv)[:, None]
    gram, proj = (vt * s) @ vt.T, (vt * s) @ beta
    risk = np.einsum("it,it->t", coef, gram @ coef) - 2 * proj @ coef + beta @ (s * beta)
    outside = y @ y - uy @ uy
    train = (np.sum((decay * uy[:, None]) ** 2, axis=0) + outside) / n
    return train, np.maximum(risk, 0.0)


def linear_rows(params: dict, seed: int) -> pd.DataFrame:
    x, y, beta, s = linear_problem(params, seed)
    steps = step_grid(params["steps"])
    train, risk = exact_path(x, y, beta, s, params["lr"], steps)
    return pd.concat([
        pd.DataFrame({"split": "train", "metric": "loss", "value": train, "step": steps}),
        pd.DataFrame({"split": "test", "metric": "loss", "value": risk + params["noise"] ** 2,
                      "step": steps}),
    ], ignore_index=True).assign(model="linear")


def network_rows(params: dict, seed: int) -> pd.DataFrame:
    """MLPClassifier, one partial_fit per epoch; loss = cross-entropy, error = 0-1 error.
    Training metrics are against the (noisy) labels the network is fitted to."""
    from sklearn.neural_network import MLPClassifier

    split = digits_split(params["digits_train"], seed)
    noisy = flip_labels(split.y_train, params["label_noise"], np.random.default_rng([seed, 22]))
    net = MLPClassifier(hidden_layer_sizes=(params["width"],), alpha=0.0, batch_size=100,
                        learning_rate_init=params["net_lr"], random_state=seed)
    classes, rows = np.arange(10), []
    for epoch in range(1, params["epochs"] + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net.partial_fit(split.x_train, noisy, classes=classes)
        for name, xs, ys in (("train", split.x_train, noisy), ("test", split.x_test, split.y_test)):
            prob = net.predict_proba(xs)
            rows += [(name, "loss", -np.mean(np.log(np.maximum(prob[np.arange(len(ys)), ys],
                                                               1e-12))), epoch),
                     (name, "error_rate", np.mean(prob.argmax(axis=1) != ys), epoch)]
    frame = pd.DataFrame(rows, columns=["split", "metric", "value", "step"])
    return frame.assign(model="network")


def run_seed(params: dict, seed: int) -> SeedPart:
    parts = {"linear": linear_rows, "network": network_rows}
    frame = pd.concat([parts[m](params, seed) for m in chosen(params)], ignore_index=True)
    frame.insert(0, "seed", seed)
    for name in ("scale_ratio", "label_noise", "lr"):
        frame[name] = params[name]
    return SeedPart(frame)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds on 2 cores: one SVD and a (rank x 160) filter table per seed for the linear
    path; per epoch and seed ~ 4 passes of digits_train + 1300 test digits through the
    width-wide network (measured ~8 ms per epoch at width 128 and 500 digits)."""
    total = 0.05
    if "linear" in chosen(params):
        p, n = params["n_fast"] + params["n_slow"], params["n_train"]
        total += n_seeds * (0.005 + 3e-9 * n * p * min(n, p) + 2e-8 * min(n, p) ** 2 * 160)
    if "network" in chosen(params):
        work = (3 * params["digits_train"] + 1300) * (64 + 10) * params["width"]
        total += n_seeds * params["epochs"] * (0.002 + 4e-10 * work)
    # x2: the default run took 2.46 s on a quiet host against 2.37 s estimated (scikit-learn's
    # per-call validation); the estimate is kept at ~2x the quiet time (costs.py, LOAD)
    return 2 * total


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: the linear model's design matrices, SVD and (rank x 160) filter table;
    the network's digits, activations of the whole set at once, and the result rows."""
    arrays = 0.0
    if "linear" in chosen(params):
        p, n = params["n_fast"] + params["n_slow"], params["n_train"]
        arrays = max(arrays, 8 * (3 * n * p + 2 * min(n, p) * (n + p) + 4 * min(n, p) * 160))
    if "network" in chosen(params):
        digits = params["digits_train"] + 1300
        arrays = max(arrays, 8 * (2 * digits * 64 + 4 * digits * params["width"]))
    rows = 8 * 160 * len(chosen(params)) + 8 * params["epochs"]
    return costs.total_bytes(arrays) + costs.results_bytes(rows, 10, n_seeds)


def curve(frame: pd.DataFrame, model: str, metric: str, split: str = "test") -> pd.Series:
    rows = frame[(frame["model"] == model) & (frame["metric"] == metric)
                 & (frame["split"] == split)]
    return rows.groupby("step")["value"].median()


def peak_and_fall(series: pd.Series) -> tuple[int, float, float, float]:
    """(step of the interior peak, start, peak, lowest value after the peak)."""
    peak = series.idxmax()
    return int(peak), float(series.iloc[0]), float(series.loc[peak]), float(series.loc[peak:].min())


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    out = []
    if "linear" in set(frame["model"]):
        test = curve(frame, "linear", "loss")
        peak, start, top, after = peak_and_fall(test)
        dip = float(test.loc[:peak].min())
        last = int(test.index.max())
        regime = (f"linear, n = {params['n_train']}, {params['n_fast']} fast + "
                  f"{params['n_slow']} slow features, scale ratio {params['scale_ratio']:g}, "
                  f"lr {params['lr']:g}")
        out.append(Claim(
            "linear_epoch_wise_double_descent",
            f"The median test loss goes from {start:.3g} at step 0 down to {dip:.3g}, up to "
            f"a peak of {top:.3g} at step {peak} and back down to {after:.3g} by step "
            f"{last:,}: {1 - after / top:.0%} below the peak and "
            f"{'below' if after < start else 'above'} where training started.",
            holds=bool(0 < peak < last and after < 0.7 * top), regime=regime))
    if "network" in set(frame["model"]):
        test, train = curve(frame, "network", "error_rate"), curve(frame, "network",
                                                                    "error_rate", "train")
        best, last = int(test.idxmin()), int(test.index.max())
        regime = (f"network, {params['digits_train']} digits, {params['label_noise']:.0%} "
                  f"labels flipped, width {params['width']}")
        out.append(Claim(
            "network_memorizes_noise",
            f"The network's median test error is lowest at epoch {best} ({test.loc[best]:.1%}) "
            f"and ends at {test.loc[last]:.1%} after {last} epochs, while its error on the "
            f"noisy training labels falls to {train.loc[last]:.1%}: fitting the flipped "
            "labels costs test accuracy, and in this small network no second descent follows.",
            holds=bool(best < last and test.loc[last] > test.loc[best] + 0.02
                       and test.loc[last] >= test.loc[best:].max() - 0.01),
            regime=regime))
    return out


EXPERIMENT = Experiment(
    id="epoch_wise",
    order=60,
    title="Epoch-wise double descent: longer training can hurt, then help",
    summary=(
        "Test loss against training steps. In a linear model whose features come at two "
        "scales, gradient descent fits the fast features first, overfits, and recovers once "
        "the slow features are learned: a peak in the middle of training, computed exactly. "
        "A small network on digits with flipped labels shows the first descent and the rise."
    ),
    references=(
        "Nakkiran, Kaplun, Bansal, Yang, Barak, Sutskever (2019), Deep Double Descent: Where "
        "Bigger Models and More Data Hurt, arXiv:1912.02292 (Figs. 1, 9)",
        "Heckel, Yilmaz (2021), Early Stopping in Deep Networks: Double Descent and How to "
        "Eliminate it, ICLR 2021",
        "Stephenson, Lee (2021), When and how epochwise double descent happens, "
        "arXiv:2108.12006",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    memory=memory,
    x="step",
    default_seeds=3,
    precompute_params={"epochs": 200},
    precompute_seeds=10,
    budget_seconds=20.0,
    metrics=("loss", "error_rate"),
    claims=claims,
    page="epoch_wise",
)
