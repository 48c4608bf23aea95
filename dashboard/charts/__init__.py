"""Chart builders by topic: pure functions from tidy DataFrames to Altair charts.

Every builder returns an Altair chart and touches no Streamlit state, so tests check
it through `chart.to_dict()`. Colours come from `dashboard.ui.palette`, axis titles
from `dashboard.ui.labels`. The builders most pages use are re-exported here.
"""
from dashboard.charts.curves import (
                                     PERCENT_TICKS,
                                     error_curve,
                                     horizontal_line,
                                     log_floor,
                                     over_steps,
                                     percent_axis,
                                     threshold_rule,
)

__all__ = ["PERCENT_TICKS", "error_curve", "horizontal_line", "log_floor", "over_steps",
           "percent_axis", "threshold_rule"]
