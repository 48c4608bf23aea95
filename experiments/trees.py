"""Trees and boosting on a composite axis: double descent, and the U-turn behind it.

What to notice
--------------
Belkin et al. (2019) grow one tree's maximum number of leaves until it interpolates
the training set (stage `leaves`), then keep adding trees to a forest (stage `trees`);
for L2-boosting they add boosting rounds (`rounds`), then average independently
boosted models (`ensembles`). Against the composite count `n_params` (leaves, then
leaves x trees; 10 leaves x rounds x ensembles) test error rises towards the
interpolation point and falls again: a double descent. Curth, Jeffares & van der
Schaar (2023) note that the second descent starts exactly where the axis switches,
and that each model is a linear smoother: against its effective number of parameters
(`effective_params`, see experiments/smoothers.py) the second stage walks back to
*fewer* effective parameters. It does not retrace the first stage's U, though: at
matched p_eff the averaged models have a much lower test error than a single tree or
a single boosted model (`claims` measures both on the result).

Data: digits (regression on one-hot targets; `mse` is the squared loss per example
summed over the 10 outputs, `error_rate` the 0-1 error of the arg-max) or the shared
synthetic regression task (`mse`). The model/dataset value `all` runs every
combination in one result (the shipped file holds all four).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor

from experiments.framework import costs
from experiments.framework.claims import Claim
from experiments.framework.experiment import Experiment, SeedPart, concat_parts
from experiments.framework.params import Param
from experiments.numerics import smoothers
from experiments.numerics.datasets import (
    N_DIGITS,
    digits_split,
    one_hot,
    synthetic_directions,
    synthetic_regression,
    synthetic_target,
)

MODELS = ("forest", "boosting")
DATASETS = ("digits", "synthetic")
BOOST_LEAVES = 10  # docs/science.md / Belkin: boosted trees have at most 10 leaves
LEARNING_RATE = 0.85
SYNTHETIC_DIM = 5
SYNTHETIC_TEST = 500
LEAF_POINTS = 14
SLICE_POINTS = 100  # the synthetic task's 1-D slice, predicted at every kept model size
SLICE_RANGE = 2.5  # inputs are N(0, I): +-2.5 along a unit direction covers the data

PARAMS = (
    Param("model", "str", "forest", "Random forest (leaves, then trees) or L2-boosting "
          "(rounds, then averaged ensembles); `all` runs both.", choices=MODELS + ("all",)),
    Param("dataset", "str", "digits", "Digits (one-hot regression, 0-1 error too) or the "
          "synthetic regression task; `all` runs both.", choices=DATASETS + ("all",)),
    Param("n_train", "int", 400, "Number of training points.", low=50, high=1200),
    Param("max_trees", "int", 20, "Forest: trees averaged in the second stage.", low=2, high=100,
          relevant_when=(("model", ("forest", "all")),)),
    Param("max_rounds", "int", 30, "Boosting: rounds of the first stage.", low=2, high=200,
          relevant_when=(("model", ("boosting", "all")),)),
    Param("max_ensembles", "int", 6, "Boosting: boosted models averaged in the second stage.",
          low=2, high=40,
          relevant_when=(("model", ("boosting", "all")),)),
    Param("noise", "float", 0.5, "Synthetic task only: standard deviation of the label noise.",
          low=0.0, high=2.0,
          relevant_when=(("dataset", ("synthetic", "all")),)),
)


def chosen(params: dict, key: str, options: tuple[str, ...]) -> tuple[str, ...]:
    return options if params[key] == "all" else (params[key],)


def grid(low: int, high: int, points: int) -> np.ndarray:
    """Roughly log-spaced whole numbers from low to high, both included."""
    return np.unique(np.geomspace(low, high, points).round().astype(int))


def load(dataset: str, params: dict, seed: int):
    """(x_train, y_train, x_test, y_test, labels_test); targets are 2-D (one-hot for digits)."""
    if dataset == "digits":
        s = digits_split(params["n_train"], seed)
        return s.x_train, one_hot(s.y_train), s.x_test, one_hot(s.y_test), s.y_test
    s = synthetic_regression(params["n_train"], SYNTHETIC_TEST, SYNTHETIC_DIM, params["noise"],
                             seed)
    return s.x_train, s.y_train[:, None], s.x_test, s.y_test[:, None], None


def slice_inputs() -> tuple[np.ndarray, np.ndarray]:
    """Positions t and points t d along the line through 0 in direction d = w + v (unit),
    where both parts of the synthetic function (sin(w'x), (v'x)^2) change."""
    w, v = synthetic_directions(SYNTHETIC_DIM)
    d = (w + v) / np.linalg.norm(w + v)
    t = np.linspace(-SLICE_RANGE, SLICE_RANGE, SLICE_POINTS)
    return t, t[:, None] * d[None, :]


def scores(pred_train, pred_test, data) -> dict:
    """(split, metric) -> value: squared loss per example, and 0-1 error for labels."""
    _, y_train, _, y_test, labels = data
    out = {("train", "mse"): float(np.mean(np.sum((pred_train - y_train) ** 2, axis=1))),
           ("test", "mse"): float(np.mean(np.sum((pred_test - y_test) ** 2, axis=1)))}
    if labels is not None:
        out[("train", "error_rate")] = float(np.mean(pred_train.argmax(1) != y_train.argmax(1)))
        out[("test", "error_rate")] = float(np.mean(pred_test.argmax(1) != labels))
    return out


def fit_target(y: np.ndarray) -> np.ndarray:
    """scikit-learn wants a 1-D target for a single output."""
    return y[:, 0] if y.shape[1] == 1 else y


def make_forest(n_trees: int, max_leaves: int, seed: int) -> RandomForestRegressor:
    """Belkin's forest; the same seed gives the same first tree for any n_trees."""
    return RandomForestRegressor(n_estimators=n_trees, max_leaf_nodes=max_leaves, bootstrap=False,
                                 max_features="sqrt", random_state=seed, n_jobs=1)


