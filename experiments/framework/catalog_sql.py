"""The catalog's database: one schema and one set of portable SQL statements, run on
SQLite (standard library, the default) or PostgreSQL (psycopg 3, for a team server).

Everything that differs between the two lives in `Database`: how to connect, the
placeholder style, how a write transaction begins (SQLite's `BEGIN IMMEDIATE` takes the
write lock up front, so concurrent writers queue on the busy timeout instead of failing
on a lock upgrade; PostgreSQL serializes the schema set-up with an advisory lock) and
where result bytes live (SQLite: Parquet files beside the database; PostgreSQL: a table,
so every machine that reaches the server reaches the results too).
"""
from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 60.0
SCHEMA_LOCK = 0x44_4C_43  # any constant shared by every process: "DLC"

RUN_COLUMNS = ("id", "experiment", "params", "seeds", "created", "author", "runtime_s",
               "code_version", "source", "shipped", "tags", "note", "command", "file")

# Tags live in one column as " a b c " (validated tags hold no spaces), so a tag filter
# and a tag change are single statements, atomic on both databases, with no join.
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    experiment TEXT NOT NULL,
    params TEXT NOT NULL,
    seeds TEXT NOT NULL,
    created TEXT NOT NULL,
    author TEXT NOT NULL,
    runtime_s DOUBLE PRECISION NOT NULL,
    code_version TEXT NOT NULL,
    source TEXT NOT NULL,
    shipped INTEGER NOT NULL,
    tags TEXT NOT NULL,
    note TEXT NOT NULL,
    command TEXT NOT NULL,
    file TEXT NOT NULL,
    provenance TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_created ON runs (created);
CREATE INDEX IF NOT EXISTS runs_by_experiment ON runs (experiment, created);
CREATE TABLE IF NOT EXISTS results (id TEXT PRIMARY KEY, data {blob} NOT NULL);
"""


class DatabaseError(RuntimeError):
    """The database could not be reached or used; the message is one line."""


def redact(url: str) -> str:
    """A connection URL fit for an error message: no password."""
    return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", url)


class Database:
    """A connection plus the few things SQLite and PostgreSQL do differently.

    Statements are written once with `?` placeholders. Calls are serialized by a lock, so
    one catalog may be shared by the threads of a server."""

    def __init__(self, url: str | None = None, path: Path | None = None):
        self.postgres = url is not None
        self.where = redact(url) if url else str(path)
        self.errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        self._url, self._path = url, path
        self._lock = threading.RLock()
        if url:
            try:
                import psycopg
            except ImportError:
                raise DatabaseError("a postgresql:// catalog needs psycopg: "
                                    "pip install 'psycopg[binary]'") from None
            self.errors = (psycopg.Error,)
        try:
            self._conn = self._connect()
            with self.transaction():
                if url:
                    self.execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
                for statement in SCHEMA.format(blob="BYTEA" if url else "BLOB").split(";"):
                    if statement.strip():
                        self.execute(statement)
        except self.errors as err:
            raise DatabaseError(f"cannot open the catalog at {self.where} ({reason(err)})") \
                from None

    def _connect(self):
        if self.postgres:
            import psycopg

            return psycopg.connect(self._url, autocommit=True, connect_timeout=10)
        # isolation_level=None: transactions are begun explicitly (`transaction`).
        conn = sqlite3.connect(self._path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
        conn.execute("PRAGMA synchronous=NORMAL")  # in WAL mode a crash loses no commit
        return conn

    def _live(self):
        """The connection; a server catalog lost to a restart or a dropped link fails
        the call that saw it, and the next call connects again (a long-lived server
        process keeps working)."""
        if self.postgres and self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def _sql(self, statement: str) -> str:
        return statement.replace("?", "%s") if self.postgres else statement

    def execute(self, statement: str, params: Sequence = ()) -> list[tuple]:
        with self._lock:
            cursor = self._live().execute(self._sql(statement), tuple(params))
            return cursor.fetchall() if cursor.description else []

    def executemany(self, statement: str, rows: Sequence[Sequence]) -> None:
        with self._lock:
            self._live().cursor().executemany(self._sql(statement), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all."""
        with self._lock:
            if self.postgres:
                with self._live().transaction():
                    yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def reason(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def like_pattern(text: str) -> str:
    """`text` as a LIKE substring pattern, its wildcards taken literally (ESCAPE '\\')."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
