"""Sample-wise double descent: more data can hurt (Nakkiran et al. 2019).

What to notice
--------------
Fix the model (minimum-norm least squares on the 10 features of scikit-learn's diabetes
data) and grow the training set from 1 to ~40 samples. Test error rises as n approaches
the number of parameters, peaks near n = 10 (one sample per parameter: the fit must
thread every noisy point) and falls after it, ending below the predict-the-training-mean
baseline that every curve is drawn against.
The fit centres the targets (`intercept`, on by default): it fits y - mean(y_train) and
adds that mean back. Diabetes targets have mean ~152, so Schaeffer et al.'s fit without
an intercept is worse than predicting zero at every n: turn it off to see that.
Schaeffer et al. (2023) trace the peak to three ingredients acting together; each
ablation switch removes one:
  * cut_small_singular: drop the small singular values of the training data,
  * project_test: keep only test-point components along the top training directions,
  * remove_noise: targets without residual noise (the best linear fit's predictions).
With `compare` on, every run also fits the plain model and each ablation alone, with and
without the intercept (`variant` names them), so the page can show them side by side.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import Experiment, SeedPart
from experiments.framework.params import Param

N_FEATURES = 10
ABLATIONS = ("cut_small_singular", "project_test", "remove_noise")

PARAMS = (
    Param("dataset", "str", "diabetes", "diabetes: scikit-learn's 442 patients x 10 features; "
          "synthetic: x ~ N(0, I_10), y = x'beta + N(0, 1).", choices=("diabetes", "synthetic")),
    Param("max_train", "int", 40, "Largest training set size (sizes 1..max_train).", low=12,
          high=200),
    Param("intercept", "bool", True, "Centre the targets: fit y - mean(y_train), then add the "
          "mean back. Off = Schaeffer et al.'s fit through the origin."),
    Param("cut_small_singular", "bool", False, "Ablation: drop singular values below "
          "`cutoff` x the largest before inverting."),
    Param("cutoff", "float", 0.1, "Relative singular value cutoff for cut_small_singular.",
          low=1e-6, high=0.9, log=True,
          relevant_when=(("cut_small_singular", (True,)),)),
    Param("project_test", "bool", False, "Ablation: project test points onto the top `top_k` "
          "right singular directions of the training data."),
    Param("top_k", "int", 5, "Number of training directions kept by project_test.", low=1, high=10,
          relevant_when=(("project_test", (True,)),)),
    Param("remove_noise", "bool", False, "Ablation: replace targets by the full-data least-squares "
          "predictions (with the intercept setting above), so there is no residual noise."),
    Param("compare", "bool", True, "Also fit the plain model and each ablation alone, with and "
          "without the intercept, for the comparison panel."),
)


@lru_cache(maxsize=2)
def _dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "diabetes":
        from sklearn.datasets import load_diabetes

        bunch = load_diabetes()
        return bunch.data.astype(np.float64), bunch.target.astype(np.float64)
    rng = np.random.default_rng(2023)
    x = rng.standard_normal((442, N_FEATURES))
    return x, x @ rng.standard_normal(N_FEATURES) + rng.standard_normal(442)


def data(params: dict) -> tuple[np.ndarray, np.ndarray]:
    x, y = _dataset(params["dataset"])
    if params["remove_noise"]:
        design = np.column_stack([np.ones(len(y)), x]) if params.get("intercept") else x
        y = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return x, y


def fit_predict(x_train, y_train, x_test, params: dict, svd=None) -> tuple[np.ndarray, np.ndarray]:
    """Minimum-norm least squares with the ablations; returns (train, test) predictions.
    `svd` (of x_train) may be passed in: every configuration at one size shares it."""
    offset = float(np.mean(y_train)) if params.get("intercept") else 0.0
    u, s, vt = np.linalg.svd(x_train, full_matrices=False) if svd is None else svd
    keep = s > 1e-15 * s.max(initial=0.0)  # np.linalg.pinv's cutoff
    if params["cut_small_singular"]:
        keep &= s > params["cutoff"] * s.max(initial=0.0)
    beta = vt[keep].T @ ((u[:, keep].T @ (y_train - offset)) / s[keep])
    if params["project_test"]:
        top = vt[: min(params["top_k"], int(keep.sum()))]
        x_test = x_test @ top.T @ top
    return x_train @ beta + offset, x_test @ beta + offset


def variant_name(config: dict) -> str:
    """'plain' or the ablations switched on, joined by '+'."""
    return "+".join(a for a in ABLATIONS if config[a]) or "plain"


def configs(params: dict) -> list[dict]:
    """The chosen settings first, then (with `compare`) each ablation alone, both intercepts."""
    out = [params]
    if params["compare"]:
        for intercept in (True, False):
            for switched in (None,) + ABLATIONS:
                out.append({**params, "intercept": intercept,
                            **{a: a == switched for a in ABLATIONS}})
    unique = {tuple(c[k] for k in ("intercept",) + ABLATIONS): c for c in reversed(out)}
    return list(reversed(unique.values()))


def run_seed(params: dict, seed: int) -> SeedPart:
    """One repeat: a random order of the data; the first n rows train, the rest test.
    Per size: the fit's train and test MSE and the two baselines' test MSE, per configuration."""
    x, _ = _dataset(params["dataset"])
    order = np.random.default_rng(seed).permutation(len(x))
    settings = configs(params)
    targets = [data(c)[1][order] for c in settings]
    x = x[order]
    rows = []
    for n in range(1, params["max_train"] + 1):
        svd = np.linalg.svd(x[:n], full_matrices=False)
        for k, (config, y) in enumerate(zip(settings, targets)):
            pred_train, pred_test = fit_predict(x[:n], y[:n], x[n:], config, svd)
            y_test = y[n:]
            rows += [(k, "train", "least_squares", np.mean((pred_train - y[:n]) ** 2), n),
                     (k, "test", "least_squares", np.mean((pred_test - y_test) ** 2), n),
                     (k, "test", "train_mean", np.mean((y_test - y[:n].mean()) ** 2), n),
                     (k, "test", "zero", np.mean(y_test**2), n)]
    frame = pd.DataFrame(rows, columns=["config", "split", "model", "value", "n_train"])
    frame.insert(0, "seed", seed)
    frame.insert(2, "metric", "mse")
    for name in ("dataset", "intercept") + ABLATIONS:
        frame[name] = frame["config"].map({k: c[name] for k, c in enumerate(settings)})
    frame["variant"] = frame["config"].map({k: variant_name(c) for k, c in enumerate(settings)})
    frame["n_params"] = N_FEATURES
    frame["params_per_sample"] = N_FEATURES / frame["n_train"]
    return SeedPart(frame.drop(columns="config"))


def cost(params: dict, n_seeds: int) -> float:
    """Seconds (experiments/costs.py): per training size one tiny SVD, then per
    configuration a fit, its predictions and the baselines, so library-call overhead
    dominates; then one frame per seed."""
    sizes, settings = params["max_train"], len(configs(params))
    # ~18 calls per fit: the solve, two predictions, four means with their squares
    seed = costs.Work(svd=sizes * N_FEATURES**3, calls=sizes * (10 + 18 * settings) + 300,
                      elements=8 * sizes * 442 * N_FEATURES * settings)
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: the 442-row data set, one target per configuration, the result rows."""
    settings = len(configs(params))
    rows = costs.results_bytes(4 * settings * params["max_train"], 14, n_seeds)
    return costs.total_bytes(8 * 442 * (12 + settings) + rows)


