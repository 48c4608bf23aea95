"""`finish`: every chart laid out for any screen (legend below, solid swatches, titles in
lines that fit, the height kept for the plot), checked on the spec; and the dark theme's
chart style."""
from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.charts import error_curve, layout
from dashboard.ui import palette, style

LONG = ("Iso-FLOP curves: loss against model size at fixed compute (points: measured, mean "
        "over seeds; lines: fitted law; diamonds: its optimum)")


def curve(title: str = LONG) -> alt.LayerChart:
    frame = pd.DataFrame({"n_params": [1, 2, 4, 1, 2, 4], "value": [3.0, 2.0, 1.0, 2.0, 1.0, 0.5],
                          "split": ["test"] * 3 + ["train"] * 3, "metric": "mse", "seed": 0})
    return error_curve(frame, x="n_params", metric="mse", title=title, threshold=2.0)


def test_wrap_keeps_every_word_and_fits_the_width():
    for width in layout.TITLE_WIDTHS:
        lines = layout.wrap(LONG, width)
        assert " ".join(lines) == LONG
        assert all(len(line) * layout.TITLE_CHAR_PX <= width for line in lines)
    assert len(layout.wrap(LONG, 300)) > len(layout.wrap(LONG, 1200)) == 1


def test_finished_chart_has_its_legend_below_and_solid_swatches():
    spec = layout.finish(curve()).to_dict()
    legend = spec["config"]["legend"]
    assert legend["orient"] == "bottom" and legend["direction"] == "horizontal"
    assert legend["symbolOpacity"] == 1
    assert "containerSize()" in legend["columns"]["expr"]
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_title_becomes_lines_chosen_by_the_container_width():
    spec = layout.finish(curve()).to_dict()
    expr = spec["title"]["text"]["expr"]
    for width in layout.TITLE_WIDTHS[1:]:
        assert f">= {width} ?" in expr
    narrow = layout.wrap(LONG, layout.TITLE_WIDTHS[0])
    assert expr.endswith(" : " + layout._literal(narrow))  # below every width offered


def test_titles_of_charts_side_by_side_wrap_for_their_share():
    left, right = curve("a " * 40), curve("b " * 40)
    spec = layout.finish(alt.hconcat(left, right)).to_dict()
    exprs = [part["title"]["text"]["expr"] for part in spec["hconcat"]]
    assert all("* 0.5 >=" in e for e in exprs)


def test_quotes_in_a_title_are_escaped_for_vega():
    spec = layout.finish(curve("the network's test error")).to_dict()
    assert "network\\'s" in spec["title"]["text"]["expr"]


def test_finish_leaves_the_original_chart_alone():
    chart = curve()
    before = chart.to_dict()
    layout.finish(chart)
    assert chart.to_dict() == before and "legend" not in before.get("config", {})


def test_a_chart_without_title_or_legend_is_finished_too():
    frame = pd.DataFrame({"x": [1, 2], "y": [1, 2]})
    spec = layout.finish(alt.Chart(frame).mark_line().encode(x="x", y="y")).to_dict()
    assert "title" not in spec and spec["config"]["legend"]["orient"] == "bottom"


def test_dark_style_lightens_the_palette_ink_except_on_heatmaps():
    css = style.dark_css()
    assert f'[fill="{palette.INK}"]' in css and f'[stroke="{palette.INK}"]' in css
    assert ":not(:has(.mark-rect))" in css and style.DARK_INK in css


def test_a_facet_keeps_its_own_width():
    frame = pd.DataFrame({"x": [1, 2], "y": [1, 2], "row": ["a", "b"]})
    facet = alt.Chart(frame).mark_line().encode(x="x", y="y").properties(width=200).facet(
        row="row:N")
    spec = layout.finish(facet).to_dict()
    assert "autosize" not in spec and spec["config"]["legend"]["orient"] == "bottom"


def test_hyphenated_titles_break_at_spaces_only():
    """'power-law' split as 'power-' / 'law' was drawn 'power- law' once rejoined."""
    from dashboard.ui.labels import title_lines

    text = ("Test error against training set size, median over seeds, with power-law fits "
            "and the inter-quartile band of every seed")
    lines = title_lines(text)
    assert len(lines) > 1 and not any(line.endswith("-") for line in lines)
    assert " ".join(lines) == text
