"""Reading a random-features result: the rows a page draws (feature, kernel and example
rows, median curves, the two models Home compares, the best ridge) and the measured
sentences (claims) of experiments/random_features.py."""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework.claims import Claim


def error_metric(frame: pd.DataFrame) -> str:
    return "error_rate" if "error_rate" in set(frame["metric"]) else "mse"


def features_only(frame: pd.DataFrame) -> pd.DataFrame:
    """The finite-width rows (results written before the kernel rows existed have no
    `source` column and hold nothing else)."""
    return frame[frame["source"] == "features"] if "source" in frame.columns else frame


def examples(frame: pd.DataFrame) -> pd.DataFrame:
    """The example predictions kept for scrubbing (empty for results made before them)."""
    return frame[frame["source"] == "example"] if "source" in frame.columns else frame.iloc[:0]


def kernel_value(frame: pd.DataFrame, metric: str, ridge: float = 0.0, label_noise: float = 0.0,
                 split: str = "test") -> float | None:
    """Median over seeds of the kernel limit's `metric`; None where it was not computed."""
    if "source" not in frame.columns:
        return None
    rows = frame[(frame["source"] == "kernel") & (frame["metric"] == metric)
                 & (frame["split"] == split) & np.isclose(frame["ridge"], ridge)
                 & np.isclose(frame["label_noise"], label_noise)]
    return float(rows["value"].median()) if len(rows) else None


def median_curve(frame: pd.DataFrame, metric: str, ridge: float = 0.0, label_noise: float = 0.0,
                 split: str = "test") -> pd.Series:
    """Median over seeds against N for one (ridge, label noise) setting; empty if not run."""
    frame = features_only(frame)
    rows = frame[(frame["metric"] == metric) & (frame["split"] == split) & (frame["seed"] >= 0)
                 & np.isclose(frame["ridge"], ridge) & np.isclose(frame["label_noise"],
                                                                  label_noise)]
    return rows.groupby("n_params")["value"].median().sort_index()


def home_rows(frame: pd.DataFrame, label_noise: float = 0.0) -> pd.DataFrame:
    """Per-seed test error of the minimum-norm fits for one label-noise setting."""
    frame = features_only(frame)
    return frame[(frame["metric"] == error_metric(frame)) & (frame["split"] == "test")
                 & (frame["seed"] >= 0) & (frame["ridge"] == 0)
                 & np.isclose(frame["label_noise"], label_noise)]


def band_top(rows: pd.DataFrame) -> float:
    """A y-axis top just above the highest upper quartile over seeds, so no band is cut."""
    return 1.1 * float(rows.groupby("n_params")["value"].quantile(0.75).max())


def best_points(frame: pd.DataFrame, n_train: int, label_noise: float = 0.0) -> pd.DataFrame:
    """The two models Home compares (minimum norm): the best one smaller than the training
    set (what the classical view would pick) and the widest; value is the median test error."""
    curve = median_curve(frame, error_metric(frame), label_noise=label_noise)
    classical = curve[curve.index < n_train]
    if classical.empty or curve.index.max() <= n_train:
        return pd.DataFrame(columns=["n_params", "value", "label"])
    best, widest = int(classical.idxmin()), int(curve.index.max())
    fmt = formatter(error_metric(frame))
    return pd.DataFrame({
        "n_params": [best, widest], "value": [curve[best], curve[widest]],
        "label": [f"best N < {n_train}: {fmt(curve[best])}", f"widest: {fmt(curve[widest])}"]})


def best_ridge(frame: pd.DataFrame, n_params: int, label_noise: float) -> tuple[float, float]:
    """The positive ridge penalty with the lowest median test error at width n_params."""
    metric = error_metric(frame)
    scores = {lam: median_curve(frame, metric, lam, label_noise).get(n_params, np.inf)
              for lam in sorted(frame["ridge"].unique()) if lam > 0}
    lam = min(scores, key=scores.get)
    return float(lam), float(scores[lam])


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def formatter(metric: str):
    """Error rates as percentages, squared losses with three significant digits."""
    return _pct if metric == "error_rate" else (lambda v: f"{v:.3g}")