def selected(frame: pd.DataFrame, params: dict, **override) -> pd.DataFrame:
    """Rows of the configuration `params` (with `override`), fit and baselines."""
    config = {**params, **override}
    keep = np.ones(len(frame), dtype=bool)
    for name in ("intercept",) + ABLATIONS:
        keep &= (frame[name] == config[name]).to_numpy()
    return frame[keep]


def medians(rows: pd.DataFrame, model: str = "least_squares") -> pd.Series:
    """Median over seeds of the test MSE per training size."""
    test = rows[(rows["model"] == model) & (rows["split"] == "test")]
    return test.groupby("n_train")["value"].median()


def number(value: float) -> str:
    """Two significant figures, written out: 101,234 -> '100,000', 0.0123 -> '0.012'."""
    return f"{float(f'{value:.2g}'):,.0f}" if abs(value) >= 100 else f"{value:.2g}"


def setting(params: dict) -> str:
    on = [a.replace("_", " ") for a in ABLATIONS if params[a]]
    return (("with" if params["intercept"] else "without") + " the intercept"
            + (", ablation " + " and ".join(on) if on else ", no ablation"))


def _ablation_claims(frame: pd.DataFrame, params: dict, intercept: bool) -> list[Claim]:
    plain = medians(selected(frame, params, intercept=intercept, **{a: False for a in ABLATIONS}))
    if plain.empty:
        return []
    peak = N_FEATURES if N_FEATURES in plain.index else int(plain.idxmax())
    rise = plain.loc[peak] / plain.loc[:peak - 1].min()
    regime = f"{params['dataset']}, " + ("with" if intercept else "without") + " the intercept"
    out = []
    for a in ABLATIONS:
        ablated = medians(selected(frame, params, intercept=intercept,
                                   **{b: b == a for b in ABLATIONS}))
        if ablated.empty:
            continue
        drop = plain.loc[peak] / ablated.loc[peak]
        ablated_rise = ablated.loc[peak] / ablated.loc[:peak - 1].min()
        out.append(Claim(
            f"ablation_{a}_{'intercept' if intercept else 'no_intercept'}",
            f"Ablation *{a.replace('_', ' ')}* alone lowers the median test MSE at n = {peak} "
            f"from {number(plain.loc[peak])} to "
            + (f"{number(ablated.loc[peak])} ({drop:.0f}x). " if drop < 1e6 else
               "~0 (the targets are then exactly linear in the features). ")
            + f"Its error at n = {peak} is then "
            + (f"{ablated_rise:.1f}x the lowest at fewer samples" if ablated_rise > 1.05
               else "about as low as at any smaller n, or lower")
            + f" (without the ablation: {rise:.0f}x).",
            holds=bool(drop > 5), regime=regime))
    return out


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """The peak and the baselines for the settings shown; the ablations and the missing
    intercept from the comparison rows (when the run has them)."""
    rows = selected(frame, params)
    fit, mean = medians(rows), medians(rows, "train_mean")
    last, peak = int(fit.index.max()), int(fit.idxmax())
    regime = f"{params['dataset']}, {setting(params)}"
    out = [
        Claim("peak", f"The median test MSE peaks at n = {peak} ({number(fit.loc[peak])}), "
              f"{fit.loc[peak] / fit.loc[last]:.0f}x its value at n = {last} "
              f"({number(fit.loc[last])}): adding data hurt up to n = {peak}.",
              holds=bool(abs(peak - N_FEATURES) <= 1 and fit.loc[peak] > 3 * fit.loc[last]),
              regime=regime),
        Claim("beats_mean", f"At n = {last} the fit's median test MSE ({number(fit.loc[last])}) "
              f"is below predicting the training mean ({number(mean.loc[last])}).",
              holds=bool(fit.loc[last] < mean.loc[last]), regime=regime),
    ]
    through_origin = selected(frame, params, intercept=False, **{a: False for a in ABLATIONS})
    if not through_origin.empty:
        fit0, zero0 = medians(through_origin), medians(through_origin, "zero")
        gap = (fit0 / zero0).min()
        out.append(Claim(
            "no_intercept_worse_than_zero",
            f"Without the intercept (Schaeffer et al.'s setup) the fit's median test MSE is "
            f"above predicting zero at every n from 1 to {last}; at its closest it is "
            f"{gap:.2f}x the predict-zero error.", holds=bool(gap > 1),
            regime=f"{params['dataset']}, without the intercept, no ablation"))
        clean = medians(selected(frame, params, intercept=False, remove_noise=True,
                                 cut_small_singular=False, project_test=False), "zero")
        if not clean.empty:
            removed = zero0.loc[last] - clean.loc[last]
            share = (zero0.loc[last] - medians(through_origin, "train_mean").loc[last]) / removed
            out.append(Claim(
                "noise_is_mostly_the_mean",
                f"Without the intercept, *remove noise* shrinks the targets' mean square from "
                f"{number(zero0.loc[last])} to {number(clean.loc[last])}; "
                f"{share:.0%} of what it removes is the squared mean of y (predicting zero "
                f"minus predicting the mean), not noise.", holds=bool(share > 0.5),
                regime=f"{params['dataset']}, without the intercept"))
    for intercept in (True, False):
        out += _ablation_claims(frame, params, intercept)
    return out


EXPERIMENT = Experiment(
    id="sample_wise",
    order=40,
    title="Sample-wise double descent: more data can hurt",
    summary=(
        "With the model fixed (least squares on 10 features), test error can rise as the "
        "training set grows toward 10 samples. The page measures the fit against predicting "
        "the training mean, takes away each cause of the peak with three ablations, and "
        "shows what the fit does without an intercept."
    ),
    references=(
        "Nakkiran, Kaplun, Bansal, Yang, Barak, Sutskever (2019), Deep Double Descent, "
        "arXiv:1912.02292",
        "Schaeffer et al. (2023), Double Descent Demystified, arXiv:2303.14151",
    ),
    params=PARAMS,
    run_seed=run_seed,
    cost=cost,
    memory=memory,
    x="params_per_sample",
    threshold=lambda params: 1.0,
    default_seeds=50,
    precompute_seeds=100,
    budget_seconds=10.0,
    metrics=("mse",),
    claims=claims,
    page="sample_wise",
)
