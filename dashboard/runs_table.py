"""Catalogued runs shaped for the Runs view and the Explorer overlay (pure: no streamlit).

`runs_frame` turns catalog records into the table the Runs view shows, one row per run
with what differs from the experiment's defaults, named as the settings form names it;
`filter_runs` narrows it. For the overlay, `overlay_frame` stacks several runs of one
experiment into one tidy frame with a `run` column naming each run by the settings that
tell the runs apart, so the Explorer's chart can colour by it.
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import pandas as pd

from dashboard.ui import labels
from experiments.framework.provenance import plain

RUN = "run"  # the overlay's colour column
MAX_OVERLAY = 8  # runs on one chart: more lines than a legend can tell apart
COLUMNS = ("id", "open", "title", "experiment", "settings", "seeds", "created", "author",
           "runtime_s", "tags", "source", "note", "params")


class OverlayError(ValueError):
    """The chosen runs cannot share one chart; the message says why, in one line."""


def value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(value_text(v) for v in value)
    return str(value)


def settings_text(params: Mapping) -> str:
    """`name=value, ...` in the parameters' order, as a link or the CLI writes them;
    "defaults" when there is nothing."""
    return ", ".join(f"{k}={value_text(v)}" for k, v in params.items()) or "defaults"


def shown_value(value) -> str:
    """A setting's value as the settings form reads it: on/off, 0.001, "0.1, 2", RBF SVM."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(shown_value(v) for v in value)
    return str(labels.value(value))


def settings_shown(experiment: str, params: Mapping) -> str:
    """`Label: value; ...` with the settings form's labels ("Training points: 20");
    "defaults" when there is nothing. Semicolons: a list value has commas of its own."""
    return "; ".join(f"{labels.setting(experiment, k)}: {shown_value(v)}"
                     for k, v in params.items()) or "defaults"


def seeds_text(seeds: Sequence[int]) -> str:
    """`5 (0-4)` for the usual seeds 0..K-1, else the count and the first few seeds."""
    n = len(seeds)
    if n == 0:
        return "0"
    if list(seeds) == list(range(n)):
        return f"{n} (0-{n - 1})" if n > 1 else "1 (0)"
    shown = ", ".join(map(str, seeds[:4])) + (", ..." if n > 4 else "")
    return f"{n} ({shown})"


def run_link(record) -> str:
    """The run's experiment page showing that run, relative (works wherever the app is
    mounted)."""
    return f"{record.experiment}?catalog_run={record.id}"


def differing(record, defaults: Mapping[str, Mapping]) -> dict:
    """The run's parameters that differ from its experiment's defaults; every parameter
    when the experiment is no longer known here. `defaults` holds JSON-plain values
    (`plain_defaults`): the comparison RunRecord.differs makes, without converting the
    defaults again for each of thousands of rows."""
    known = defaults.get(record.experiment)
    if known is None:
        return dict(record.params)
    return {k: v for k, v in record.params.items() if k not in known or known[k] != v}


def plain_defaults(defaults: Mapping[str, Mapping]) -> dict[str, dict]:
    return {i: plain(dict(d)) for i, d in defaults.items()}


def when_text(created: str) -> str:
    """`YYYY-MM-DD HH:MM` of the catalog's UTC ISO time: sorts as the time does."""
    return created[:16].replace("T", " ")


