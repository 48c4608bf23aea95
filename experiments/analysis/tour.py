"""The guided tour on Home: six stops from the textbook U-curve to scaling laws, each one
measured sentence (a Claim whose numbers come from the experiment's result) and the rows
its small chart draws. Pure functions of a result frame; nothing here fits a model.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from experiments import grokking, polynomial, sample_wise
from experiments import random_features as rf
from experiments.analysis.scaling import NAMES
from experiments.framework.claims import Claim

CLEAR = 3.0  # a rise, fall or peak the sentences call one is at least this factor


@dataclass(frozen=True)
class Stop:
    key: str
    experiment: str
    heading: str
    measure: Callable[[pd.DataFrame, dict], tuple[Claim, pd.DataFrame]]


def _test(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    return frame[(frame["metric"] == metric) & (frame["split"] == "test") & (frame["seed"] >= 0)]


def u_range(median: pd.Series) -> pd.Series:
    """The U: from the smallest model to where the error climbs back above its level."""
    best = median.idxmin()
    above = median[(median.index > best) & (median > median.iloc[0])]
    return median[median.index <= (above.index[0] if len(above) else median.index[-1])]


def textbook_u(frame: pd.DataFrame, params: dict) -> tuple[Claim, pd.DataFrame]:
    n = params["n_train"]
    median = polynomial.test_median(frame)
    u = u_range(median[median.index < n])
    first, best, last = int(u.index[0]), int(u.idxmin()), int(u.index[-1])
    claim = Claim(
        "textbook_u",
        f"With fewer coefficients than its {n} training points, a polynomial's median test "
        f"squared error falls from {u[first]:.3g} ({first} coefficient{'s' * (first != 1)}) to "
        f"{u[best]:.3g} ({best}), then climbs back to {u[last]:.3g} ({last}): the U-curve "
        "of the textbooks, where the best model is a middle-sized one.",
        holds=bool(first < best < last and min(u[first], u[last]) > CLEAR * u[best]),
        regime=f"n = {n}, noise {params['noise']:g}")
    rows = _test(frame, "mse")
    return claim, rows[rows["n_params"] <= last]


def double_descent(frame: pd.DataFrame, params: dict) -> tuple[Claim, pd.DataFrame]:
    n = params["n_train"]
    curve = rf.median_curve(frame, "error_rate")
    points = rf.best_points(frame, n)
    (best, widest), (e_best, e_wide) = points["n_params"], points["value"]
    peak = int(curve.idxmax())
    claim = Claim(
        "double_descent",
        f"Keep growing a random-features model and its test error peaks at {curve[peak]:.1%} "
        f"when it has as many features as training digits (N = {peak}), then falls again: "
        f"the widest model (N = {widest}) errs on {e_wide:.1%}, less than the best small "
        f"one ({e_best:.1%} at N = {best}). That second descent is *double descent*.",
        holds=bool(peak == n and curve[peak] > CLEAR * e_best and e_wide < e_best),
        regime=f"digits, n = {n}, no ridge")
    return claim, rf.home_rows(frame)


def more_data_hurts(frame: pd.DataFrame, params: dict) -> tuple[Claim, pd.DataFrame]:
    rows = sample_wise.selected(frame, params)
    fit = rows[rows["model"] == "least_squares"]
    median = sample_wise.medians(fit)
    peak = int(median.idxmax())
    before, last = median[median.index < peak], int(median.index[-1])
    low = int(before.idxmin())
    claim = Claim(
        "more_data_hurts",
        f"Double descent happens in the number of examples too: a least-squares fit of "
        f"{params['dataset']} with {sample_wise.N_FEATURES} features has a median test error "
        f"of {median[low]:,.0f} with {low} examples and {median[peak]:,.0f} with {peak}: "
        f"more data made it {median[peak] / median[low]:.0f}x worse, until the examples "
        f"outnumber the features ({median[last]:,.0f} at {last}).",
        holds=bool(median[peak] > CLEAR * max(median[low], median[last])),
        regime=f"{params['dataset']}, {sample_wise.setting(params)}")
    return claim, fit[fit["split"] == "test"]


def regularization(frame: pd.DataFrame, params: dict) -> tuple[Claim, pd.DataFrame]:
    n = params["n_train"]
    plain = rf.median_curve(frame, "error_rate")
    lam, at_peak = rf.best_ridge(frame, n, 0.0)
    claim = Claim(
        "regularization",
        f"A small ridge penalty (lambda = {lam:g}) removes the peak: at N = {n} the model "
        f"errs on {at_peak:.1%} of test digits instead of {plain[n]:.1%}. The peak comes from "
        "fitting every training point exactly, not from the model's size.",
        holds=bool(plain[n] > CLEAR * at_peak), regime=f"digits, n = {n}, clean labels")
    test = _test(rf.features_only(frame), "error_rate")
    rows = test[(test["label_noise"] == 0) & test["ridge"].isin([0.0, lam])]
    return claim, rows.assign(penalty=rows["ridge"].map(
        lambda r: "no penalty" if r == 0 else f"ridge lambda = {r:g}"))


def grok(frame: pd.DataFrame, params: dict) -> tuple[Claim, pd.DataFrame]:
    marks = grokking.milestones(frame)
    memorized, generalized = marks["memorized"], marks["generalized"]
    found = memorized is not None and generalized is not None
    claim = Claim(
        "grok",
        f"A small network learning addition modulo {params['p']} fits its training pairs by "
        f"epoch {memorized} but answers new pairs (95% test accuracy) only at epoch "
        f"{generalized}: it *groks*, {generalized / memorized:.0f}x later." if found else
        "The network did not both memorize and generalize in this run.",
        holds=bool(found and generalized >= 10 * memorized),
        regime=f"p = {params['p']}, {params['train_fraction']:.0%} of pairs, weight decay "
               f"{params['weight_decay']:g}")
    rows = frame[(frame["metric"] == "accuracy") & (frame["seed"] >= 0) & (frame["step"] > 0)]
    return claim, rows


def scaling_laws(frame: pd.DataFrame, params: dict) -> tuple[Claim, pd.DataFrame]:
    rows = _test(frame[frame["curve"] == "data"], "error_rate")
    median = rows.groupby(["family", "n_train"])["value"].median()
    first, last = int(rows["n_train"].min()), int(rows["n_train"].max())
    gain = {f: median[f][first] / median[f][last] for f in median.index.get_level_values(0)
            .unique()}
    most, least = max(gain, key=gain.get), min(gain, key=gain.get)
    claim = Claim(
        "scaling_laws",
        f"More data helps every model family steadily: from {first} to {last} training "
        f"digits, test error falls {gain[most]:.0f}x for {NAMES.get(most, most)} "
        f"({median[most][first]:.1%} to {median[most][last]:.1%}) and {gain[least]:.1f}x for "
        f"{NAMES.get(least, least)}. On log-log axes these are near-straight lines: power "
        "laws, the *scaling laws* used to plan large models.",
        holds=bool(gain[least] > CLEAR), regime=f"digits, {first} to {last} examples")
    return claim, rows


STOPS = (
    Stop("textbook_u", "polynomial", "The textbook U", textbook_u),
    Stop("double_descent", "random_features", "Past the peak: double descent", double_descent),
    Stop("more_data_hurts", "sample_wise", "More data can hurt", more_data_hurts),
    Stop("regularization", "random_features", "A penalty removes the peak", regularization),
    Stop("grok", "grokking", "Learning long after memorizing: grokking", grok),
    Stop("scaling_laws", "scaling", "Scaling laws", scaling_laws),
)
