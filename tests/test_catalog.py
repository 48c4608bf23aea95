"""The results catalog on SQLite and on PostgreSQL: round trips, filters, shipped runs,
one-line errors, concurrent savers and savers killed mid-save."""
import json
import multiprocessing
import os
import shutil
import signal
import time

import pandas as pd
import pytest

from experiments.framework import catalog as catalog_module
from experiments.framework import store
from experiments.framework.catalog import CatalogError, shipped_id
from experiments.framework.catalog_sql import Database
from experiments.framework.registry import get
from tests.catalog_helpers import catalog_backend, fresh_schema, small_result

SHIPPED = sorted(p.stem for p in store.DATA_DIR.glob("*.parquet"))
FIELDS = {"id", "experiment", "params", "seeds", "created", "author", "runtime_s",
          "code_version", "source", "shipped", "tags", "note", "command"}


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    yield from catalog_backend(request, tmp_path)


@pytest.fixture()
def catalog(backend):
    with backend.open() as opened:
        yield opened


def test_save_get_load_round_trip(catalog):
    result = small_result(max_degree=40)
    record = catalog.save(result, source="cli", tags=["Baseline", "baseline", "v1"])
    assert len(record.id) == 8 and record.id.isalnum() and record.id.islower()
    assert record.tags == ("baseline", "v1") and not record.shipped and record.source == "cli"
    assert catalog.get(record.id) == record
    assert record.params["max_degree"] == 40 and record.seeds == [0, 1]
    assert record.differs(get("polynomial").defaults()) == {"max_degree": 40}
    assert record.command == result.provenance["command"] and record.runtime_s == 0.25
    frame, provenance = catalog.load(record.id)
    pd.testing.assert_frame_equal(frame, store.check_tidy(result.frame, "polynomial"))
    assert provenance["run_id"] == record.id and catalog.provenance(record.id)["packages"]


def test_author_tag_untag_note_and_json_shape(catalog):
    record = catalog.save(small_result(), source="page", author="visitor")
    catalog.tag(record.id, "keep")
    catalog.tag(record.id, "keep")  # twice: still once
    catalog.tag(record.id, "odd_one-2.0")
    catalog.untag(record.id, "keep")
    catalog.note(record.id, "peak at 30 features; 50% noise")
    got = catalog.get(record.id)
    assert got.author == "visitor" and got.tags == ("odd_one-2.0",)
    assert got.note == "peak at 30 features; 50% noise"
    shown = json.loads(json.dumps(got.to_json()))
    assert FIELDS <= set(shown) and shown["tags"] == ["odd_one-2.0"]
    assert shown["params"] == got.params and shown["seeds"] == [0, 1]


def test_filters_and_newest_first(catalog):
    made = {}
    for month in (1, 2, 3):
        result = small_result(created=f"2026-0{month}-01T10:00:00+00:00", max_degree=10 * month)
        made[month] = catalog.save(result, source="dask" if month == 2 else "cli",
                                   tags=["even"] if month == 2 else ()).id
    catalog.note(made[3], "the 5_% run")

    def ids(**filters):
        return [r.id for r in catalog.list(shipped=False, **filters)]

    assert ids() == [made[3], made[2], made[1]]
    assert ids(since="2026-02-01") == [made[3], made[2]]
    assert ids(until="2026-02-01") == [made[2], made[1]]  # a date covers that whole day
    assert ids(until="2026-02-01T09:00") == [made[1]]
    assert ids(since="2026-02-01T11:00+01:00", until="2026-02-28") == [made[2]]
    assert ids(tag="even") == [made[2]] and ids(tag="odd") == []
    assert ids(source="dask") == [made[2]] and ids(limit=1) == [made[3]]
    assert ids(text="5_%") == [made[3]] and ids(text="5x%") == [] and ids(text="%%") == []
    assert ids(text=made[1].upper()) == [made[1]] and ids(text="' OR 1=1 --") == []
    assert ids(experiment="polynomial") == ids() and ids(experiment="trees") == []
    assert len(catalog.list()) == 3 + len(SHIPPED)


