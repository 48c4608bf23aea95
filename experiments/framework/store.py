"""Result store: `data/<id>.parquet` plus a human-readable `data/<id>.json` sidecar.

The Parquet file is the source of truth and carries its own provenance in the file's
key-value metadata, so one atomic rename publishes data and provenance together: a
run killed at any moment leaves either the old file or the new one, never half of
either. Reads go through pyarrow only (no pickle anywhere). Temp files carry the
writer's process id, so the next write into a folder removes those of writers that
died (a killed run), and never those of one still running.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from experiments.framework.params import ParamError
from experiments.framework.provenance import ROOT, Result
from experiments.framework.schema import SCHEMA_VERSION, SchemaError, check_tidy
from experiments.framework.wording import plural

DATA_DIR = ROOT / "data"
PROVENANCE_KEY = b"descent_lab.provenance"


class StoreError(RuntimeError):
    """A result file is missing or unreadable; the message names the file and the fix."""


def check_output(path: Path) -> None:
    """Fail now, with the fix, if a result cannot be written to `path` later (an
    existing folder at that name, or see `check_folder`)."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} is a folder; name a file inside it instead")
    check_folder(path.parent)


def check_folder(folder: Path) -> None:
    """Fail now if results cannot be written into `folder`: it is missing (none is
    created silently) or this process cannot write there (probed, so read-only mounts
    count too). Clears temp files that killed runs left there."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StoreError(f"folder {folder} does not exist; create it first")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".probe.{os.getpid()}-", suffix=".tmp", dir=folder)
    except OSError as err:
        raise StoreError(f"cannot write in {folder} ({err.strerror or err})") from None
    os.close(fd)
    os.unlink(probe)
    clean_stale_temps(folder)


# `.<file>.<pid>-<mkstemp's 8 characters>.tmp`, only for the kinds of file written here.
_TEMP = re.compile(r"^\..+\.(?:parquet|csv|json)\.(?:(?P<pid>\d+)-)?[a-z0-9_]{8}\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temp files left in `folder` by writers that were killed; return them.
    Names without a process id come from before ids were recorded: always stale."""
    removed = []
    for path in Path(folder).glob(".*.tmp"):
        match = _TEMP.match(path.name)
        if match and not (match["pid"] and _alive(int(match["pid"]))):
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
    return removed


