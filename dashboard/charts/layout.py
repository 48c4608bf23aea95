"""How every chart fits its box, from a 390 px phone to a wide desktop: legends below the
plot (a legend beside a plot takes half a phone's width), titles broken into lines that
fit the width the browser gives the chart, and no text cut with "...".

Vega knows the width of the chart's box only in the browser, so titles and legend columns
are Vega expressions of `containerSize()`; without a container (the server-side PNG and
SVG export) they fall back to DESKTOP_WIDTH. Pure functions, tested through `to_dict()`.
"""
from __future__ import annotations

import textwrap

import altair as alt

DESKTOP_WIDTH = 900  # px assumed when there is no browser container (exports)
TITLE_CHAR_PX = 8.5  # width of an average character of a chart title (13 px bold)
TITLE_WIDTHS = (300, 360, 460, 600, 760, 940, 1200)  # title layouts offered, in px
LEGEND_COLUMN_PX = 190  # a swatch and ~28 characters: one column on a phone, four on a desktop
LEGEND_INSET = 60  # px: a bottom legend starts under the plot, right of the y axis
WIDTH = f"(containerSize()[0] || {DESKTOP_WIDTH})"
_NESTED = ("layer", "hconcat", "vconcat", "concat")


def wrap(text: str, width_px: float) -> list[str]:
    """`text` broken at spaces into lines of at most width_px (estimated)."""
    return textwrap.wrap(text, max(12, int(width_px / TITLE_CHAR_PX)),
                         break_long_words=False, break_on_hyphens=False) or [text]


def _literal(lines: list[str]) -> str:
    quoted = ", ".join("'" + line.replace("\\", "\\\\").replace("'", "\\'") + "'"
                       for line in lines)
    return f"[{quoted}]"


def title_expr(text: str, share: float = 1.0) -> alt.ExprRef:
    """The title as lines that fit the chart's box, which holds `share` of the container
    (1/k for k charts side by side): the widest offered layout that is not wider."""
    expr = _literal(wrap(text, TITLE_WIDTHS[0]))
    for width in TITLE_WIDTHS[1:]:
        expr = f"{WIDTH} * {share:g} >= {width} ? {_literal(wrap(text, width))} : {expr}"
    return alt.ExprRef(expr)


def _title_text(title) -> str | None:
    if isinstance(title, str):
        return title or None
    if isinstance(title, (list, tuple)) and all(isinstance(t, str) for t in title):
        return " ".join(title) or None
    return None


def _wrap_titles(chart, share: float) -> None:
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, alt.TitleParams):
        text = _title_text(title.text)
        if text is not None:
            title.text = title_expr(text, share)
    elif title is not alt.Undefined:
        text = _title_text(title)
        if text is not None:
            chart.title = alt.TitleParams(text=title_expr(text, share), anchor="start")
    for name in _NESTED:
        parts = getattr(chart, name, None) or []
        inner = share / len(parts) if name == "hconcat" and parts else share
        for part in parts:
            _wrap_titles(part, inner)
    spec = getattr(chart, "spec", None)
    if isinstance(spec, alt.SchemaBase):
        _wrap_titles(spec, share)


def finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A copy of `chart` laid out for any screen: wrapped titles, legend below the plot in
    as many columns as fit, labels given their column's width instead of a fixed limit."""
    return lay_out(chart.copy(deep=True))


def lay_out(out: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """`finish` done on `out` itself, for a chart nothing else holds (a builder's fresh
    result): copying a layered chart costs more than laying it out."""
    _wrap_titles(out, 1.0)
    room = f"({WIDTH} - {LEGEND_INSET})"
    columns = f"max(1, floor({room} / {LEGEND_COLUMN_PX}))"
    # Set on this one copy what configure_legend, configure_title and properties would
    # set: each of those copies the whole chart again, and a layered chart re-merges its
    # layers' parameters on every copy (most of the cost of drawing a chart).
    if out.config is alt.Undefined:
        out.config = alt.Config()
    out.config["legend"] = alt.LegendConfig(
        orient="bottom", direction="horizontal", columns=alt.ExprRef(columns),
        labelLimit=alt.ExprRef(f"{room} / {columns} - 28"), symbolOpacity=1,
        titleLimit=alt.ExprRef(room), gradientLength=alt.ExprRef(f"min(240, {room})"))
    out.config["title"] = alt.TitleConfig(anchor="start")
    if isinstance(out, (alt.Chart, alt.LayerChart)):
        # the height is the plot's: the legend below adds to it instead of squashing the
        # data. (Vega cannot fit a facet or a concatenation to a width: those keep theirs.)
        out.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
    return out
