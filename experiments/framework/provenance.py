"""A result and where it came from: `Result(frame, provenance)`, provenance built here only.

Every result that leaves `run()` or the store carries the same provenance: parameters,
seeds, code and library versions, runtime (measured by `run()`, outside `run_seed`), date,
author, and the one command line that reproduces it.
"""
from __future__ import annotations

import getpass
import os
import platform
import shlex
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the catalog's CLI reads provenance without loading pandas
    import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("numpy", "pandas", "scikit-learn", "scipy", "pyarrow", "joblib")


class Result(NamedTuple):
    """What `run()` returns and `store.load` reads back; unpacks as `frame, provenance`."""

    frame: pd.DataFrame
    provenance: dict


def code_version() -> str:
    """The git commit of the code that made a result, marked `+dirty` if edited."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=ROOT, capture_output=True,
            text=True, timeout=5, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "experiments"],
            cwd=ROOT, capture_output=True, text=True, timeout=5,
        ).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def author() -> str:
    try:
        return os.environ.get("DESCENT_LAB_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return "unknown"


def plain(value):
    """JSON-ready copies of parameter values (tuples -> lists, numpy scalars -> Python)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    return value.item() if hasattr(value, "item") else value


def command_line(exp_id: str, assignments: dict, seeds: int | None) -> str:
    """`python -m experiments run ...` with the given `--set`s (tuples comma-joined)."""
    parts = ["python", "-m", "experiments", "run", exp_id]
    for key, value in assignments.items():
        shown = ",".join(map(str, value)) if isinstance(value, (tuple, list)) else value
        parts += ["--set", f"{key}={shown}"]
    if seeds is not None:
        parts += ["--seeds", str(seeds)]
    return shlex.join(parts)


def reproducing_command(exp, params: dict, seeds: Sequence[int]) -> str:
    """The shortest command that recomputes this result: only non-default settings."""
    defaults = exp.defaults()
    changed = {k: v for k, v in params.items() if v != defaults.get(k)}
    seeds = [int(s) for s in seeds]
    if seeds == list(range(len(seeds))):
        return command_line(exp.id, changed, len(seeds))
    return shlex.join(["python", "-c", "from experiments import get, run; "
                       f"run(get({exp.id!r}), {plain(changed)!r}, seeds={seeds!r})"])


def make_provenance(exp, params: dict, seeds: Sequence[int], runtime: float,
                    command: str | None = None) -> dict:
    """The one provenance builder; `command` defaults to `reproducing_command`."""
    from experiments.framework import schema
    return {
        "experiment": exp.id,
        "schema_version": schema.SCHEMA_VERSION,
        "params": plain(dict(params)),
        "seeds": [int(s) for s in seeds],
        "code_version": code_version(),
        "packages": package_versions(),
        "runtime_seconds": round(float(runtime), 3),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "author": author(),
        "command": command or reproducing_command(exp, params, seeds),
        "platform": f"{platform.system()} {platform.machine()}",
    }