def _atomic_write(path: Path, write) -> None:
    """Write via a temp file in the same folder, fsync, then rename over `path`."""
    path = Path(path)
    if not path.parent.is_dir():
        raise StoreError(f"folder {path.parent} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp",
                               dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; results are meant to be shared
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def paths(experiment: str, data_dir: Path | None = None) -> tuple[Path, Path]:
    base = Path(data_dir) if data_dir is not None else DATA_DIR
    return base / f"{experiment}.parquet", base / f"{experiment}.json"


def _arrow_table(frame: pd.DataFrame, provenance: dict) -> pa.Table:
    frame = check_tidy(frame, provenance.get("experiment"))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[PROVENANCE_KEY] = json.dumps(provenance).encode()
    return table.replace_schema_metadata(meta)


def write_table(frame: pd.DataFrame, path: Path, provenance: dict) -> None:
    """Atomically write a checked tidy frame to Parquet with provenance in its metadata."""
    table = _arrow_table(frame, provenance)
    _atomic_write(Path(path), lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def table_bytes(frame: pd.DataFrame, provenance: dict) -> bytes:
    """The bytes `write_table` would write, for a result kept in a database instead."""
    sink = pa.BufferOutputStream()
    pq.write_table(_arrow_table(frame, provenance), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Atomically write a checked tidy frame as CSV (no provenance: CSV has no place for it)."""
    frame = check_tidy(frame)
    _atomic_write(Path(path), lambda tmp: frame.to_csv(tmp, index=False))


def _write_sidecar(json_path: Path, provenance: dict) -> None:
    text = json.dumps(provenance, indent=2, sort_keys=True) + "\n"
    _atomic_write(json_path, lambda tmp: Path(tmp).write_text(text))


def save(frame: pd.DataFrame, provenance: dict, data_dir: Path | None = None) -> Path:
    parquet_path, json_path = paths(provenance["experiment"], data_dir)
    write_table(frame, parquet_path, provenance)
    _write_sidecar(json_path, provenance)
    return parquet_path


def sync_sidecars(data_dir: Path | None = None) -> list[Path]:
    """Rewrite every `<id>.json` that no longer mirrors its Parquet file's provenance
    (a run killed between the two renames of `save`); return the rewritten paths.
    The Parquet file is the source of truth; unreadable ones are left for `load`."""
    fixed = []
    for parquet_path in sorted(Path(data_dir or DATA_DIR).glob("*.parquet")):
        try:
            meta = pq.read_schema(parquet_path).metadata or {}
            provenance = json.loads(meta[PROVENANCE_KEY])
        except (OSError, ValueError, KeyError, pa.ArrowException):
            continue
        json_path = parquet_path.with_suffix(".json")
        try:
            current = json.loads(json_path.read_text())
        except (OSError, ValueError):
            current = None
        if current != provenance:
            _write_sidecar(json_path, provenance)
            fixed.append(json_path)
    return fixed


def read_table(path: Path, experiment: str | None = None,
               columns: Sequence[str] = ()) -> Result:
    """Read and check a result file; any failure becomes a StoreError that says the fix.
    `columns`: those the caller reads besides the tidy ones."""
    path = Path(path)
    fix = (f"regenerate it with `python -m experiments precompute {experiment}`"
           if experiment else "regenerate it with `python -m experiments precompute`")
    if not path.exists():
        raise StoreError(f"result file {path} is missing; {fix}")
    return _read(path, f"result file {path}", experiment, columns, fix)


def read_bytes(data: bytes, label: str, experiment: str | None = None) -> Result:
    """`read_table` for a result kept as bytes (see `table_bytes`); `label` names it in
    errors, which say what is wrong but leave the fix to the caller."""
    return _read(pa.BufferReader(data), label, experiment, (), "")


def _read(source, label: str, experiment: str | None, columns: Sequence[str],
          fix: str) -> Result:
    fix = f"; {fix}" if fix else ""
    try:
        table = pq.read_table(source)
        provenance = json.loads((table.schema.metadata or {}).get(PROVENANCE_KEY, b"{}"))
        frame = table.to_pandas()
    except (OSError, ValueError, pa.ArrowException) as err:
        raise StoreError(
            f"{label} is unreadable ({type(err).__name__}){fix}") from None
    version = provenance.get("schema_version")
    if version != SCHEMA_VERSION:
        raise StoreError(
            f"{label} has schema version {version}, this code reads "
            f"{SCHEMA_VERSION}{fix}"
        )
    try:
        frame = check_tidy(frame, experiment)
    except SchemaError as err:
        raise StoreError(f"{label} breaks the result contract ({err}){fix}") from None
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise StoreError(f"{label} lacks the {plural(len(missing), 'column')} "
                         f"{', '.join(missing)} that this code reads (made by older code?){fix}")
    return Result(frame, provenance)


def check_params(provenance: dict, exp, path: Path) -> None:
    """The stored parameters must be exactly the experiment's current ones, each valid:
    pages read them to label and recompute, so a renamed, removed or added parameter
    is drift to regenerate, not a crash."""
    fix = f"regenerate it with `python -m experiments precompute {exp.id}`"
    stored = provenance.get("params")
    if not isinstance(stored, dict):
        raise StoreError(f"result file {path} records no parameters; {fix}")
    names = [p.name for p in exp.params]
    unknown = sorted(set(stored) - set(names))
    absent = [n for n in names if n not in stored]
    if unknown or absent:
        what = "; ".join(part for part in (
            unknown and f"{plural(len(unknown), 'parameter')} "
                        f"{', '.join(map(repr, unknown))} unknown to this code",
            absent and f"{plural(len(absent), 'parameter')} "
                       f"{', '.join(map(repr, absent))} not recorded") if part)
        raise StoreError(f"result file {path} was made by another version of {exp.id} ({what}); "
                         f"{fix}")
    try:
        exp.validate(stored)
    except ParamError as err:
        raise StoreError(
            f"result file {path} records an invalid parameter ({err}); {fix}") from None


def load(experiment: str, data_dir: Path | None = None,
         columns: Sequence[str] = ()) -> Result:
    """A stored result with the columns its pages read (the experiment's `x` and
    `columns`, plus `columns` given here) and parameters this code understands."""
    from experiments.framework import registry  # imports the experiment's module

    path = paths(experiment, data_dir)[0]
    try:
        exp = registry.get(experiment)
    except ParamError:
        return read_table(path, experiment, columns)
    result = read_table(path, experiment, (exp.x, *exp.columns, *columns))
    check_params(result.provenance, exp, path)
    return result