def test_remove_prune_and_export(catalog, backend, tmp_path):
    first, second, third = (catalog.save(small_result(created=f"2026-05-0{d}T00:00:00"),
                                          source="page").id for d in (1, 2, 3))
    catalog.export(third, tmp_path / "third.csv")
    catalog.export(third, tmp_path / "third.parquet")
    assert len(pd.read_csv(tmp_path / "third.csv")) == 4
    assert store.read_table(tmp_path / "third.parquet", "polynomial").provenance["run_id"] == third
    assert catalog.prune_source("page", keep=1) == [second, first]
    catalog.remove(third)
    assert catalog.list(shipped=False) == []
    if backend.url is None:
        assert list((backend.folder / "runs").glob("*.parquet")) == []
    with pytest.raises(CatalogError, match=f"no run {third}"):
        catalog.load(third)


def test_shipped_results_are_listed_read_only_with_stable_ids(catalog, backend):
    shipped = catalog.list(shipped=True)
    assert sorted(r.experiment for r in shipped) == SHIPPED
    assert {r.id for r in shipped} == {shipped_id(name) for name in SHIPPED}
    assert all(r.source == "shipped" and r.shipped for r in shipped)
    run_id = shipped_id("polynomial")
    pd.testing.assert_frame_equal(catalog.load(run_id).frame, store.load("polynomial").frame)
    with pytest.raises(CatalogError, match="shipped runs are read-only"):
        catalog.remove(run_id)
    catalog.tag(run_id, "reference")  # an annotation, not a change to the result
    with backend.open() as again:  # registering again neither duplicates nor drops tags
        assert len(again.list(shipped=True)) == len(SHIPPED)
        assert again.get(run_id).tags == ("reference",)


