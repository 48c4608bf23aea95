"""The results catalog: every finished run kept with its result and provenance under a
short stable id, listed, tagged, annotated, exported and removed (contract: issue 16).

SQLite in `$DESCENT_LAB_RESULTS` (default `<repo>/results/`) by default, with each
result as a Parquet file in its `runs/` folder; PostgreSQL when
`$DESCENT_LAB_CATALOG_URL=postgresql://...` (catalog_sql.py holds the differences).
A save writes the result first and lists the run in one transaction after, so a process
killed at any moment leaves no half run listed; a result file whose run never got listed
is removed by a later open. The shipped `data/*.parquet` appear as read-only runs whose
ids derive from their file names, the same on every machine. Nothing is unpickled.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from pathlib import Path

from experiments.framework.catalog_sql import RUN_COLUMNS, Database, DatabaseError, like_pattern
from experiments.framework.catalog_sql import reason as db_reason
from experiments.framework.provenance import ROOT, Result, plain

SOURCES = ("cli", "dask", "page")
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
ORPHAN_GRACE_S = 600.0  # a save lists its run milliseconds after writing the file
TEXT_MAX = 2000
_ID = re.compile(r"[a-z0-9]{8}")
_TAG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_EXPERIMENT = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_INSERT = (f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}, provenance) "
           f"VALUES ({', '.join('?' * (len(RUN_COLUMNS) + 1))})")
_SELECT = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"


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
    if not isinstance(run_id, str) or not _ID.fullmatch(run_id):
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


def _moment(value, what: str, end_of_day: bool) -> str:
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


def _guarded(method):
    """Database failures during an operation become one-line CatalogErrors."""
    @wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (*self._db.errors, DatabaseError) as err:
            raise CatalogError(f"catalog at {self.where}: {db_reason(err)}") from None
    return call


def open_catalog(url: str | None = None, *, folder: Path | None = None,
                 data_dir: Path | None = None) -> Catalog:
    """The catalog: PostgreSQL at `url` or `$DESCENT_LAB_CATALOG_URL`, else SQLite in
    `folder` or `$DESCENT_LAB_RESULTS` or `<repo>/results/`. `data_dir`: the shipped
    results (default `<repo>/data`)."""
    url = url or os.environ.get("DESCENT_LAB_CATALOG_URL") or None
    data_dir = Path(data_dir) if data_dir is not None else ROOT / "data"
    try:
        if url:
            if not url.startswith(("postgresql://", "postgres://")):
                raise CatalogError("the catalog URL must start with postgresql:// "
                                   f"(got {url.split(':', 1)[0]!r})")
            return Catalog(Database(url=url), None, data_dir)
        folder = Path(folder or os.environ.get("DESCENT_LAB_RESULTS") or ROOT / "results")
        try:
            (folder / "runs").mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise CatalogError(f"cannot use {folder} for results ({err.strerror or err})") \
                from None
        return Catalog(Database(path=folder / "catalog.sqlite"), folder / "runs", data_dir)
    except DatabaseError as err:
        raise CatalogError(str(err)) from None


class Catalog:
    """Runs in a database; results as files in `runs_dir` (SQLite) or in the database."""

    def __init__(self, db: Database, runs_dir: Path | None, data_dir: Path):
        self._db, self._runs_dir, self._data_dir = db, runs_dir, data_dir
        self.where = db.where
        self._register_shipped()
        self._clean_orphans()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # -- reading ---------------------------------------------------------------------

    @_guarded
    def list(self, *, experiment=None, tag=None, since=None, until=None, text=None,
             shipped: bool | None = None, limit: int | None = None,
             source: str | None = None) -> list[RunRecord]:
        """Runs matching every filter given, newest first. `text` searches id,
        experiment, tags, note, author and command, ignoring case."""
        where, args = [], []
        if experiment is not None:
            where.append("experiment = ?")
            args.append(check_experiment(experiment))
        if tag is not None:
            where.append("tags LIKE ? ESCAPE '\\'")
            args.append(like_pattern(f" {check_tag(tag)} "))
        if since is not None:
            where.append("created >= ?")
            args.append(_moment(since, "since", end_of_day=False))
        if until is not None:
            exclusive = isinstance(until, date) and not isinstance(until, datetime) or (
                isinstance(until, str) and len(until.strip()) == 10)
            where.append("created < ?" if exclusive else "created <= ?")
            args.append(_moment(until, "until", end_of_day=True))
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
        sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created DESC, id DESC"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise CatalogError(f"bad limit {limit!r}: expected a whole number above 0")
            sql += " LIMIT ?"
            args.append(limit)
        return [_record(row) for row in self._db.execute(sql, args)]

    def get(self, run_id: str) -> RunRecord:
        return _record(self._row(run_id))

    @_guarded
    def provenance(self, run_id: str) -> dict:
        """The full provenance recorded with the run (packages, platform, ...)."""
        self._row(run_id)
        (text,), = self._db.execute("SELECT provenance FROM runs WHERE id = ?", (run_id,))
        return json.loads(text)

    @_guarded
    def load(self, run_id: str) -> Result:
        from experiments.framework import store

        row = self._row(run_id)
        record = _record(row)
        if record.shipped:
            try:
                return store.read_table(self._data_dir / f"{record.experiment}.parquet",
                                        record.experiment)
            except store.StoreError as err:
                raise CatalogError(f"run {run_id} (shipped {record.experiment}): {err}") \
                    from None
        fix = (f"rerun it ({record.command}) or remove it "
               f"(python -m experiments runs rm {run_id})")
        if self._runs_dir is not None:
            path = self._runs_dir / row[-1]
            label = f"result file {path}"
            try:
                data = path.read_bytes()
            except OSError as err:
                state = "missing" if isinstance(err, FileNotFoundError) else "unreadable"
                raise CatalogError(f"run {run_id}: its {label} is {state}; {fix}") from None
        else:
            label = "stored result"
            found = self._db.execute("SELECT data FROM results WHERE id = ?", (run_id,))
            if not found:
                raise CatalogError(f"run {run_id}: its {label} is missing; {fix}")
            data = bytes(found[0][0])
        try:
            return store.read_bytes(data, f"its {label}", record.experiment)
        except store.StoreError as err:
            raise CatalogError(f"run {run_id}: {err}; {fix}") from None

    # -- writing ---------------------------------------------------------------------

    @_guarded
    def save(self, result: Result, *, source: str, author: str | None = None,
             tags: Iterable[str] = ()) -> RunRecord:
        from experiments.framework import store
        from experiments.framework.schema import SchemaError

        if source not in SOURCES:
            raise CatalogError(f"bad source {source!r}: expected one of {', '.join(SOURCES)}")
        tags = tuple(dict.fromkeys(check_tag(t) for t in tags))
        frame, provenance = result
        provenance = dict(provenance)
        check_experiment(provenance.get("experiment"))
        if author is not None:
            provenance["author"] = check_text(author, "author", 100) or "unknown"
        run_id = "".join(secrets.choice(ALPHABET) for _ in range(8))
        provenance["run_id"] = run_id
        row = _row_values(run_id, provenance, source, False, tags, f"{run_id}.parquet")
        try:
            if self._runs_dir is not None:
                path = self._runs_dir / row[-2]
                store.write_table(frame, path, provenance)
            else:
                data = store.table_bytes(frame, provenance)
        except SchemaError as err:
            raise CatalogError(f"cannot save this result: {err}") from None
        try:
            with self._db.transaction():
                self._db.execute(_INSERT, row)
                if self._runs_dir is None:
                    self._db.execute("INSERT INTO results (id, data) VALUES (?, ?)",
                                     (run_id, data))
        except BaseException:
            if self._runs_dir is not None:
                path.unlink(missing_ok=True)
            raise
        return _record(row[:-1])

    @_guarded
    def tag(self, run_id: str, tag: str) -> None:
        tag = check_tag(tag)
        self._row(run_id)
        self._db.execute("UPDATE runs SET tags = tags || ? || ' ' "
                         "WHERE id = ? AND tags NOT LIKE ? ESCAPE '\\'",
                         (tag, run_id, like_pattern(f" {tag} ")))

    @_guarded
    def untag(self, run_id: str, tag: str) -> None:
        tag = check_tag(tag)
        self._row(run_id)
        self._db.execute("UPDATE runs SET tags = REPLACE(tags, ?, ' ') WHERE id = ?",
                         (f" {tag} ", run_id))

    @_guarded
    def note(self, run_id: str, text: str) -> None:
        text = check_text(text.replace("\n", " ") if isinstance(text, str) else text, "note")
        self._row(run_id)
        self._db.execute("UPDATE runs SET note = ? WHERE id = ?", (text, run_id))

    @_guarded
    def remove(self, run_id: str) -> None:
        row = self._row(run_id)
        if row[RUN_COLUMNS.index("shipped")]:
            raise CatalogError(f"run {run_id} is the shipped {row[1]} result: shipped runs "
                               "are read-only and cannot be removed")
        self._delete([run_id])

    @_guarded
    def prune_source(self, source: str, keep: int) -> list[str]:
        """Remove all but the newest `keep` runs saved from `source`; returns their ids."""
        if source not in SOURCES:
            raise CatalogError(f"bad source {source!r}: expected one of {', '.join(SOURCES)}")
        if isinstance(keep, bool) or not isinstance(keep, int) or keep < 0:
            raise CatalogError(f"bad keep {keep!r}: expected a whole number, 0 or more")
        ids = [r[0] for r in self._db.execute(
            "SELECT id FROM runs WHERE source = ? AND shipped = 0 "
            "ORDER BY created DESC, id DESC", (source,))]
        self._delete(ids[keep:])
        return ids[keep:]

    def export(self, run_id: str, out: Path) -> Path:
        """Write the run's result to `out` (.parquet with provenance, or .csv), atomically."""
        from experiments.framework import store

        out = Path(out)
        if out.suffix not in (".parquet", ".csv"):
            raise CatalogError(f"bad export file {out.name!r}: it must end in .parquet or .csv")
        frame, provenance = self.load(run_id)
        try:
            store.check_output(out)
            if out.suffix == ".csv":
                store.write_csv(frame, out)
            else:
                store.write_table(frame, out, provenance)
        except (store.StoreError, OSError) as err:
            raise CatalogError(f"cannot export to {out}: {err}") from None
        return out

    # -- internals -------------------------------------------------------------------

    @_guarded
    def _row(self, run_id: str) -> tuple:
        found = self._db.execute(_SELECT + " WHERE id = ?", (check_id(run_id),))
        if not found:
            raise CatalogError(f"no run {run_id} in the catalog at {self.where}")
        return found[0]

    def _delete(self, ids: list[str]) -> None:
        """Unlist first, then delete the files: a kill in between leaves only orphans."""
        if not ids:
            return
        with self._db.transaction():
            self._db.executemany("DELETE FROM results WHERE id = ?", [(i,) for i in ids])
            self._db.executemany("DELETE FROM runs WHERE id = ? AND shipped = 0",
                                 [(i,) for i in ids])
        if self._runs_dir is not None:
            for run_id in ids:
                (self._runs_dir / f"{run_id}.parquet").unlink(missing_ok=True)

    def _insert_many(self, rows: list[tuple]) -> None:
        """Bulk listing of prepared rows (`_row_values`), for benchmarks and imports."""
        with self._db.transaction():
            self._db.executemany(_INSERT, rows)

    @_guarded
    def _register_shipped(self) -> None:
        """List (or refresh) every shipped result from its JSON sidecar: reading a dozen
        small JSON files keeps opening the catalog cheap."""
        listed = dict(self._db.execute("SELECT id, provenance FROM runs WHERE shipped = 1"))
        rows = []
        for sidecar in sorted(self._data_dir.glob("*.json")):
            parquet = sidecar.with_suffix(".parquet")
            try:
                text = sidecar.read_text()
                provenance = json.loads(text)
            except (OSError, ValueError):
                continue
            if provenance.get("experiment") != sidecar.stem or not parquet.exists():
                continue
            run_id = shipped_id(sidecar.stem)
            if listed.get(run_id) != json.dumps(provenance, sort_keys=True):
                rows.append(_row_values(run_id, provenance, "shipped", True, (), parquet.name))
        if rows:
            refreshed = ", ".join(f"{c} = excluded.{c}" for c in RUN_COLUMNS
                                  if c not in ("id", "tags", "note"))
            with self._db.transaction():
                self._db.executemany(f"{_INSERT} ON CONFLICT (id) DO UPDATE SET {refreshed}, "
                                     "provenance = excluded.provenance", rows)

    @_guarded
    def _clean_orphans(self) -> None:
        """Remove result files whose save was killed before its run was listed, and the
        temp files of killed writes (their writers are dead)."""
        if self._runs_dir is None:
            return
        listed = {r[0] for r in self._db.execute("SELECT id FROM runs WHERE shipped = 0")}
        cutoff = time.time() - ORPHAN_GRACE_S
        temps = False
        with os.scandir(self._runs_dir) as entries:
            for entry in entries:
                stem = entry.name.removesuffix(".parquet")
                temps = temps or entry.name.endswith(".tmp")
                if (entry.name.endswith(".parquet") and _ID.fullmatch(stem)
                        and stem not in listed and entry.stat().st_mtime < cutoff):
                    Path(entry.path).unlink(missing_ok=True)
        if temps:  # rare: the store (and pyarrow) only then
            from experiments.framework.store import clean_stale_temps

            clean_stale_temps(self._runs_dir)


def _row_values(run_id: str, provenance: dict, source: str, shipped: bool,
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


def _record(row: tuple) -> RunRecord:
    (run_id, experiment, params, seeds, created, author, runtime_s, code_version, source,
     shipped, tags, note, command) = row[:13]
    return RunRecord(run_id, experiment, json.loads(params), json.loads(seeds), created,
                     author, float(runtime_s), code_version, source, bool(shipped),
                     tuple(tags.split()), note, command)
