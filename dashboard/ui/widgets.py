"""Controls generated from an experiment's parameter spec (nothing typed twice), and the
one way a page states a measured claim."""
from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.ui import labels
from experiments.framework.claims import Claim
from experiments.framework.params import Param

NEUTRAL = "The data shown do not support the usual sentence here; read the chart instead."


def log_options(p: Param) -> list[float]:
    """0 (if allowed) then powers of ten across the parameter's range."""
    low = p.low if p.low and p.low > 0 else 1e-8
    exps = range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(p.high or 1.0))) + 1)
    opts = [10.0**e for e in exps]
    if p.default not in opts:
        opts.append(float(p.default))
    if p.low is not None and p.low <= 0:
        opts.append(0.0)
    return sorted(set(opts))


def control(p: Param, key: str, value=None, label: str | None = None,
            help: str | None = None, disabled: bool = False):
    """One widget for one parameter; `value` overrides the default (e.g. from the URL),
    `label` and `help` the spec's name and help (the page passes the label map's)."""
    value = p.default if value is None else value
    label = label or p.name
    common = {"help": help or p.help, "key": key, "disabled": disabled}
    if p.kind == "bool":
        return st.toggle(label, value=bool(value), **common)
    if p.kind == "str":
        return st.selectbox(label, p.choices, index=p.choices.index(value),
                            format_func=labels.value, **common)
    if p.kind == "floats":
        text = ", ".join(f"{v:g}" for v in (value if isinstance(value, (list, tuple)) else [value]))
        return st.text_input(label, value=text, **{**common, "help": common["help"]
                                                   + (" Comma-separated." if not help else "")})
    if p.kind == "float" and p.log:
        opts = log_options(p)
        if value not in opts:
            opts = sorted(set(opts) | {float(value)})
        return st.select_slider(label, options=opts, value=value, **common,
                                format_func=lambda v: "0" if v == 0 else f"{v:.0e}")
    if p.kind == "float":
        return st.number_input(label, min_value=p.low, max_value=p.high, value=float(value),
                               format="%g", **common)
    if p.high is not None and p.low is not None and p.high - p.low <= 500:
        return st.slider(label, int(p.low), int(p.high), int(value), **common)
    return st.number_input(label, min_value=None if p.low is None else int(p.low),
                           max_value=None if p.high is None else int(p.high),
                           value=int(value), step=1, **common)


def claim(found: Claim | None, neutral: str | None = NEUTRAL, regime: bool = True) -> None:
    """A claim's sentence (with its regime) where the data support it, else `neutral`
    (nothing when None): page text never states what the data on screen do not show."""
    if found is None:
        return
    if found.holds:
        st.markdown(labels.readable(found.text + (f" *({found.regime})*"
                                                  if regime and found.regime else "")))
    elif neutral:
        st.markdown(labels.readable(neutral))
