"""The one palette: every colour a chart uses, named by what it stands for.

Train is blue and test red on every page; the two stages of a composite axis reuse
them (first axis, then second), so a reader learns the colours once. `scale` turns a
role map into an Altair scale holding only the entries a chart shows.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import altair as alt

BLUE, RED, GREEN, ORANGE = "#4C78A8", "#E45756", "#54A24B", "#F58518"
PURPLE, TEAL, GREY, MID_GREY = "#B279A2", "#72B7B2", "#9D9D9D", "#7f7f7f"
LIGHT_BLUE, LIGHT_RED, LIGHT_ORANGE, PALE_BLUE = "#9ecae9", "#FF9DA6", "#ffbf79", "#9ECAE9"
INK = "#222222"  # truth, reference lines, rings around chosen points
THRESHOLD = "#6b6b6b"  # dashed threshold and chance lines and their labels

SPLITS = {"train": BLUE, "test": RED}
STAGES = (BLUE, RED)  # the first axis of a composite count, then the second
TERMS = {"bias2": ORANGE, "variance": GREEN, "noise": GREY, "error": PURPLE}
CURVES = (BLUE, RED, GREEN, ORANGE, PURPLE, TEAL)  # fitted polynomials, after the truth
PHASES = {"fast generalization": GREEN, "grok": BLUE, "not yet": PURPLE,
          "memorize only": ORANGE, "failed": GREY}
LOSSES = {"test loss": RED, "restricted loss (test)": LIGHT_RED, "train loss": BLUE,
          "excluded loss (train)": PALE_BLUE}
INITS = (BLUE, ORANGE)  # grokking: default and large initialization
ESTIMATORS = {"interpolator": RED, "oracle_ridge": BLUE}
MODEL_SPLITS = {"random features, train": LIGHT_BLUE, "random features, test": BLUE,
                "network, train": LIGHT_ORANGE, "network, test": ORANGE}
BASELINES = {"predict the training mean": MID_GREY, "predict zero": INK}
VARIANTS = {"no ablation": RED, "cut small singular": BLUE, "project test": GREEN,
            "remove noise": ORANGE}
SCORES = (BLUE, RED, GREY)  # emergence: per-token accuracy, exact match, accuracy^L
EDIT = GREEN
RIDGES = (RED, BLUE, GREEN, ORANGE, PURPLE, TEAL)  # minimum norm first: the peak is red
PREDICTION = BLUE  # a model's prediction in the scrub panels; the truth is INK
VERDICTS = {"right": INK, "wrong": ORANGE}  # scrubbed digits: the eye goes to the errors
SERIES = "tableau10"  # any other categorical series (model families, sources, ...)


def scale(colors: Mapping[str, str], shown: Iterable[str] | None = None) -> alt.Scale:
    """An ordinal colour scale from a role map, keeping only the entries in `shown`."""
    present = None if shown is None else set(shown)
    pairs = [(k, c) for k, c in colors.items() if present is None or k in present]
    return alt.Scale(domain=[k for k, _ in pairs], range=[c for _, c in pairs])


def ordered(names: Iterable[str], colors: tuple[str, ...]) -> alt.Scale:
    """`names` in the given order, coloured from `colors` (cycled)."""
    names = list(names)
    return alt.Scale(domain=names, range=[colors[i % len(colors)] for i in range(len(names))])


def split_or_series(series: str) -> alt.Scale:
    """Train/test colours when the series is the split, the categorical scheme otherwise."""
    return scale(SPLITS) if series == "split" else alt.Scale(scheme=SERIES)
