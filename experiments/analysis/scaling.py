"""The sentences the scaling page and the Scaling-laws view show, computed from the result.

`claims(frame, params)` covers what the scaling result holds (learning curves, compute,
the (width, data) grid, the compute-optimal study); `fit_claims(fits)` covers the
power-law fits of any learning curves, as the Scaling-laws view draws them.
"""
from __future__ import annotations

import pandas as pd

from experiments.framework.claims import Claim
from experiments.numerics.chinchilla import bootstrap_law, frontier
from experiments.numerics.powerlaw import PowerLawError, bootstrap
from experiments.numerics.teacher import NOISE

DRAWS = 200
NAMES = {"random_features": "random features", "rbf_svm": "the RBF SVM",
         "logistic": "logistic regression", "mlp": "the MLP"}


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _test(frame: pd.DataFrame, curve: str, metric: str = "error_rate") -> pd.DataFrame:
    return frame[(frame["curve"] == curve) & (frame["split"] == "test")
                 & (frame["metric"] == metric) & (frame["seed"] >= 0)]


def learning_fits(frame: pd.DataFrame, draws: int = DRAWS) -> dict:
    """Bootstrap power-law fits of each family's learning curve (curve "data")."""
    fits = {}
    for family, rows in _test(frame, "data").groupby("family"):
        try:
            fits[family] = bootstrap(rows, "n_train", draws=draws)
        except PowerLawError:
            continue
    return fits


