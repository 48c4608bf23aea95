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

import json
import os
import secrets
import time
from collections.abc import Iterable
from functools import wraps
from pathlib import Path

from experiments.framework.catalog_records import (
    ALPHABET,
    RUN_ID,
    SOURCES,
    CatalogError,
    RunRecord,
    check_experiment,
    check_id,
    check_tag,
    check_text,
    row_values,
    shipped_id,
    to_record,
    where_clause,
)
from experiments.framework.catalog_sql import RUN_COLUMNS, Database, DatabaseError, like_pattern
from experiments.framework.catalog_sql import reason as db_reason
from experiments.framework.provenance import ROOT, Result

ORPHAN_GRACE_S = 600.0  # a save lists its run milliseconds after writing the file
_INSERT = (f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}, provenance) "
           f"VALUES ({', '.join('?' * (len(RUN_COLUMNS) + 1))})")
_SELECT = f"SELECT {', '.join(RUN_COLUMNS)} FROM runs"


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
        where, args = where_clause(experiment, tag, since, until, text, source, shipped)
        sql = _SELECT + where + " ORDER BY created DESC, id DESC"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise CatalogError(f"bad limit {limit!r}: expected a whole number above 0")
            sql += " LIMIT ?"
            args.append(limit)
        return [to_record(row) for row in self._db.execute(sql, args)]

    def get(self, run_id: str) -> RunRecord:
        return to_record(self._row(run_id))

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
        record = to_record(row)
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
        row = row_values(run_id, provenance, source, False, tags, f"{run_id}.parquet")
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
        return to_record(row[:-1])

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
                rows.append(row_values(run_id, provenance, "shipped", True, (), parquet.name))
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
                if (entry.name.endswith(".parquet") and RUN_ID.fullmatch(stem)
                        and stem not in listed and entry.stat().st_mtime < cutoff):
                    Path(entry.path).unlink(missing_ok=True)
        if temps:  # rare: the store (and pyarrow) only then
            from experiments.framework.store import clean_stale_temps

            clean_stale_temps(self._runs_dir)
