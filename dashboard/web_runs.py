"""Whether runs made on the pages are kept in the catalog: the `DESCENT_LAB_WEB_RUNS`
setting, `all` on a team server, `off`, or a whole number N (keep only the newest N page
runs; the default, 20, so a public demo cannot fill its disk).

A run that cannot be saved is still shown: saving is reported in the log and the page
simply shows no run id.
"""
from __future__ import annotations

import logging
import os

from experiments.framework.provenance import Result

SETTING = "DESCENT_LAB_WEB_RUNS"
DEFAULT_KEEP = 20
SOURCE = "page"
VISITOR = "visitor"  # who ran it, on a bounded (public) server: nobody we know
log = logging.getLogger(__name__)


def keep(raw: str | None = None) -> int | None:
    """How many page runs to keep: None for all, 0 for none. A value that is none of
    `all`, `off` or a whole number falls back to the default, with a log line."""
    raw = os.environ.get(SETTING) if raw is None else raw
    text = (raw or "").strip().lower()
    if not text:
        return DEFAULT_KEEP
    if text == "all":
        return None
    if text == "off":
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        log.warning("%s=%r is not all, off or a whole number; keeping the newest %d page runs",
                    SETTING, raw, DEFAULT_KEEP)
        return DEFAULT_KEEP
    return value


def save(result: Result) -> str | None:
    """Catalogue a finished page run as the setting says; its run id, or None."""
    limit = keep()
    if limit == 0:
        return None
    from dashboard.catalog_view import catalog  # imported here: catalog_view imports data
    from experiments.framework.catalog import CatalogError

    try:
        record = catalog().save(result, source=SOURCE,
                                author=None if limit is None else VISITOR)
        if limit is not None:
            catalog().prune_source(SOURCE, limit)
    except (CatalogError, OSError) as err:
        log.warning("a page run was not saved to the catalog: %s", err)
        return None
    return record.id
