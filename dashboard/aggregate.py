"""Seed aggregation for charts: a centre line and a band per (x, series).

The interpolation peak is heavy-tailed (one unlucky seed can be 100x the others), so
the default centre is the median with the inter-quartile band; the plain mean is
offered for comparison, never as the default.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CENTRES = ("median", "geomean", "mean")
BANDS = ("iqr", "std", "none")


def _centre(values: np.ndarray, centre: str) -> float:
    if centre == "median":
        return float(np.median(values))
    if centre == "geomean":
        positive = values[values > 0]
        return float(np.exp(np.mean(np.log(positive)))) if positive.size else 0.0
    return float(np.mean(values))


def _band(values: np.ndarray, centre_value: float, band: str) -> tuple[float, float]:
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
        lo, hi = _band(values, c, band)
        out.append((*key, c, lo, hi, len(values)))
    return pd.DataFrame(out, columns=keys + ["centre", "low", "high", "seeds"])


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
