"""Cached access to results: shipped files and on-demand runs.

Caches are bounded (entries and time) so a hosted demo with many readers stays small,
and they hold DataFrames keyed by plain, hashable arguments only.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd
import streamlit as st

from experiments import registry, store
from experiments.base import run
from experiments.cli import command_line
from experiments.store import StoreError

CACHE_TTL = "2h"


@st.cache_data(max_entries=16, ttl=CACHE_TTL, show_spinner=False)
def load_shipped(experiment_id: str, columns: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict]:
    """The precomputed result from data/; raises StoreError with the fix if unusable,
    including when it lacks `columns` (read by a view of another experiment's data)
    or those its own page reads."""
    return store.load(experiment_id, columns=columns)


@st.cache_data(max_entries=24, ttl=CACHE_TTL, show_spinner=False)
def run_on_demand(experiment_id: str, params: tuple, n_seeds: int,
                  _progress: Callable[[float, str], None] | None = None
                  ) -> tuple[pd.DataFrame, dict]:
    """Run with validated params (as sorted items); the same settings are instant next time."""
    exp = registry.get(experiment_id)
    clean = dict(params)
    frame = run(exp, clean, n_seeds, progress=_progress)
    defaults = exp.defaults()
    changed = {k: v for k, v in clean.items() if v != defaults[k]}
    shown = {k: ",".join(map(str, v)) if isinstance(v, tuple) else v for k, v in changed.items()}
    provenance = store.make_provenance(
        experiment_id, clean, list(range(n_seeds)), frame.attrs["runtime_seconds"],
        command_line(experiment_id, shown, n_seeds))
    return frame, provenance


def frozen(params: dict) -> tuple:
    """Params as a hashable, order-independent cache key."""
    return tuple(sorted(params.items()))


def shipped_or_message(experiment_id: str, columns: tuple[str, ...] = ()
                       ) -> tuple[pd.DataFrame, dict] | None:
    """The shipped result, or None after telling the reader what is wrong and the fix."""
    try:
        return load_shipped(experiment_id, columns)
    except StoreError as err:
        st.error(f"The shipped {experiment_id} result is unavailable: {err}")
        return None
