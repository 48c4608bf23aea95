"""Charts for the guided story view: the experiment pages' own builders, shrunk so that
five of them fit one scroll. Pure functions of a chart, tested through `chart.to_dict()`."""
from __future__ import annotations

import altair as alt

from dashboard.charts.layout import finish

STORY_HEIGHT = 300  # the whole chart, axes and legend included, as Streamlit draws it


def compact(chart: alt.TopLevelMixin, height: int = STORY_HEIGHT) -> alt.TopLevelMixin:
    """A copy of `chart` at `height` pixels, the inner layers included (a builder that
    layers a finished chart with a rule leaves the inner height set, and it would win),
    laid out like every chart (`finish`): legend below the plot, titles wrapped."""
    out = chart.copy(deep=True)
    _resize(out, height)
    out.height = height
    return finish(out)


def _resize(chart, height: int) -> None:
    if getattr(chart, "height", alt.Undefined) is not alt.Undefined:
        chart.height = height
    for child in getattr(chart, "layer", None) or []:
        _resize(child, height)