def claims(frame: pd.DataFrame, params: dict) -> list[Claim]:
    """The page's sentences, measured: the double descent verdict, the peak, the ridge,
    and what flipped labels change. Claims whose rows were not run are left out."""
    n, metric = params["n_train"], error_metric(frame)
    fmt = formatter(metric)
    clean_regime = (f"{params['dataset']}, n = {n}, minimum norm (no ridge)"
                    + (", clean labels" if params["dataset"] == "digits" else ""))
    out: list[Claim] = []
    points = best_points(frame, n)
    if len(points) == 2:
        (best, widest), (e_best, e_wide) = points["n_params"], points["value"]
        best_text = f"The best under-parameterized model (N = {best})"
        out.append(Claim(
            "widest_beats_classical",
            f"{best_text} errs on {fmt(e_best)} of test digits; the widest (N = {widest}) on "
            f"{fmt(e_wide)}." if metric == "error_rate" else
            f"{best_text} has a test squared loss of {fmt(e_best)}; the widest (N = {widest}) "
            f"{fmt(e_wide)}.",
            holds=bool(e_wide < e_best), regime=clean_regime))
        curve = median_curve(frame, metric)
        peak = int(curve.idxmax())
        out.append(Claim(
            "peak_at_threshold",
            f"The error peaks at N = {peak} (median {fmt(curve[peak])}), where the number of "
            f"features equals the {n} training points: {curve[peak] / e_best:.0f}x the best "
            "under-parameterized model.",
            holds=bool(peak == n and curve[peak] > 3 * e_best), regime=clean_regime))
        if (frame["ridge"] > 0).any():
            out += _ridge_claims(frame, n, widest, metric, fmt)
    if len(points) == 2:
        out += _kernel_claims(frame, n, int(points["n_params"].iloc[1]), metric, clean_regime)
    noisy = sorted(v for v in frame["label_noise"].unique() if v > 0)
    if len(points) == 2 and noisy and metric == "error_rate":
        out += _label_noise_claims(frame, n, noisy[-1], int(points["n_params"].iloc[1]))
    return out


KERNEL_NAMES = {"fourier": "Gaussian-kernel", "relu": "arc-cosine-kernel"}


def _kernel_claims(frame, n, widest, metric, regime) -> list[Claim]:
    """The widest model against its infinite-width limit (Belkin, Ma, Mandal 2018): the
    second descent flattens out at the kernel's error, within a quarter of the way from
    the peak."""
    kernel = kernel_value(frame, metric)
    if kernel is None:
        return []
    curve, fmt = median_curve(frame, metric), formatter(metric)
    kind = str(frame["features"].iloc[0])
    gap = abs(curve[widest] - kernel)
    return [Claim(
        "widest_near_kernel",
        f"The second descent falls from {fmt(curve.max())} at the peak to {fmt(curve[widest])} "
        f"at N = {widest}, next to the minimum-norm {KERNEL_NAMES.get(kind, kind)} "
        f"interpolator, the N -> infinity limit of these features (same bandwidth): "
        f"{fmt(kernel)}.",
        holds=bool(gap < 0.25 * (curve.max() - kernel) and gap < max(0.5 * kernel, 0.01)),
        regime=regime)]


def _ridge_claims(frame, n, widest, metric, fmt) -> list[Claim]:
    plain = median_curve(frame, metric)
    lam, at_threshold = best_ridge(frame, n, 0.0)
    lam_wide, e_ridge_wide = best_ridge(frame, widest, 0.0)
    regime = "clean labels" if metric == "error_rate" else "minimum norm vs ridge"
    return [
        Claim("ridge_removes_peak",
              f"With ridge lambda = {lam:g} the error at N = n is {fmt(at_threshold)} instead "
              f"of {fmt(plain[n])} without it.",
              holds=bool(at_threshold < 0.2 * plain[n]), regime=regime),
        Claim("clean_interpolator_beats_ridge",
              f"The interpolating model at N = {widest} ({fmt(plain[widest])}) beats every "
              f"ridge penalty tried there (best: {fmt(e_ridge_wide)} at lambda = {lam_wide:g}).",
              holds=bool(plain[widest] < e_ridge_wide), regime=regime),
    ]


def _label_noise_claims(frame, n, noise, widest) -> list[Claim]:
    clean_err, noisy_err = median_curve(frame, "error_rate"), median_curve(frame, "error_rate",
                                                                           0.0, noise)
    clean_mse, noisy_mse = median_curve(frame, "mse"), median_curve(frame, "mse", 0.0, noise)
    flipped = f"{noise:.0%} of training labels flipped"
    out = [Claim(
        "label_noise_taller_peak",
        f"With {flipped}, the peak at N = n rises from {_pct(clean_err[n])} to "
        f"{_pct(noisy_err[n])} test error (median test squared loss {clean_mse[n]:.3g} -> "
        f"{noisy_mse[n]:.3g}).",
        holds=bool(noisy_err[n] > clean_err[n] and noisy_mse[n] > clean_mse[n]),
        regime=f"{flipped} vs clean, minimum norm")]
    if (frame["ridge"] > 0).any():
        lam, e_ridge = best_ridge(frame, widest, noise)
        small = noisy_err[noisy_err.index < n]
        out.append(Claim(
            "label_noise_interpolator_loses",
            f"With {flipped}, the interpolating model at N = {widest} errs on "
            f"{_pct(noisy_err[widest])} of test digits: worse than ridge lambda = {lam:g} at "
            f"the same width ({_pct(e_ridge)}) and than the best model smaller than the "
            f"training set (N = {int(small.idxmin())}, {_pct(small.min())}).",
            holds=bool(noisy_err[widest] > e_ridge and noisy_err[widest] > small.min()),
            regime=flipped))
    return out
