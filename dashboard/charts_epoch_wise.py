"""Epoch-wise chart: train and test curves (median over seeds, inter-quartile band)
against training steps on a log axis, with the interior peak ringed and labelled."""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import error_curve


def over_steps(frame: pd.DataFrame, *, metric: str, title: str = "", x_title: str = "step",
               y_title: str | None = None, peak: tuple[float, float] | None = None,
               log_y: bool = True, y_format: str | None = None,
               height: int = 340) -> alt.LayerChart:
    """Rows at step 0 are left out (log axis); `peak` = (step, value) rings that point."""
    rows = frame[(frame["metric"] == metric) & (frame["step"] > 0)]
    marks = None
    if peak is not None:
        marks = pd.DataFrame({"step": [peak[0]], "value": [peak[1]],
                              "label": [f"peak at step {peak[0]:,.0f}"]})
    return error_curve(rows, x="step", metric=metric, title=title, x_title=x_title,
                       y_title=y_title or metric, log_y=log_y, y_format=y_format,
                       marks=marks, height=height, x_domain=(1, float(rows["step"].max())))