def forest_path(params: dict, data, seed: int, probe: np.ndarray | None = None):
    """Yields (stage, stage_size, n_params, p_eff, scores, probe predictions or None)
    along the forest's composite axis.

    Predictions come from scikit-learn; the smoother only measures p_eff (tests check
    that it reproduces the predictions)."""
    x_train, y_train, x_test, _, _ = data
    n, m = params["n_train"], len(x_test)
    for leaves in grid(2, n, LEAF_POINTS):
        model = make_forest(1, int(leaves), seed).fit(x_train, fit_target(y_train))
        s_test = smoothers.tree_smoother(model.estimators_[0], x_train, x_test)
        on_probe = None if probe is None else model.predict(probe).reshape(len(probe), -1)
        yield ("leaves", leaves, leaves, smoothers.effective_params(s_test),
               scores(model.predict(x_train).reshape(n, -1), model.predict(x_test).reshape(m, -1),
                      data), on_probe)
    trees = make_forest(params["max_trees"], n, seed).fit(x_train, fit_target(y_train)).estimators_
    path = smoothers.forest_smoothers(trees, x_train, x_test)
    next(path)  # one tree: the last point of the leaves stage
    pred_train = trees[0].predict(x_train).reshape(n, -1)
    pred_test = trees[0].predict(x_test).reshape(m, -1)
    pred_probe = None if probe is None else trees[0].predict(probe).reshape(len(probe), -1)
    keep = set(grid(2, params["max_trees"], 16).tolist())
    for count, s_test in enumerate(path, start=2):
        tree = trees[count - 1]
        pred_train += (tree.predict(x_train).reshape(n, -1) - pred_train) / count
        pred_test += (tree.predict(x_test).reshape(m, -1) - pred_test) / count
        if probe is not None:
            pred_probe += (tree.predict(probe).reshape(len(probe), -1) - pred_probe) / count
        if count in keep:
            yield ("trees", count, n * count, smoothers.effective_params(s_test),
                   scores(pred_train, pred_test, data),
                   None if probe is None else pred_probe.copy())


