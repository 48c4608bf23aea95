"""Page style the theme cannot set: headings that fit a phone, and chart ink readable on
the dark theme. Injected once per page run by dashboard/app.py."""
from __future__ import annotations

from dashboard.ui import palette

# A 40 px title takes four lines of a 390 px screen before any content; a phone gets
# smaller headings (the theme's sizes apply from 640 px up).
PHONE_CSS = """<style>
@media (max-width: 640px) {
  [data-testid="stMain"] h1 { font-size: 1.9rem; }
  [data-testid="stMain"] h2 { font-size: 1.45rem; }
  [data-testid="stMain"] h3 { font-size: 1.2rem; }
}
</style>"""

DARK_INK = "#E8EAF0"  # the dark theme's text colour
DARK_GREY = "#A6A6A6"


def dark_css() -> str:
    """Style for the dark theme: chart text and rings drawn in the palette's ink (near
    black, for white paper and exports) are redrawn light. Heatmaps keep their ink: their
    labels sit on light cells."""
    inks = {palette.INK: DARK_INK, "black": DARK_INK, "#000000": DARK_INK,
            palette.THRESHOLD: DARK_GREY}
    rules = []
    for ink, light in inks.items():
        for prop in ("fill", "stroke"):
            rules.append(f'.stVegaLiteChart:not(:has(.mark-rect)) [{prop}="{ink}"] '
                         f"{{ {prop}: {light}; }}")
    return "<style>\n" + "\n".join(rules) + "\n</style>"
