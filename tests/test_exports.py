"""Chart exports: past Altair's 5,000-row default every row is drawn; past the
server-side bound the Export menu says why there is no PNG or SVG."""
import altair as alt
import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ui import exports


def scatter(rows: int) -> alt.LayerChart:
    frame = pd.DataFrame({"x": np.arange(rows), "y": np.random.default_rng(0).random(rows)})
    points = alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q")
    return alt.layer(points, alt.Chart(frame.head(3)).mark_rule().encode(x="x:Q"))


@pytest.mark.slow
def test_charts_over_five_thousand_rows_export_every_row():
    chart = scatter(5200)
    assert exports.chart_rows(chart) == 5203
    assert exports.chart_png(chart)[:8] == b"\x89PNG\r\n\x1a\n"
    svg = exports.chart_svg(chart)
    assert svg.count('role="graphics-symbol"') >= 5200 + 3, "every row is a mark"
    assert alt.data_transformers.active == "default" and alt.data_transformers.options == {}


def test_too_large_charts_refuse_with_the_reason(monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 100)
    with pytest.raises(exports.ExportTooLarge, match="at most 100 rows; this chart has 153"):
        exports.chart_svg(scatter(150))


def export_menu(rows: int):
    import altair as alt
    import numpy as np
    import pandas as pd

    from dashboard.ui import exports

    def dots(frame):
        return alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q")

    frame = pd.DataFrame({"x": np.arange(rows), "y": np.ones(rows)})
    exports.show_built(dots, frame, "demo", frame)


@pytest.mark.parametrize("rows, image_buttons", [(80, True), (150, False)])
def test_the_export_menu_says_why_there_is_no_image(monkeypatch, rows, image_buttons):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 100)  # restored after the test
    at = AppTest.from_function(export_menu, args=(rows,)).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[:2] == ["CSV", "Parquet"]
    assert ("PNG" in labels and "SVG" in labels) == image_buttons
    reasons = [c.value for c in at.caption if "at most 100 rows" in c.value]
    assert bool(reasons) != image_buttons, reasons