def boosting_path(params: dict, data, seed: int, probe: np.ndarray | None = None):
    """Yields (stage, stage_size, n_params, p_eff, scores, probe predictions or None) along
    the boosting composite axis. The probe points ride along as extra test rows, split
    off before scoring (l2_boost predicts only the points it is given)."""
    x_train, y_train, x_test, _, _ = data
    m = len(x_test)
    queries = x_test if probe is None else np.vstack([x_test, probe])

    def split(f_test, s_test):
        return f_test[:m], s_test[:m], None if probe is None else f_test[m:].copy()

    rounds, members = params["max_rounds"], params["max_ensembles"]
    keep_rounds = set(grid(1, rounds, 16).tolist())
    keep_members = set(grid(2, members, 10).tolist())
    sums = None
    for member in range(members):
        boost = smoothers.l2_boost(x_train, y_train, queries, rounds, learning_rate=LEARNING_RATE,
                                   max_leaf_nodes=BOOST_LEAVES, seed=seed * 1000 + member)
        for r, (f_train, f_all, _, s_all) in enumerate(boost, start=1):
            if member == 0 and r in keep_rounds:
                f_test, s_test, f_probe = split(f_all, s_all)
                yield ("rounds", r, BOOST_LEAVES * r, smoothers.effective_params(s_test),
                       scores(f_train, f_test, data), f_probe)
        finals = (f_train, f_all, s_all)
        sums = [a.copy() for a in finals] if sums is None else [t + a for t, a in zip(sums, finals)]
        if member + 1 in keep_members:
            k = member + 1
            f_test, s_test, f_probe = split(sums[1] / k, sums[2] / k)
            yield ("ensembles", k, BOOST_LEAVES * rounds * k, smoothers.effective_params(s_test),
                   scores(sums[0] / k, f_test, data), f_probe)


PATHS = {"forest": forest_path, "boosting": boosting_path}


def run_seed(params: dict, seed: int) -> SeedPart:
    rows, arrays = [], {}
    for dataset in chosen(params, "dataset", DATASETS):
        data = load(dataset, params, seed)
        probe = slice_inputs()[1] if dataset == "synthetic" else None
        for model in chosen(params, "model", MODELS):
            sizes, preds = [], []
            for stage, size, n_params, p_eff, values, f_probe in PATHS[model](params, data, seed,
                                                                              probe):
                if f_probe is not None:
                    sizes.append((n_params, size, list(STAGE_NAMES).index(stage)))
                    preds.append(f_probe[:, 0])
                for (split, metric), value in values.items():
                    rows.append({
                        "seed": seed, "split": split, "metric": metric, "value": value,
                        "n_params": int(n_params), "stage": stage, "stage_size": int(size),
                        "effective_params": p_eff, "model": model, "dataset": dataset,
                        "n_train": params["n_train"],
                        "noise": params["noise"] if dataset == "synthetic" else 0.0,
                    })
            if preds:
                arrays[f"slice_{model}"] = np.array(preds, dtype=np.float32)
                arrays[f"sizes_{model}"] = np.array(sizes)
    return SeedPart(pd.DataFrame(rows), arrays)


def slice_rows(params: dict, part: SeedPart) -> pd.DataFrame:
    """The first seed's predictions on the synthetic 1-D slice at every kept model size
    (metric `prediction`, position in column `x`) and the true function there (`truth`),
    so a page can scrub through the sizes without refitting."""
    t, points = slice_inputs()
    seed, pieces = int(part.frame["seed"].iloc[0]), []
    common = {"seed": seed, "split": "test", "dataset": "synthetic",
              "n_train": params["n_train"], "noise": params["noise"]}
    for model in MODELS:
        if f"slice_{model}" not in part.arrays:
            continue
        preds, sizes = part.arrays[f"slice_{model}"], part.arrays[f"sizes_{model}"]
        stages = np.array(list(STAGE_NAMES))[sizes[:, 2]]
        pieces.append(pd.DataFrame({
            **common, "metric": "prediction", "value": preds.ravel().astype(float),
            "n_params": np.repeat(sizes[:, 0], len(t)), "stage": np.repeat(stages, len(t)),
            "stage_size": np.repeat(sizes[:, 1], len(t)), "model": model,
            "x": np.tile(t, len(sizes))}))
        pieces.append(pd.DataFrame({
            **common, "metric": "truth", "value": synthetic_target(SYNTHETIC_DIM)(points),
            "n_params": 0, "stage": "", "stage_size": 0, "model": model, "x": t}))
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


def combine(params: dict, parts) -> pd.DataFrame:
    """Every seed's error rows, plus the first seed's slice predictions."""
    extra = slice_rows(params, parts[0])
    return pd.concat([concat_parts(params, parts)] + ([extra] if len(extra) else []),
                     ignore_index=True)


def switch_point(params: dict, model: str) -> float:
    """The composite count where the second axis starts moving (the axis switch)."""
    return float(params["n_train"] if model == "forest" else BOOST_LEAVES * params["max_rounds"])