def test_a_regenerated_shipped_result_refreshes_its_run(backend, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for suffix in (".json", ".parquet"):
        shutil.copy(store.DATA_DIR / f"polynomial{suffix}", data)
    with backend.open(data_dir=data) as catalog:
        catalog.note(shipped_id("polynomial"), "kept")
    sidecar = json.loads((data / "polynomial.json").read_text())
    (data / "polynomial.json").write_text(json.dumps({**sidecar, "created": "2027-01-01T00:00:00"}))
    with backend.open(data_dir=data) as catalog:
        record = catalog.get(shipped_id("polynomial"))
        assert record.created == "2027-01-01T00:00:00+00:00" and record.note == "kept"


@pytest.mark.parametrize("how", ["missing", "corrupt"])
def test_a_broken_result_is_one_line_for_that_run_only(catalog, backend, how):
    broken = catalog.save(small_result(), source="cli").id
    fine = catalog.save(small_result(), source="cli").id
    backend.break_result(broken, how)
    with pytest.raises(CatalogError) as err:
        catalog.load(broken)
    message = str(err.value)
    assert "\n" not in message and broken in message
    assert ("missing" if how == "missing" else "unreadable") in message
    assert f"runs rm {broken}" in message
    assert len(catalog.load(fine).frame) == 4
    assert {r.id for r in catalog.list(shipped=False)} == {broken, fine}


@pytest.mark.parametrize("call, fragment", [
    (lambda c, i: c.get("BAD"), "bad run id"),
    (lambda c, i: c.get("abc"), "bad run id"),
    (lambda c, i: c.get(12345678), "bad run id"),
    (lambda c, i: c.get("zzzzzzzz"), "no run zzzzzzzz"),
    (lambda c, i: c.tag(i, "a b"), "bad tag"),
    (lambda c, i: c.tag(i, ""), "bad tag"),
    (lambda c, i: c.tag(i, "x" * 41), "bad tag"),
    (lambda c, i: c.tag(i, "%"), "bad tag"),
    (lambda c, i: c.list(tag="-x"), "bad tag"),
    (lambda c, i: c.note(i, "x" * 3000), "bad note"),
    (lambda c, i: c.note(i, "bell\x07"), "bad note"),
    (lambda c, i: c.list(since="yesterday"), "bad since"),
    (lambda c, i: c.list(until="2026-13-01"), "bad until"),
    (lambda c, i: c.list(experiment="x'); DROP TABLE runs; --"), "bad experiment"),
    (lambda c, i: c.list(text="a\x00b"), "bad search text"),
    (lambda c, i: c.list(limit=0), "bad limit"),
    (lambda c, i: c.list(source="web"), "bad source"),
    (lambda c, i: c.save(small_result(), source="shipped"), "bad source"),
    (lambda c, i: c.export(i, "out.txt"), "must end in .parquet or .csv"),
    (lambda c, i: c.export(i, "/no/such/folder/out.csv"), "does not exist"),
])
def test_bad_input_is_one_line(catalog, call, fragment):
    run_id = catalog.save(small_result(), source="cli").id
    with pytest.raises(CatalogError, match=fragment) as err:
        call(catalog, run_id)
    assert "\n" not in str(err.value)
    assert [r.id for r in catalog.list(shipped=False)] == [run_id]  # nothing changed


def test_a_bad_catalog_url_is_one_line(tmp_path):
    with pytest.raises(CatalogError, match="must start with postgresql://"):
        catalog_module.open_catalog("mysql://somewhere/db")
    with pytest.raises(CatalogError, match="cannot open the catalog") as err:
        catalog_module.open_catalog(f"postgresql://nobody:secret@/x?host={tmp_path}&port=1")
    assert "secret" not in str(err.value) and "\n" not in str(err.value)


def test_a_dropped_server_connection_fails_one_call_then_reconnects(postgres_url):
    import psycopg

    url = fresh_schema(postgres_url)
    with catalog_module.open_catalog(url) as catalog:
        with psycopg.connect(url, autocommit=True) as admin:  # as a server restart would
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")
        with pytest.raises(CatalogError, match="catalog at postgresql://") as err:
            catalog.list()
        assert "\n" not in str(err.value)
        assert len(catalog.list(shipped=True)) == len(SHIPPED)


# -- several processes ------------------------------------------------------------------

FORK = multiprocessing.get_context("fork")


def _save_at_once(backend, barrier, queue, index):
    with backend.open() as catalog:
        barrier.wait(timeout=120)
        queue.put(catalog.save(small_result(max_degree=10 + index), source="cli").id)


@pytest.mark.slow
def test_eight_processes_saving_at_once_all_land(backend):
    barrier, queue = FORK.Barrier(8), FORK.Queue()
    procs = [FORK.Process(target=_save_at_once, args=(backend, barrier, queue, i))
             for i in range(8)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=180)
    assert [proc.exitcode for proc in procs] == [0] * 8
    saved = {queue.get(timeout=10) for _ in procs}
    with backend.open() as catalog:
        runs = catalog.list(shipped=False)
        assert {r.id for r in runs} == saved and len(saved) == 8
        assert sorted(r.params["max_degree"] for r in runs) == list(range(10, 18))
        assert all(len(catalog.load(r.id).frame) == 4 for r in runs)
        assert len(catalog.list(shipped=True)) == len(SHIPPED)  # registered once, not 8 times


def _save_and_hang(backend, stage, ready):
    def hang():
        ready.set()
        time.sleep(600)

    catalog = backend.open()
    if stage == "result written":
        write = store.table_bytes if backend.url else store.write_table

        def written(*args, **kwargs):
            out = write(*args, **kwargs)
            hang()
            return out
        setattr(store, write.__name__, written)
    else:
        execute = Database.execute

        def listing(self, statement, params=()):
            out = execute(self, statement, params)
            if statement.startswith("INSERT INTO runs"):
                hang()
            return out
        Database.execute = listing
    catalog.save(small_result(), source="cli")


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["result written", "inside the listing transaction"])
def test_a_saver_killed_mid_save_leaves_no_half_run(backend, stage):
    ready = FORK.Event()
    proc = FORK.Process(target=_save_and_hang, args=(backend, stage, ready))
    proc.start()
    assert ready.wait(timeout=120), "the saver never reached the stage"
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(timeout=30)
    with backend.open() as catalog:
        assert catalog.list(shipped=False) == []
        record = catalog.save(small_result(), source="cli")  # the catalog still works
        assert [r.id for r in catalog.list(shipped=False)] == [record.id]
        assert len(catalog.load(record.id).frame) == 4
    if backend.url is None:
        with Database(path=backend.folder / "catalog.sqlite") as db:
            assert db.execute("PRAGMA integrity_check") == [("ok",)]
        files = {p.stem for p in (backend.folder / "runs").glob("*.parquet")}
        orphans = files - {record.id}
        assert len(orphans) == 1  # SQLite writes the result file before the transaction
        old = time.time() - catalog_module.ORPHAN_GRACE_S - 1
        for orphan in orphans:  # left for a grace period, then cleaned by an open
            os.utime(backend.folder / "runs" / f"{orphan}.parquet", (old, old))
        backend.open().close()
        assert {p.stem for p in (backend.folder / "runs").glob("*.parquet")} == {record.id}
