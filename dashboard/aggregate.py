"""Seed aggregation for charts: a centre line and a band per (x, series).

The interpolation peak is heavy-tailed (one unlucky seed can be 100x the others), so
the default centre is the median with the inter-quartile band; the plain mean is
offered for comparison, never as the default.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CENTRES = ("median", "geomean", "mean")
BANDS = ("iqr", "std", "bootstrap", "none")
BOOTSTRAP_DRAWS = 400


def _centre(values: np.ndarray, centre: str) -> float:
    if centre == "median":
        return float(np.median(values))
    if centre == "geomean":
        positive = values[values > 0]
        return float(np.exp(np.mean(np.log(positive)))) if positive.size else 0.0
    return float(np.mean(values))


def _bootstrap(values: np.ndarray, centre: str) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the centre over seeds (fixed RNG: stable charts)."""
    if values.size < 2:
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(0)
    draws = values[rng.integers(0, values.size, size=(BOOTSTRAP_DRAWS, values.size))]
    if centre == "median":
        stats = np.median(draws, axis=1)
    elif centre == "geomean":
        stats = np.exp(np.mean(np.log(np.clip(draws, 1e-300, None)), axis=1))
    else:
        stats = draws.mean(axis=1)
    low, high = np.quantile(stats, [0.025, 0.975])
    return float(low), float(high)


def _band(values: np.ndarray, centre_value: float, band: str, centre: str) -> tuple[float, float]:
    if band == "bootstrap":
        return _bootstrap(values, centre)
    if band == "iqr":
        return float(np.quantile(values, 0.25)), float(np.quantile(values, 0.75))
    if band == "std":
        spread = float(np.std(values, ddof=1)) if values.size > 1 else 0.0
        return centre_value - spread, centre_value + spread
    return centre_value, centre_value


def seed_summary(frame: pd.DataFrame, x: str, series: str | list[str] = "split",
                 centre: str = "median", band: str = "iqr") -> pd.DataFrame:
    """One row per (x, series...) with columns centre, low, high, seeds.

    Rows with seed < 0 (across-seed summaries) are left out: they have no spread.
    """
    if centre not in CENTRES or band not in BANDS:
        raise ValueError(f"centre must be one of {CENTRES}, band one of {BANDS}")
    keys = [x] + ([series] if isinstance(series, str) else list(series))
    rows = frame[frame["seed"] >= 0]
    out = []
    for key, group in rows.groupby(keys, sort=True, dropna=False):
        values = group["value"].to_numpy()
        c = _centre(values, centre)
        lo, hi = _band(values, c, band, centre)
        out.append((*key, c, lo, hi, len(values)))
    return pd.DataFrame(out, columns=keys + ["centre", "low", "high", "seeds"])


def readable_top(frame: pd.DataFrame, x: str, metric: str, decades: float = 3.0) -> float:
    """A y-axis top for an error curve whose peak dwarfs the rest: `decades` above the
    typical median test error (the median over x of the per-x medians), so that the U and
    the tail stay readable and only the peak is cut."""
    rows = frame[(frame["metric"] == metric) & (frame["split"] == "test") & (frame["seed"] >= 0)]
    typical = rows.groupby(x)["value"].median().median()
    return float(typical) * 10**decades


def classical_range(frame: pd.DataFrame, x: str, metric: str, threshold: float) -> float:
    """The largest x of the textbook regime: below the threshold, and up to where the
    median test error climbs back above that of the smallest model (the U's right arm).
    """
    rows = frame[(frame["metric"] == metric) & (frame["split"] == "test") & (frame["seed"] >= 0)]
    median = rows[rows[x] < threshold].groupby(x)["value"].median().sort_index()
    if median.empty:
        raise ValueError("no test rows below the threshold")
    best = median.idxmin()
    above = median[(median.index > best) & (median > median.iloc[0])]
    return float(above.index[0]) if len(above) else float(median.index[-1])
