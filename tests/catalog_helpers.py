"""Catalog test helpers: a fresh, empty catalog on either database, and small results."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote

import numpy as np
import pandas as pd

from experiments.framework.catalog import open_catalog
from experiments.framework.provenance import Result, make_provenance
from experiments.framework.registry import get


@dataclass(frozen=True)
class Backend:
    """Where one test's catalog lives: SQLite in `folder`, or a fresh PostgreSQL schema."""

    name: str
    url: str | None
    folder: Path

    def open(self, **kwargs):
        return open_catalog(self.url, folder=self.folder, **kwargs)

    def env(self) -> dict[str, str]:
        """The environment that points `python -m experiments` at this catalog."""
        env = {k: v for k, v in os.environ.items() if k != "DESCENT_LAB_CATALOG_URL"}
        env["DESCENT_LAB_RESULTS"] = str(self.folder)
        if self.url:
            env["DESCENT_LAB_CATALOG_URL"] = self.url
        return env

    def break_result(self, run_id: str, how: str) -> None:
        """Make a saved run's result `missing` or `corrupt` behind the catalog's back."""
        if self.url is None:
            path = self.folder / "runs" / f"{run_id}.parquet"
            if how == "missing":
                path.unlink()
            else:
                path.write_bytes(b"PAR1 this is not a parquet file PAR1")
            return
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            if how == "missing":
                conn.execute("DELETE FROM results WHERE id = %s", (run_id,))
            else:
                conn.execute("UPDATE results SET data = %s WHERE id = %s",
                             (b"PAR1 this is not a parquet file PAR1", run_id))


def fresh_schema(base_url: str) -> str:
    """`base_url` narrowed to a new, empty schema: one isolated catalog per test."""
    import psycopg

    schema = f"t{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in base_url else "?"
    return f"{base_url}{joiner}options={quote(f'-csearch_path={schema}')}"


def catalog_backend(request, tmp_path: Path) -> Iterator[Backend]:
    """For a fixture parametrized over "sqlite" and "postgresql": an empty catalog,
    its PostgreSQL schema dropped afterwards (a DESCENT_LAB_TEST_PG_URL server stays clean)."""
    if request.param == "sqlite":
        yield Backend("sqlite", None, tmp_path / "results")
        return
    import psycopg

    base = request.getfixturevalue("postgres_url")
    url = fresh_schema(base)
    yield Backend("postgresql", url, tmp_path / "results")
    schema = unquote(url.rsplit("search_path", 1)[1]).lstrip("=")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@lru_cache(maxsize=1)
def _base_provenance() -> dict:
    exp = get("polynomial")
    return make_provenance(exp, exp.validate({}), [0, 1], 0.25)


def small_result(created: str | None = None, **params) -> Result:
    """A tiny polynomial result (four rows) with real provenance; no computation."""
    exp = get("polynomial")
    provenance = dict(_base_provenance())
    provenance["params"] = {**provenance["params"], **exp.validate(params)}
    if created:
        provenance["created"] = created
    frame = pd.DataFrame({"experiment": "polynomial", "seed": [0, 0, 1, 1], "split": "test",
                          "metric": "mse", "value": np.array([1.0, 0.5, 1.25, 0.375]),
                          "n_params": [1, 2, 1, 2]})
    return Result(frame, provenance)
