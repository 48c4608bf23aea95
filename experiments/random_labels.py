"""Memorization of random labels (Zhang et al. 2017, Fig. 1).

What to notice
--------------
Replace a fraction of the training labels by random classes and fit the same
over-parameterized model again. Training error is 0 at every fraction, even when every
label is random: the model memorizes noise as easily as it learns digits. Only the test
error tells the runs apart: it climbs with the fraction to chance (90% for 10 classes).
So the capacity to fit anything cannot be what makes the clean fit generalize.

Two models, the same labels: minimum-norm least squares on `width` random Fourier
features (N >> n_train: 2-3% test error on true labels, ~90% on random ones), and a
two-layer ReLU network trained by full-batch Adam until it classifies every training
point as labelled. The network needs more epochs the more labels are random (Zhang
et al. Fig. 1a: random labels are fitted, only more slowly).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg as sla

from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param
from experiments.numerics.datasets import N_CLASSES, N_DIGITS, digits_split, one_hot
from experiments.numerics.features import draw_random_weights
from experiments.numerics.own_target import cholesky_solve
from experiments.numerics.sweep_solver import nested_ridge_sweep
from experiments.numerics.threads import single_threaded

BANDWIDTH = 5.0  # the random-features experiment's default Fourier bandwidth on digits
BETAS, EPS = (0.9, 0.999), 1e-8
CHANCE = 1 - 1 / N_CLASSES
CHUNK = 256  # test rows whose features are made and used at once (they stay in cache)
MODELS = ("random_features", "network")

PARAMS = (
    Param("dataset", "str", "digits", "digits: scikit-learn's 8x8 digits (1,797 images, "
          "10 classes); the images not used for training are the test set.", choices=("digits",)),
    Param("label_fraction", "floats", (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), "Shares of training labels "
          "replaced by a uniformly random class (it may equal the true one); a list is swept, "
          "and a larger share randomizes a superset of the labels.", low=0.0, high=1.0,
          max_items=11),
    Param("n_train", "int", 400, "Training set size (stratified subset of digits).",
          low=50, high=1000),
    Param("width", "int", 8000, "Random Fourier features N of the minimum-norm model "
          "(over-parameterized when N >> n_train).", low=100, high=12000, log=True,
          relevant_when=(("models", ("both", "random_features")),)),
    Param("models", "str", "both", "Which models to fit: random features, the network, or both.",
          choices=("both",) + MODELS),
    Param("hidden", "int", 256, "Hidden units of the two-layer ReLU network.",
          low=16, high=1024, log=True,
          relevant_when=(("models", ("both", "network")),)),
    Param("lr", "float", 0.01, "Adam learning rate of the network (full batch).",
          low=1e-4, high=0.1, log=True,
          relevant_when=(("models", ("both", "network")),)),
    Param("max_epochs", "int", 1500, "Give up fitting the training set after this many epochs.",
          low=10, high=5000,
          relevant_when=(("models", ("both", "network")),)),
)


def corrupt(labels: np.ndarray, fractions, seed: int) -> np.ndarray:
    """(F, n) labels: label i is replaced by a random class where u_i < fraction. One u and
    one random class per point for every fraction, so larger fractions corrupt a superset."""
    rng = np.random.default_rng([seed, 41])
    u, random_class = rng.random(labels.size), rng.integers(0, N_CLASSES, labels.size)
    return np.stack([np.where(u < f, random_class, labels) for f in fractions])


def fit_random_features(split, labels: np.ndarray, width: int, seed: int):
    """Minimum-norm least squares on one-hot targets of every label set at once (many
    right-hand sides). Returns (train, test) predicted classes, (F, .)."""
    weights, offsets = draw_random_weights(split.x_train.shape[1], width, BANDWIDTH, "fourier",
                                           np.random.default_rng([seed, 3]))
    targets = np.concatenate([one_hot(y) for y in labels], axis=1)
    scale = float(np.sqrt(2.0 / width))
    f_train = _fourier(split.x_train, weights, offsets)
    beta = _wide_min_norm(f_train, targets, scale) if width > len(f_train) else None
    if beta is None:  # N <= n or an ill-conditioned Gram: the sweep's orthogonal routes
        f_test = _fourier(split.x_test, weights, offsets)
        fit = nested_ridge_sweep(f_train, f_test, targets, [width], (0.0,),
                                 scale=np.sqrt([2.0 / width]), smoother=False)
        classes = [fit.train_pred[0, 0], fit.test_pred[0, 0]]
    else:
        test = [_fourier(split.x_test[i:i + CHUNK], weights, offsets) @ beta
                for i in range(0, len(split.x_test), CHUNK)]
        classes = [f_train @ beta, np.concatenate(test)]
    n_sets = len(labels)
    return [p.reshape(len(p), n_sets, N_CLASSES).argmax(axis=2).T for p in classes]


def _fourier(x, weights, offsets) -> np.ndarray:
    """experiments/numerics/features.py's Fourier features, the same values, computed in
    place (fresh temporaries of this size cost as much as the cosine itself)."""
    z = x.astype(np.float32) @ weights
    z += offsets
    return np.cos(z, out=z).astype(np.float64)


def _wide_min_norm(f_train, targets, scale: float):
    """Coefficients on the unscaled features of the minimum-norm fit s F'(s^2 FF')^-1 Y
    (N > n, s = sqrt(2 / N)) through one Cholesky of the n x n Gram matrix: the test
    predictions then cost m N k flops, where the sweep's test kernel (which serves many
    widths; here there is one) costs m N n. None when the Gram matrix is too
    ill-conditioned for normal equations."""
    scaled = f_train * scale
    gram = sla.blas.dsyrk(1.0, scaled)  # upper triangle of F F'
    gram += np.triu(gram, 1).T
    alpha = cholesky_solve(gram, targets)
    return None if alpha is None else scale * (scaled.T @ alpha)


def train_network(x, labels: np.ndarray, x_test, params: dict, seed: int):
    """One two-layer ReLU network per label set, trained side by side (batched matmuls) by
    full-batch Adam on cross-entropy; each is frozen in the record at the first epoch it
    classifies every training point as labelled. Returns (epochs, train, test classes);
    epochs is -1 where max_epochs ran out (then the last weights are reported)."""
    n_sets, n = labels.shape
    dim, hidden = x.shape[1], params["hidden"]
    rng = np.random.default_rng([seed, 43])
    weights = [(rng.standard_normal((n_sets, dim, hidden)) * np.sqrt(2 / dim)).astype(np.float32),
               np.zeros((n_sets, 1, hidden), np.float32),
               (rng.standard_normal((n_sets, hidden, N_CLASSES))
                / np.sqrt(hidden)).astype(np.float32),
               np.zeros((n_sets, 1, N_CLASSES), np.float32)]
    moments = [(np.zeros_like(w), np.zeros_like(w)) for w in weights]
    x, x_test = x.astype(np.float32), x_test.astype(np.float32)
    rows = np.arange(n)[None, :]
    active = np.arange(n_sets)  # the sets still training; a fitted set leaves the batch
    epochs = np.full(n_sets, -1)
    train_cls = np.zeros((n_sets, n), int)
    test_cls = np.zeros((n_sets, len(x_test)), int)
    lr = params["lr"]
    with single_threaded():  # small matrices: extra BLAS threads only contend
        for epoch in range(params["max_epochs"] + 1):
            w1, b1, w2, b2 = weights
            pre = x @ w1 + b1
            act = np.maximum(pre, 0)
            out = act @ w2 + b2
            pred = out.argmax(axis=2)
            done = (pred == labels[active]).all(axis=1)
            last = epoch == params["max_epochs"]
            snap = done | last
            if snap.any():
                epochs[active[done]] = epoch
                train_cls[active[snap]] = pred[snap]
                hid = np.maximum(x_test @ w1[snap] + b1[snap], 0)
                test_cls[active[snap]] = (hid @ w2[snap] + b2[snap]).argmax(axis=2)
            if last or done.all():
                break
            if done.any():  # each set trains on its own slice: the others are unchanged
                keep = ~done
                active, pre, act, out = active[keep], pre[keep], act[keep], out[keep]
                weights = [w[keep] for w in weights]
                moments = [(m[keep], v[keep]) for m, v in moments]
                w1, b1, w2, b2 = weights
            out -= out.max(axis=2, keepdims=True)
            grad = np.exp(out)
            grad /= grad.sum(axis=2, keepdims=True)
            # softmax minus the label's one-hot, as a scatter
            grad[np.arange(len(active))[:, None], rows, labels[active]] -= 1
            grad /= n
            d_act = (grad @ w2.transpose(0, 2, 1)) * (pre > 0)
            grads = [x.T @ d_act, d_act.sum(axis=1, keepdims=True),
                     act.transpose(0, 2, 1) @ grad, grad.sum(axis=1, keepdims=True)]
            step = epoch + 1
            scale = np.float32(lr * np.sqrt(1 - BETAS[1] ** step) / (1 - BETAS[0] ** step))
            for w, g, (m, v) in zip(weights, grads, moments):
                m *= BETAS[0]
                m += (1 - BETAS[0]) * g
                v *= BETAS[1]
                v += (1 - BETAS[1]) * (g * g)
                w -= scale * m / (np.sqrt(v) + np.float32(EPS))
                v[v < 1e-30] = 0  # subnormal squares make the next products far slower
    return epochs, train_cls, test_cls


def chosen_models(params: dict) -> tuple[str, ...]:
    return MODELS if params["models"] == "both" else (params["models"],)


def network_params(params: dict) -> int:
    dim, hidden = 64, params["hidden"]
    return dim * hidden + hidden + hidden * N_CLASSES + N_CLASSES


def run_seed(params: dict, seed: int) -> SeedPart:
    """Per model and label fraction: train error (against the labels it was fitted to) and
    test error (against the true labels); for the network also the epochs it needed."""
    split = digits_split(params["n_train"], seed)
    fractions = params["label_fraction"]
    labels = corrupt(split.y_train, fractions, seed)
    rows = []
    for model in chosen_models(params):
        if model == "random_features":
            train_cls, test_cls = fit_random_features(split, labels, params["width"], seed)
            epochs, size = None, params["width"]
        else:
            epochs, train_cls, test_cls = train_network(split.x_train, labels, split.x_test,
                                                        params, seed)
            size = network_params(params)
        for k, fraction in enumerate(fractions):
            common = (model, fraction, size)
            rows.append(("train", "error_rate", np.mean(train_cls[k] != labels[k])) + common)
            rows.append(("test", "error_rate", np.mean(test_cls[k] != split.y_test)) + common)
            if epochs is not None and epochs[k] >= 0:
                rows.append(("train", "epochs_to_fit", float(epochs[k])) + common)
    frame = pd.DataFrame(rows, columns=["split", "metric", "value", "model", "label_fraction",
                                        "n_params"])
    frame.insert(0, "seed", seed)
    for name in ("dataset", "n_train", "width", "hidden"):
        frame[name] = params[name]
    return SeedPart(frame)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes (fitted to traced peaks, 1-1.2x conservative): the random features of
    every digit in float64 with their float32 temporaries and products; the network's
    activations and Adam moments for every label set trained side by side."""
    arrays = 0.0
    models = chosen_models(params)
    if "random_features" in models:
        arrays += 1.7 * 8 * N_DIGITS * params["width"]
    if "network" in models:
        arrays += 12 * len(params["label_fraction"]) * params["n_train"] * params["hidden"]
    rows = 4 * len(params["label_fraction"]) * len(models)
    return costs.total_bytes(arrays) + costs.results_bytes(rows, 12, n_seeds)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread, ~2x a quiet host's time (experiments/framework/costs.py,
    LOAD): random features ~ 1.2e-8 s per feature value of every digit (float32 product,
    cosine, cast) plus the float64 products, n^2 N for the Gram matrix and 2 N k (2n + m)
    for the coefficients and predictions (k = 10 classes per label set) at ~2e10 flop/s;
    the network ~ 6 n h 74 flops per epoch and label set at ~4e10 flop/s, for the epochs
    the slowest set needs (~120 at the defaults, more with more points or a smaller rate).
    Quiet default run (2 seeds): ~1.15 s, estimated 2.4 s."""
    n, width = params["n_train"], params["width"]
    total = 0.05
    models = chosen_models(params)
    if "random_features" in models:
        k = N_CLASSES * len(params["label_fraction"])
        flops = n * n * width + 2 * width * k * (2 * n + N_DIGITS - n)
        total += 1.2e-8 * N_DIGITS * width + flops / 2e10
    if "network" in models:
        epochs = min(params["max_epochs"], 120 * (0.01 / params["lr"]) ** 0.7 * n / 400)
        total += 6 * n * params["hidden"] * 74 * epochs * len(params["label_fraction"]) / 4e10
    return n_seeds * total


def medians(frame: pd.DataFrame, model: str, metric: str, split: str) -> pd.Series:
    """Median over seeds per label fraction."""
    rows = frame[(frame["model"] == model) & (frame["metric"] == metric)
                 & (frame["split"] == split)]
    return rows.groupby("label_fraction")["value"].median().sort_index()


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """Zero training error everywhere, test error from its clean value up to chance, and
    the network's slower fit of random labels. Claims whose rows were not run are left out."""
    out: list[Claim] = []
    regime = f"digits, n = {params['n_train']}"
    names = {"random_features": f"random features (N = {params['width']:,})",
             "network": f"the network ({params['hidden']} hidden units)"}
    present = [m for m in MODELS if (frame["model"] == m).any()]
    train = frame[(frame["metric"] == "error_rate") & (frame["split"] == "train")]
    if present:
        worst = float(train["value"].max())
        out.append(Claim(
            "train_error_zero",
            f"Training error is {_pct(worst)} at every label fraction from "
            f"{frame['label_fraction'].min():.0%} to {frame['label_fraction'].max():.0%}, for "
            + " and for ".join(names[m] for m in present) + " (highest over all seeds).",
            holds=bool(worst == 0), regime=regime))
    for model in present:
        test = medians(frame, model, "error_rate", "test")
        if len(test) < 2:
            continue
        lo, hi = test.index[0], test.index[-1]
        rises = bool(np.all(np.diff(test.to_numpy()) > -0.02))
        out.append(Claim(
            f"test_error_climbs_{model}",
            f"For {names[model]} the median test error rises from {_pct(test[lo])} with "
            f"{lo:.0%} random labels to {_pct(test[hi])} with {hi:.0%}"
            + (f", chance level being {_pct(CHANCE)}." if hi == 1 else "."),
            holds=bool(rises and test[hi] > test[lo] + 0.3 * hi
                       and (hi < 1 or abs(test[hi] - CHANCE) < 0.04)),
            regime=regime))
    epochs = medians(frame, "network", "epochs_to_fit", "train")
    if len(epochs) >= 2:
        lo, hi, slow = epochs.index[0], epochs.index[-1], epochs.idxmax()
        out.append(Claim(
            "random_labels_fit_slower",
            f"The network needs a median {epochs[lo]:.0f} epochs to fit {lo:.0%} random labels "
            f"and {epochs[hi]:.0f} epochs ({epochs[hi] / max(epochs[lo], 1):.1f}x) to fit "
            f"{hi:.0%}: random labels are memorized, only more slowly."
            + (f" The slowest fit is at {slow:.0%} ({epochs[slow]:.0f} epochs), a mix of true "
               "and random labels." if lo < slow < hi else ""),
            holds=bool(epochs[hi] > 1.3 * epochs[lo]), regime=regime + ", full-batch Adam"))
    return out


EXPERIMENT = Experiment(
    id="random_labels",
    order=110,
    title="Memorizing random labels: fitting is not generalizing",
    summary=(
        "Replace a share of the training labels by random classes: an over-parameterized "
        "model (random features, and a small neural network) still reaches zero training "
        "error at every share, while its test error climbs to chance. Zhang et al.'s "
        "observation that the capacity to fit anything does not explain generalization."
    ),
    references=(
        "Zhang, Bengio, Hardt, Recht, Vinyals (2017), Understanding deep learning requires "
        "rethinking generalization, ICLR, arXiv:1611.03530",
        "Belkin, Ma, Mandal (2018), To understand deep learning we need to understand kernel "
        "learning, ICML, arXiv:1802.01396",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    memory=memory,
    x="label_fraction",
    default_seeds=2,
    precompute_params={"label_fraction": tuple(np.round(np.linspace(0, 1, 11), 2))},
    precompute_seeds=8,
    budget_seconds=20.0,
    metrics=("error_rate", "epochs_to_fit"),
    log_x=False,
    claims=claims,
    page="random_labels",
)
