"""The one palette: every colour a chart uses, named by what it stands for.

Blue is train and red is test on every page, and neither colour means anything else:
other series (model families, ridge penalties, the stages of a composite axis) take
the remaining hues. A family or a ridge value keeps its colour from chart to chart.
`scale` turns a role map into an Altair scale holding only the entries a chart shows;
`series_scale` picks the role map a series column calls for; `legend` is the one legend
style (solid swatches, even for a band drawn at 20% opacity).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import altair as alt

from dashboard.ui import labels

BLUE, RED, GREEN, ORANGE = "#4C78A8", "#E45756", "#54A24B", "#F58518"
PURPLE, TEAL, GREY, MID_GREY = "#B279A2", "#72B7B2", "#9D9D9D", "#7f7f7f"
BROWN, OLIVE, PINK = "#9D755D", "#8C8C2E", "#D67195"
LIGHT_BLUE, LIGHT_RED, LIGHT_ORANGE, PALE_BLUE = "#9ecae9", "#FF9DA6", "#ffbf79", "#9ECAE9"
LIGHT_TEAL = "#b5dcd9"
INK = "#222222"  # truth, reference lines, rings around chosen points
THRESHOLD = "#6b6b6b"  # dashed threshold and chance lines and their labels

SPLITS = {"train": BLUE, "test": RED}
OTHERS = (TEAL, GREEN, ORANGE, PURPLE, BROWN, OLIVE, PINK, GREY)  # never train/test's hues
STAGES = (PURPLE, ORANGE)  # the first axis of a composite count, then the second
TERMS = {"bias²": OLIVE, "variance": GREEN, "noise": GREY, "error": PURPLE}
CURVES = (TEAL, GREEN, ORANGE, PURPLE, BROWN, PINK)  # fitted polynomials, after the truth
PHASES = {"fast generalization": GREEN, "grok": TEAL, "not yet": PURPLE,
          "memorize only": ORANGE, "failed": GREY}
LOSSES = {"test loss": RED, "restricted loss (test)": LIGHT_RED, "train loss": BLUE,
          "excluded loss (train)": PALE_BLUE}
INITS = (TEAL, ORANGE)  # grokking: default and large initialization
FAMILIES = {  # one colour per model family, on every page that names families
    "random features": TEAL, "RBF SVM": GREEN, "logistic regression": BROWN,
    "neural network (MLP)": ORANGE, "network": ORANGE,
    "random forest": OLIVE, "L2-boosting": PINK,
}
MODEL_SPLITS = {"random features, train": LIGHT_TEAL, "random features, test": TEAL,
                "network, train": LIGHT_ORANGE, "network, test": ORANGE}
BASELINES = {"predict the training mean": MID_GREY, "predict zero": INK}
VARIANTS = {"no ablation": PURPLE, "cut small singular": TEAL, "project test": GREEN,
            "remove noise": ORANGE}
SCORES = (TEAL, PURPLE, GREY)  # emergence: per-token accuracy, exact match, accuracy^L
EDIT = GREEN
PREDICTION = TEAL  # a model's prediction in the scrub panels (as CURVES); the truth is INK
VERDICTS = {"right": INK, "wrong": ORANGE}  # scrubbed digits: the eye goes to the errors
# Ridge penalties by size, the same value in the same colour on every page: minimum
# norm (the peak) is the darkest, larger penalties lighter (viridis without its yellow).
RIDGE_STEPS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89",
               "#35b779", "#6ece58", "#b5de2b")
ESTIMATORS = {"minimum-norm interpolator": RIDGE_STEPS[0], "optimally tuned ridge": ORANGE}


def legend(**kwargs) -> alt.Legend:
    """Solid swatches: a band's 20% opacity would turn red into pink in the legend."""
    return alt.Legend(symbolOpacity=1, **kwargs)


def scale(colors: Mapping[str, str], shown: Iterable[str] | None = None) -> alt.Scale:
    """An ordinal colour scale from a role map, keeping only the entries in `shown`."""
    present = None if shown is None else set(shown)
    pairs = [(k, c) for k, c in colors.items() if present is None or k in present]
    return alt.Scale(domain=[k for k, _ in pairs], range=[c for _, c in pairs])


def ordered(names: Iterable[str], colors: tuple[str, ...]) -> alt.Scale:
    """`names` in the given order, coloured from `colors` (cycled)."""
    names = list(names)
    return alt.Scale(domain=names, range=[colors[i % len(colors)] for i in range(len(names))])


def ridge_color(value: float) -> str:
    """One colour per penalty, fixed by its decade (1e-6 .. 1e2; 0 is minimum norm)."""
    if value <= 0:
        return RIDGE_STEPS[0]
    step = int(round(math.log10(value))) + 7  # 1e-6 -> 1, 1e2 -> 9
    return RIDGE_STEPS[min(max(step, 1), len(RIDGE_STEPS) - 1)]


def ridges(values: Iterable[float]) -> alt.Scale:
    """Ridge labels (labels.ridge) in increasing order, each in its fixed colour."""
    values = sorted(set(values))
    return alt.Scale(domain=[labels.ridge(v) for v in values],
                     range=[ridge_color(v) for v in values])


def ridge_labels(names: Iterable[str]) -> alt.Scale:
    """Ridge labels as shown ('0 (minimum norm)', '0.1', 'optimal λ*'), each value in its
    fixed colour and the tuned penalty in the tuned estimator's."""
    names = list(names)

    def color(name: str) -> str:
        try:
            return ridge_color(float(name.split(" ")[0]))
        except ValueError:
            return ESTIMATORS["optimally tuned ridge"]

    return alt.Scale(domain=names, range=[color(n) for n in names])


def series_scale(series: str, shown: Iterable[str] = ()) -> alt.Scale:
    """The role map a series column calls for (values already as labels.value shows them):
    splits, model families, or else the hues that are not train/test's, in order."""
    shown = list(dict.fromkeys(shown))
    if series == "split" or (shown and set(shown) <= set(SPLITS)):
        return scale(SPLITS, shown or None)
    if shown and set(shown) <= set(FAMILIES):
        return scale(FAMILIES, shown)
    return ordered(shown, OTHERS) if shown else alt.Scale(range=list(OTHERS))


def split_or_series(series: str) -> alt.Scale:
    """Train/test colours when the series is the split, the other hues otherwise."""
    return scale(SPLITS) if series == "split" else alt.Scale(range=list(OTHERS))
