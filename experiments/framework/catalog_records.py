"""The catalog's runs as records and rows: ids, tags, filters and times checked with
one-line errors, and the conversion between a result's provenance, a database row and a
`RunRecord` (see catalog.py for the catalog itself).
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from experiments.framework.catalog_sql import like_pattern
from experiments.framework.provenance import plain

SOURCES = ("cli", "dask", "page")
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
TEXT_MAX = 2000
RUN_ID = re.compile(r"[a-z0-9]{8}")
_TAG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_EXPERIMENT = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class CatalogError(ValueError):
    """A bad id, tag or filter, or a run that cannot be read; the message is one line."""


@dataclass(frozen=True)
class RunRecord:
    id: str
    experiment: str
    params: dict
    seeds: list[int]
    created: str
    author: str
    runtime_s: float
    code_version: str
    source: str
    shipped: bool
    tags: tuple[str, ...]
    note: str
    command: str

    def differs(self, defaults: dict) -> dict:
        """The parameters whose values differ from `defaults` (compared as JSON values)."""
        base = plain(dict(defaults))
        return {k: v for k, v in self.params.items() if k not in base or base[k] != v}

    def to_json(self) -> dict:
        """Every field, JSON-ready (shallow: the record is not mutated by anyone)."""
        return {**{f.name: getattr(self, f.name) for f in fields(self)}, "tags": list(self.tags)}


def shipped_id(experiment: str) -> str:
    """The id of the shipped result of `experiment`: a hash of its name, so links to it
    hold on every machine and across regenerations of the data."""
    number = int.from_bytes(hashlib.sha256(f"shipped/{experiment}".encode()).digest()[:8])
    return "".join(ALPHABET[(number // 36**i) % 36] for i in range(8))


def check_id(run_id) -> str:
    if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        shown = repr(run_id)[:40]
        raise CatalogError(f"bad run id {shown}: expected 8 lowercase letters or digits")
    return run_id


def check_tag(tag) -> str:
    clean = tag.strip().lower() if isinstance(tag, str) else None
    if not clean or not _TAG.fullmatch(clean):
        raise CatalogError(f"bad tag {repr(tag)[:50]}: use 1-40 letters, digits, '.', '_' or "
                           "'-', starting with a letter or digit")
    return clean


def check_text(value, what: str, limit: int = TEXT_MAX) -> str:
    if not isinstance(value, str) or len(value) > limit or _CONTROL.search(value):
        raise CatalogError(f"bad {what}: expected text of at most {limit} characters "
                           "without control characters")
    return value.strip()


def check_experiment(value) -> str:
    if not isinstance(value, str) or not _EXPERIMENT.fullmatch(value):
        raise CatalogError(f"bad experiment {repr(value)[:50]}: expected an experiment id "
                           "such as polynomial")
    return value


def utc_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def moment(value, what: str, end_of_day: bool) -> str:
    """A `since`/`until` bound as catalog time text; a bare date `until` covers that day."""
    if isinstance(value, str):
        try:
            value = (date.fromisoformat(value.strip()) if len(value.strip()) == 10
                     else datetime.fromisoformat(value.strip()))
        except ValueError:
            raise CatalogError(f"bad {what} {value[:40]!r}: expected a date (YYYY-MM-DD) or "
                               "an ISO time (YYYY-MM-DDTHH:MM)") from None
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, date):
        start = datetime(value.year, value.month, value.day, tzinfo=UTC)
        return utc_text(start + timedelta(days=1) if end_of_day else start)
    raise CatalogError(f"bad {what}: expected a date or an ISO time")


def where_clause(experiment=None, tag=None, since=None, until=None, text=None,
                 source=None, shipped=None) -> tuple[str, list]:
    """The checked filters of `Catalog.list` as ` WHERE ...` (or "") and its arguments."""
    where, args = [], []
    if experiment is not None:
        where.append("experiment = ?")
        args.append(check_experiment(experiment))
    if tag is not None:
        where.append("tags LIKE ? ESCAPE '\\'")
        args.append(like_pattern(f" {check_tag(tag)} "))
    if since is not None:
        where.append("created >= ?")
        args.append(moment(since, "since", end_of_day=False))
    if until is not None:
        exclusive = isinstance(until, date) and not isinstance(until, datetime) or (
            isinstance(until, str) and len(until.strip()) == 10)
        where.append("created < ?" if exclusive else "created <= ?")
        args.append(moment(until, "until", end_of_day=True))
    if text is not None and check_text(text, "search text", 200):
        columns = ("id", "experiment", "tags", "note", "author", "command")
        where.append("(" + " OR ".join(f"LOWER({c}) LIKE ? ESCAPE '\\'" for c in columns)
                     + ")")
        args += [like_pattern(text.strip().lower())] * len(columns)
    if source is not None:
        if source not in (*SOURCES, "shipped"):
            raise CatalogError(f"bad source {source!r}: expected one of "
                               f"{', '.join(SOURCES)}, shipped")
        where.append("source = ?")
        args.append(source)
    if shipped is not None:
        where.append("shipped = ?")
        args.append(int(bool(shipped)))
    return (" WHERE " + " AND ".join(where) if where else ""), args


def row_values(run_id: str, provenance: dict, source: str, shipped: bool,
                tags: tuple[str, ...], file: str) -> tuple:
    """A `runs` row (RUN_COLUMNS, then the provenance JSON) from a result's provenance."""
    try:
        created = utc_text(datetime.fromisoformat(str(provenance.get("created"))))
    except ValueError:
        created = utc_text(datetime.now(UTC))
    return (run_id, provenance["experiment"],
            json.dumps(plain(provenance.get("params") or {}), sort_keys=True),
            json.dumps([int(s) for s in provenance.get("seeds") or []]), created,
            str(provenance.get("author") or "unknown"),
            float(provenance.get("runtime_seconds") or 0.0),
            str(provenance.get("code_version") or "unknown"), source, int(shipped),
            " " + "".join(f"{t} " for t in tags), "", str(provenance.get("command") or ""),
            file, json.dumps(plain(provenance), sort_keys=True))


def to_record(row: tuple) -> RunRecord:
    (run_id, experiment, params, seeds, created, author, runtime_s, code_version, source,
     shipped, tags, note, command) = row[:13]
    return RunRecord(run_id, experiment, json.loads(params), json.loads(seeds), created,
                     author, float(runtime_s), code_version, source, bool(shipped),
                     tuple(tags.split()), note, command)
