"""A throwaway PostgreSQL cluster for the catalog tests: `initdb` into a temp folder, a
server listening only on a unix socket there, removed afterwards.

Uses Debian's server binaries (`apt-get install -y postgresql`; `.ci/run` installs them).
initdb refuses to run as root, so as root the server runs as the `postgres` user.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PORT = 5432  # only names the socket file inside our own folder: never clashes


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why and the fix."""


def bindir() -> Path | None:
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in filter(None, candidates):
        if all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _as_server_user(folder: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable("running as root and there is no `postgres` user to run the "
                          "server as (initdb refuses root)") from None
    os.chown(folder, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def cluster() -> Iterator[str]:
    """Yields a postgresql:// URL for a fresh cluster; stops and deletes it after."""
    binaries = bindir()
    if binaries is None:
        raise Unavailable("no PostgreSQL server binaries found (apt-get install -y postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="descent-lab-pg-"))
    data = folder / "data"
    try:
        prefix = _as_server_user(folder)

        def run(*argv: str) -> None:
            proc = subprocess.run([*prefix, *argv], capture_output=True, text=True, timeout=120)
            if proc.returncode:
                raise Unavailable(f"{Path(argv[0]).name} failed: "
                                  f"{(proc.stderr or proc.stdout).strip()[-300:]}")

        run(str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--no-sync")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
            "-t", "60", "-o", f"-p {PORT} -k {folder} -c listen_addresses='' -c fsync=off "
            "-c max_connections=50", "start")
        try:
            yield f"postgresql://postgres@/postgres?host={folder}&port={PORT}"
        finally:
            subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "-w", "stop"], capture_output=True, timeout=60)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
