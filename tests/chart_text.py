"""What a reader reads in a chart, checked on its Vega-Lite spec: every title (chart, axis,
legend, tooltip; a field without one is titled by its raw name), every nominal value a
legend lists, and every legend's swatch opacity."""
from __future__ import annotations

from collections.abc import Iterable

from dashboard.ui.labels import SNAKE

LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "strokeDash", "size")
TITLED_CHANNELS = ("x", "y", "row", "column", "facet", *LEGEND_CHANNELS)
LONGEST_TITLE_LINE = 70  # characters: longer lines are cut with "..." in a half-width column


def _lines(title) -> list[str]:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, str):
        return [title]
    return [str(t) for t in title or []]


def _walk(node) -> Iterable[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _encoding_problems(encoding: dict) -> tuple[list[str], list[str]]:
    """(problems, nominal legend fields) of one encoding block."""
    problems, nominal = [], []
    for channel, enc in encoding.items():
        items = enc if isinstance(enc, list) else [enc]
        for item in items:
            if not isinstance(item, dict) or "field" not in item:
                continue
            field = item["field"] if isinstance(item["field"], str) else ""
            titled = channel == "tooltip" or channel in TITLED_CHANNELS
            if titled and "title" not in item and SNAKE.search(field):
                problems.append(f"{channel} titled by its field {field!r}")
            elif titled and channel != "tooltip" and "title" in item:
                problems.append(f"{channel} has a title")
            if (channel in LEGEND_CHANNELS and item.get("legend", {}) is not None
                    and item.get("type") in ("nominal", "ordinal")):
                opacity = (item.get("legend") or {}).get("symbolOpacity")
                if opacity is None or opacity < 1:
                    problems.append(f"{channel} legend of {field!r}: symbolOpacity {opacity}")
                nominal.append(field)
    return problems, nominal


def problems(spec: dict, rows: Iterable[dict] = ()) -> list[str]:
    """Everything a reader would see as raw code, cut or faint in this chart; `rows` are
    the chart's data rows where they are not inside the spec (Streamlit sends them apart)."""
    found, nominal = [], set()
    for node in _walk(spec):
        if "title" in node and not isinstance(node.get("title"), bool):
            for line in _lines(node["title"]):
                if SNAKE.search(line):
                    found.append(f"title {line!r}")
                if len(line) > LONGEST_TITLE_LINE:
                    found.append(f"title line of {len(line)} characters: {line[:40]!r}...")
        if isinstance(node.get("encoding"), dict):
            more, fields = _encoding_problems(node["encoding"])
            found += more
            nominal.update(fields)
    # Layers share their axes: one layer's explicit title names the axis for all of them.
    titled = {f.split(" ")[0] for f in found if f.endswith(" has a title")}
    found = [f for f in found if not f.endswith(" has a title") and not (
        f.split(" ")[0] in titled and f.split(" ")[0] in ("x", "y", "row", "column"))]
    datasets = [row for data in (spec.get("datasets") or {}).values() for row in data]
    for row in [*datasets, *rows]:
        for field in nominal & set(row):
            if isinstance(row[field], str) and SNAKE.search(row[field]):
                found.append(f"legend value {row[field]!r} of {field!r}")
    return sorted(set(found))