def _shape(dataset: str, params: dict) -> tuple[int, int, int, int]:
    """(n, predicted points, input dimension, outputs) of one data set: the synthetic
    test set carries the slice's points along."""
    n = params["n_train"]
    return ((n, N_DIGITS - n, 64, 10) if dataset == "digits"
            else (n, SYNTHETIC_TEST + SLICE_POINTS, SYNTHETIC_DIM, 1))


def _path_work(model: str, params: dict, n: int, m: int, dim: int, k: int) -> costs.Work:
    """Tree fits (samples x sqrt(features) x outputs x depth) and the dense (test x train)
    smoother updates along one model's composite axis."""
    mn, split = m * n, np.sqrt(dim) * k
    if model == "forest":
        trees = params["max_trees"]
        leaves = grid(2, n, LEAF_POINTS)
        fits = sum(n * split * np.log2(max(leaf, 2)) for leaf in leaves)
        # each leaves point fits a one-tree forest and predicts twice through it: a forest
        # call has ~3x a bare tree fit's fixed cost (joblib and input checks)
        return costs.Work(tree=fits + trees * n * split * np.log2(n), fits=5 * len(leaves) + 5,
                          elements=len(leaves) * 8 * mn + trees * 10 * mn + 20 * (n + m) * k,
                          calls=(len(leaves) + trees) * 40)
    rounds, members = params["max_rounds"], params["max_ensembles"]
    steps = rounds * members
    kept = len(grid(1, rounds, 16)) + len(grid(2, members, 10))
    return costs.Work(tree=steps * n * split * np.log2(BOOST_LEAVES), fits=steps,
                      gemm=steps * 2 * BOOST_LEAVES * n * n,
                      elements=steps * (4 * mn + 4 * n * n + 20 * (n + m) * k)
                      + members * 3 * (mn + n * n) + kept * 4 * mn,
                      calls=steps * 40 + kept * 30)


def cost(params: dict, n_seeds: int) -> float:
    """Seconds with one BLAS thread (experiments/costs.py): scikit-learn tree fits plus a
    dense (test x train) smoother update per tree, per round and per member."""
    seed = costs.Work(calls=100)
    for dataset in chosen(params, "dataset", DATASETS):
        for model in chosen(params, "model", MODELS):
            seed += _path_work(model, params, *_shape(dataset, params))
    return costs.price(seed * n_seeds)


def memory(params: dict, n_seeds: int) -> float:
    """Peak bytes: dense smoothers (running, per tree or round, and their temporaries),
    the fitted forest's nodes, and the result rows."""
    peak = 0.0
    for dataset in chosen(params, "dataset", DATASETS):
        n, m, _, k = _shape(dataset, params)
        for model in chosen(params, "model", MODELS):
            if model == "forest":
                nodes = params["max_trees"] * 2 * n * (64 + 8 * k)
                peak = max(peak, 6 * 8 * m * n + nodes)
            else:
                peak = max(peak, 8 * (2 * n * n + 7 * m * n))
    rows = 130 * len(chosen(params, "dataset", DATASETS)) * len(chosen(params, "model", MODELS))
    return costs.total_bytes(peak + costs.results_bytes(rows, 13, n_seeds))


STAGE_NAMES = {"leaves": "one tree with {} leaves", "trees": "{} averaged trees",
               "rounds": "{} boosting rounds", "ensembles": "{} averaged boosted models"}


def stage_medians(rows: pd.DataFrame) -> pd.DataFrame:
    """Median test error and p_eff over seeds per composite point of one model and dataset."""
    test = rows[(rows["split"] == "test") & (rows["seed"] >= 0)]
    return (test.groupby(["stage", "stage_size", "n_params"], as_index=False)
            [["value", "effective_params"]].median().sort_values("n_params"))


