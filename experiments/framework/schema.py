"""The tidy result contract, checked when a result is made, written and read.

Long format, one row per (config, seed, split, metric): `experiment`, `seed`, `split`
(`train` or `test`), `metric`, `value`, plus the swept axis columns (`n_params` where
model size is swept, `n_train` where data size matters) and any config columns.
Properties of the fitted model itself (coefficient norm, smallest singular value)
are reported under `split="train"`: they are computed from the training fit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.framework.wording import plural

SCHEMA_VERSION = 1
REQUIRED = {"experiment": "str", "seed": "int", "split": "str", "metric": "str", "value": "float"}
SPLITS = ("train", "test")


class SchemaError(ValueError):
    """A result frame breaks the tidy contract; the message names the column."""


def tidy_rows(seed: int, split: str, metric: str, value, **config) -> pd.DataFrame:
    """Tidy rows for one (seed, split, metric): `value` and any config column may be an
    array (one row per entry) or a scalar (repeated), in the canonical column order."""
    return pd.DataFrame({"seed": seed, "split": split, "metric": metric, "value": value,
                         **config})


def check_tidy(frame: pd.DataFrame, experiment: str | None = None) -> pd.DataFrame:
    """Return `frame` with canonical dtypes, or raise SchemaError saying what is wrong."""
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a DataFrame, got {type(frame).__name__}")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"missing required {plural(len(missing), 'column')}: {', '.join(missing)}")
    if frame.empty:
        raise SchemaError("the result has no rows")
    if frame.columns.duplicated().any():
        raise SchemaError("duplicate column names")
    out = frame.reset_index(drop=True).copy()
    for col in ("experiment", "split", "metric"):
        out[col] = out[col].astype(str)
    if not pd.api.types.is_integer_dtype(out["seed"]):
        seeds = pd.to_numeric(out["seed"], errors="coerce")
        if seeds.isna().any() or (seeds != np.floor(seeds)).any():
            raise SchemaError("column 'seed' must hold whole numbers")
        out["seed"] = seeds
    out["seed"] = out["seed"].astype("int64")
    try:
        out["value"] = out["value"].astype("float64")
    except (TypeError, ValueError):
        raise SchemaError("column 'value' must be numeric") from None
    bad_split = sorted(set(out["split"]) - set(SPLITS))
    if bad_split:
        raise SchemaError(f"column 'split' has {bad_split[0]!r}; allowed: train, test")
    if not np.isfinite(out["value"].to_numpy()).all():
        bad = out.loc[~np.isfinite(out["value"]), "metric"].iloc[0]
        raise SchemaError(f"column 'value' has NaN or infinite entries (metric {bad!r})")
    if experiment is not None and (out["experiment"] != experiment).any():
        raise SchemaError(f"rows from another experiment than {experiment!r}")
    return out


MAX_CONFIG_VALUES = 24
NOT_CONFIG = {"seed", "value", "metric", "experiment"}


def config_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that name a configuration: text, whole numbers or few distinct values.
    Per-seed measurements such as effective_params (many float values) are excluded."""
    out = []
    for col in frame.columns:
        if col in NOT_CONFIG:
            continue
        if frame[col].dtype.kind in "OSUbi" or frame[col].nunique() <= MAX_CONFIG_VALUES:
            out.append(col)
    return out
