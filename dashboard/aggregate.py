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


def _centres(values: np.ndarray, centre: str) -> np.ndarray:
    """The centre of each row of `values` (one group of seeds per row)."""
    if centre == "median":
        return np.median(values, axis=1)
    if centre == "geomean":
        out = []
        for row in values:
            positive = row[row > 0]
            out.append(np.exp(np.mean(np.log(positive))) if positive.size else 0.0)
        return np.array(out, dtype=float)
    return np.mean(values, axis=1)


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


def _bands(values: np.ndarray, centres: np.ndarray, band: str, centre: str
           ) -> tuple[np.ndarray, np.ndarray]:
    """The band's low and high edge for each row of `values` (one group of seeds per row)."""
    if band == "bootstrap":
        low, high = zip(*(_bootstrap(row, centre) for row in values), strict=True)
        return np.array(low), np.array(high)
    if band == "iqr":
        return np.quantile(values, 0.25, axis=1), np.quantile(values, 0.75, axis=1)
    if band == "std":
        spread = (np.std(values, axis=1, ddof=1) if values.shape[1] > 1
                  else np.zeros(len(values)))
        return centres - spread, centres + spread
    return centres, centres


def seed_summary(frame: pd.DataFrame, x: str, series: str | list[str] = "split",
                 centre: str = "median", band: str = "iqr") -> pd.DataFrame:
    """One row per (x, series...) with columns centre, low, high, seeds.

    Rows with seed < 0 (across-seed summaries) are left out: they have no spread.
    Groups with the same number of seeds are summarised together, one row of a matrix
    each: numpy's reductions along a row do the same arithmetic as on the group alone.
    """
    if centre not in CENTRES or band not in BANDS:
        raise ValueError(f"centre must be one of {CENTRES}, band one of {BANDS}")
    keys = [x] + ([series] if isinstance(series, str) else list(series))
    rows = frame[frame["seed"] >= 0]
    codes = rows.groupby(keys, sort=True, dropna=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")  # by group, each group's rows in frame order
    values = rows["value"].to_numpy()[order]
    sizes = np.bincount(codes, minlength=codes.max() + 1 if codes.size else 0)
    starts = np.cumsum(sizes) - sizes
    c, lo, hi = (np.empty(sizes.size) for _ in range(3))
    for size in np.unique(sizes):
        same = np.flatnonzero(sizes == size)
        block = values[starts[same, None] + np.arange(size)]
        c[same] = _centres(block, centre)
        lo[same], hi[same] = _bands(block, c[same], band, centre)
    firsts = rows[keys].iloc[order[starts]].itertuples(index=False, name=None)
    out = [(*key, *numbers) for key, *numbers in
           zip(firsts, c.tolist(), lo.tolist(), hi.tolist(), sizes.tolist(), strict=True)]
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