def runs_frame(records: Sequence, defaults: Mapping[str, Mapping],
               titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per record, newest first as given; `defaults` maps experiment id to its
    default parameters, `titles` to the name readers know it by (column `title`; the id
    when it has none), while `experiment` keeps the id for filtering. Built column by
    column: the view's first render with 10,000 runs must stay well under a second."""
    base = plain_defaults(defaults)
    titles = titles or {}
    return pd.DataFrame({
        "id": [r.id for r in records],
        "open": [run_link(r) for r in records],
        "title": [titles.get(r.experiment, r.experiment) for r in records],
        "experiment": [r.experiment for r in records],
        "settings": [settings_shown(r.experiment, differing(r, base)) for r in records],
        "params": [settings_text(differing(r, base)) for r in records],
        "seeds": [seeds_text(r.seeds) for r in records],
        "created": [when_text(r.created) for r in records],
        "author": [r.author for r in records],
        "runtime_s": pd.Series([r.runtime_s for r in records], dtype="float64"),
        "tags": [", ".join(r.tags) for r in records],
        "source": [r.source for r in records],
        "note": [r.note for r in records],
    }, columns=list(COLUMNS))


def filter_runs(frame: pd.DataFrame, *, text: str = "", experiments: Sequence[str] = (),
                tags: Sequence[str] = (), sources: Sequence[str] = (),
                since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """Rows matching every filter given: `text` (case-insensitive, in id, experiment id
    or title, settings (as the form labels them or as a link writes them: "max_degree=40"),
    tags, note or author), any of `experiments` (ids), all of `tags`, any of
    `sources`, created on or after `since` and on or before `until` (whole days, UTC)."""
    if frame.empty:  # its columns have no text type to filter on
        return frame
    keep = pd.Series(True, index=frame.index)
    needle = text.strip().lower()
    if needle:
        haystack = frame["id"].str.cat(
            [frame[c] for c in ("title", "experiment", "settings", "params", "tags", "note",
                                "author")],
            sep=" ").str.lower()
        keep &= haystack.str.contains(needle, regex=False)
    if experiments:
        keep &= frame["experiment"].isin(experiments)
    for tag in tags:
        keep &= frame["tags"].map(lambda t, tag=tag: tag in t.split(", "))
    if sources:
        keep &= frame["source"].isin(sources)
    if since is not None:
        keep &= frame["created"] >= since.isoformat()
    if until is not None:
        keep &= frame["created"] < (until + timedelta(days=1)).isoformat()
    return frame[keep]


def tag_options(frame: pd.DataFrame) -> list[str]:
    return sorted({t for tags in frame["tags"] for t in tags.split(", ") if t})


def selection_key(ids: Iterable[str]) -> str:
    """A table widget key that changes with the rows shown: a selection is kept by row
    position, so rows that move (a filter, a delete) must not inherit it."""
    return f"runs.table.{zlib.crc32(','.join(ids).encode()):08x}"


def split_ids(raw: str | None) -> list[str]:
    """Run ids from a comma-separated link value, stripped and without repeats."""
    if not raw:
        return []
    return list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))


def check_overlay(records: Sequence) -> None:
    """Raise OverlayError unless `records` can share one chart."""
    if len(records) < 2:
        raise OverlayError("pick at least two runs to overlay")
    if len(records) > MAX_OVERLAY:
        raise OverlayError(f"{len(records)} runs picked; one chart overlays at most "
                           f"{MAX_OVERLAY}")
    kinds = sorted({r.experiment for r in records})
    if len(kinds) > 1:
        raise OverlayError(f"the runs come from {len(kinds)} experiments ({', '.join(kinds)}); "
                           "only runs of one experiment share axes and metrics")


def run_labels(records: Sequence) -> dict[str, str]:
    """Run id -> label made of the settings that differ between the runs (seeds
    included), with the id added where that leaves two runs looking alike."""
    keys = list(dict.fromkeys(k for r in records for k in r.params))
    varying = [k for k in keys if len({value_text(r.params.get(k)) for r in records}) > 1]
    seeds = len({tuple(r.seeds) for r in records}) > 1
    labels = {}
    for r in records:
        parts = [f"{k}={value_text(r.params.get(k))}" for k in varying]
        parts += [f"seeds={seeds_text(r.seeds)}"] if seeds else []
        labels[r.id] = ", ".join(parts)
    counts = pd.Series(list(labels.values())).value_counts()
    return {i: label if label and counts[label] == 1 else f"{label} [{i}]" if label else i
            for i, label in labels.items()}


def overlay_frame(runs: Sequence[tuple]) -> pd.DataFrame:
    """(record, frame) pairs -> one tidy frame with a `run` column (see `run_labels`)."""
    records = [r for r, _ in runs]
    check_overlay(records)
    labels = run_labels(records)
    return pd.concat([frame.assign(**{RUN: labels[r.id]}) for r, frame in runs],
                     ignore_index=True)