def matched_pair(summary: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The (first-stage, second-stage) points whose median p_eff are closest in ratio."""
    first_stage = summary["stage"].iloc[0]
    first = summary[summary["stage"] == first_stage]
    second = summary[summary["stage"] != first_stage]
    gap = np.abs(np.log(first["effective_params"].to_numpy()[:, None]
                        / second["effective_params"].to_numpy()[None, :]))
    i, j = np.unravel_index(np.argmin(gap), gap.shape)
    return first.iloc[i], second.iloc[j]


def _name(point: pd.Series) -> str:
    return STAGE_NAMES[point["stage"]].format(int(point["stage_size"]))


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """Per model and dataset: the second stage turns back in p_eff; at matched p_eff the
    second stage's test squared loss against the first's (Curth et al.'s U-turn, measured);
    and whether the training loss reaches exactly zero."""
    out = []
    for (model, dataset), rows in frame[frame["metric"] == "mse"].groupby(["model", "dataset"]):
        summary = stage_medians(rows)
        if summary["stage"].nunique() < 2:
            continue
        regime = (f"{model} on {dataset}, n_train = {int(rows['n_train'].iloc[0])}, "
                  "test squared loss")
        first_stage = summary["stage"].iloc[0]
        switch = summary[summary["stage"] == first_stage].iloc[-1]
        end = summary.iloc[-1]
        first = summary[summary["stage"] == first_stage]
        best = first.loc[first["value"].idxmin()]
        out.append(Claim(
            f"first_u_{model}_{dataset}",
            f"Along the first stage the test squared loss falls to {best['value']:.3g} "
            f"({_name(best)}, p_eff {best['effective_params']:.0f}) and then rises "
            f"{switch['value'] / best['value'] - 1:.0%} by the axis switch: an ordinary U.",
            holds=bool(switch["value"] > 1.02 * best["value"]), regime=regime))
        out.append(Claim(
            f"turns_back_{model}_{dataset}",
            f"In the second stage p_eff falls from {switch['effective_params']:.0f} at the axis "
            f"switch to {end['effective_params']:.0f} ({_name(end)}), while the composite count "
            f"grows {end['n_params'] / switch['n_params']:.0f}x.",
            holds=bool(end["effective_params"] < switch["effective_params"]), regime=regime))
        a, b = matched_pair(summary)
        ratio = b["value"] / a["value"]
        close = abs(np.log(a["effective_params"] / b["effective_params"])) < np.log(1.15)
        out.append(Claim(
            f"matched_{model}_{dataset}",
            f"At matched effective parameters ({_name(a)}: p_eff {a['effective_params']:.0f}; "
            f"{_name(b)}: p_eff {b['effective_params']:.0f}) the test squared loss is "
            f"{b['value']:.3g} against {a['value']:.3g}, {ratio:.2f}x: the second stage does not "
            "retrace the first stage's U, it runs on a lower curve.",
            holds=bool(close and ratio < 0.8), regime=regime))
        train = rows[(rows["split"] == "train") & (rows["seed"] >= 0)]
        floor = train.groupby("n_params")["value"].median().min()
        out.append(Claim(
            f"train_floor_{model}_{dataset}",
            "The median training loss reaches exactly 0 (the model interpolates)."
            if floor == 0 else f"The median training loss never reaches 0 (lowest: {floor:.2g}).",
            holds=True, regime=regime.replace("test", "training")))
    return out


EXPERIMENT = Experiment(
    id="trees",
    order=80,
    title="Trees and boosting: double descent on a composite axis",
    summary=(
        "A single tree grows until it interpolates, then trees are averaged (or boosting "
        "rounds, then averaged boosted models): test error peaks where the axis switches. "
        "Counted in effective parameters, the second stage moves back to simpler models."
    ),
    references=(
        "Belkin, Hsu, Ma, Mandal (2019), Reconciling modern machine-learning practice and the "
        "classical bias-variance trade-off, PNAS 116(32)",
        "Curth, Jeffares, van der Schaar (2023), A U-turn on Double Descent: Rethinking "
        "Parameter Counting in Statistical Learning, NeurIPS 2023, arXiv:2310.18988",
    ),
    params=PARAMS,
    run_seed=run_seed,
    combine=combine,
    cost=cost,
    memory=memory,
    x="n_params",
    threshold=lambda params: switch_point(params, "boosting" if params["model"] == "boosting"
                                          else "forest"),
    default_seeds=4,
    precompute_params={"model": "all", "dataset": "all", "n_train": 1000, "max_trees": 50,
                       "max_rounds": 100, "max_ensembles": 20},
    precompute_seeds=8,
    budget_seconds=15.0,
    metrics=("mse", "error_rate"),
    claims=claims,
    columns=("stage", "effective_params", "model", "dataset", "n_train"),  # read by its pages
    page="trees",
)