def fit_claims(fits: dict) -> list[Claim]:
    """How the intervals were made, and which fitted exponent is steepest."""
    if len(fits) == 0:
        return []
    boots = list(fits.values())
    fewest = min(b.distinct_alphas() for b in boots)
    out = [Claim(
        "intervals", f"Each interval comes from {len(boots[0].fits)} bootstrap refits that "
        f"resample {boots[0].resampled}; alpha took at least {fewest} distinct values per "
        "curve, so the interval is not made of a handful of repeated fits.",
        fewest >= len(boots[0].fits) // 2)]
    if len(fits) >= 2:
        ranked = sorted(fits, key=lambda name: fits[name].fit.alpha)
        slow, fast = ranked[0], ranked[-1]
        lo, hi = fits[fast].alpha_interval, fits[slow].alpha_interval
        out.append(Claim(
            "steepest", f"{_upper(NAMES.get(fast, fast))} has the steepest fitted curve "
            f"(alpha = {fits[fast].fit.alpha:.2f}, 90% interval {lo[0]:.2f} - {lo[1]:.2f}); "
            f"{NAMES.get(slow, slow)} the flattest (alpha = {fits[slow].fit.alpha:.2f}, "
            f"{hi[0]:.2f} - {hi[1]:.2f}). The two intervals do not overlap.",
            lo[0] > hi[1], regime="over the fitted range"))
    unidentified = [NAMES.get(n, n) for n, b in fits.items() if b.fit.e_bound == "zero"]
    if unidentified:
        out.append(Claim(
            "E_unidentified", f"For {', '.join(unidentified)} the fitted E sits at its bound "
            "of 0: the data cannot tell an irreducible error from zero, so it is shown as "
            "~0 (not identified).", True))
    return out


def _learning_claims(frame: pd.DataFrame) -> list[Claim]:
    rows = _test(frame, "data")
    if rows.empty or rows["n_errors"].isna().any():
        return []
    fits = learning_fits(frame)
    out = fit_claims(fits)
    top = rows[rows["n_train"] == rows["n_train"].max()]
    per = top.groupby("family")[["n_errors", "n_eval"]].sum()
    best = (per["n_errors"] / per["n_eval"]).idxmin()
    one = top[top["family"] == best]
    out.append(Claim(
        "test_noise", f"At n = {int(top['n_train'].iloc[0])}, {NAMES.get(best, best)}'s "
        f"pooled test error {per.loc[best, 'n_errors'] / per.loc[best, 'n_eval']:.2%} is "
        f"{int(per.loc[best, 'n_errors'])} mistakes in {int(per.loc[best, 'n_eval'])} test "
        f"points over {one['seed'].nunique()} seeds; one seed's rate rests on a median of "
        f"{one['n_errors'].median():.0f} mistakes, so test points are resampled as well as seeds.",
        one["seed"].nunique() >= 10 and one["n_errors"].median() < 30))
    counted = frame.loc[(frame["curve"] == "data") & frame["flops"].notna(), "family"]
    out.append(Claim(
        "compute_scope", "Training FLOPs are counted only where one formula covers the work: "
        "random features (the solver's multiply-adds) and the teacher study (6 N D). The SVM, "
        "L-BFGS logistic regression and the MLP have none, so compute is never compared "
        "across families.", set(counted) <= {"random_features"}))
    return out


def _grid_claims(frame: pd.DataFrame) -> list[Claim]:
    rows = _test(frame, "grid")
    if rows.empty:
        return []
    grid = rows.groupby(["n_params", "n_train"], as_index=False).agg(
        centre=("value", "median"), flops=("flops", "median"))
    path = frontier(grid)
    first, last = path.iloc[0], path.iloc[-1]
    return [Claim(
        "grid_frontier", f"On the random-features grid the best cell within the smallest "
        f"budget has {int(first['n_params']):,} parameters and {int(first['n_train'])} "
        f"examples; within the largest, {int(last['n_params']):,} and {int(last['n_train'])}: "
        "model size and data grow together along the frontier.",
        last["n_params"] > first["n_params"] and last["n_train"] > first["n_train"],
        regime="random features on digits, ridge 1e-3")]


def teacher_fit(frame: pd.DataFrame, draws: int = DRAWS):
    """Bootstrap fit of L(N, D) to the compute-optimal study, or None if it is absent."""
    rows = _test(frame, "compute_optimal", "mse")
    return bootstrap_law(rows, draws=draws) if rows["seed"].nunique() >= 2 else None


def teacher_claims(boot) -> list[Claim]:
    law, seeds = boot.fit, boot.seeds

    def span(name):
        low, high = boot.interval(name)
        return f"{getattr(law, name):.2f} (90% interval {low:.2f} - {high:.2f})"
    e_low, e_high = boot.interval("E")
    a_low, b_low = boot.interval("a")[0], boot.interval("b")[0]
    regime = "ridge regression on the power-law teacher, C = 6 N D"
    return [
        Claim("law", f"Fitted to {boot.cells} runs ({seeds} seeds): alpha = {span('alpha')} "
              f"for model size, beta = {span('beta')} for data, R^2 of log L = "
              f"{law.r2_log:.3f} (the three-term law is close, not exact: its residuals "
              "follow the grid's corners).", law.r2_log > 0.95 and boot.interval("alpha")[0] > 0.05
              and boot.interval("beta")[0] > 0.05, regime),
        Claim("E", f"The fitted E = {law.E:.3f} (90% interval {e_low:.3f} - {e_high:.3f}) is "
              f"within a factor of 2 of the teacher's true noise floor {NOISE**2:.3f}"
              + (", and its interval covers it." if e_low <= NOISE**2 <= e_high else
                 ", but its interval misses it: the bootstrap measures seed-to-seed noise, not "
                 "the misfit of the three-term law, which E absorbs. Even with unlimited data "
                 "and exact losses, E is identified only roughly."),
              law.e_identified and 0.5 < law.E / NOISE**2 < 2, regime),
        Claim("exponents", f"Compute-optimal allocation: N* grows as C^a with a = {span('a')}, "
              f"D* as C^b with b = {span('b')}. Both grow with compute, as Hoffmann et al. "
              "(2022) found for language models (a ~ b ~ 0.5).",
              a_low > 0.2 and b_low > 0.2, regime),
    ]


def claims_and_fit(frame: pd.DataFrame):
    """(claims, the teacher's LawBootstrap or None): pages need both, computed once."""
    out = _learning_claims(frame) + _grid_claims(frame)
    boot = teacher_fit(frame) if (frame["curve"] == "compute_optimal").any() else None
    return out + (teacher_claims(boot) if boot is not None else []), boot


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    return claims_and_fit(frame)[0]
