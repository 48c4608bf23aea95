"""Page runs in the catalog: DESCENT_LAB_WEB_RUNS = all | off | N (newest N kept)."""
from __future__ import annotations

import pytest

from dashboard import web_runs
from experiments import get, run
from experiments.framework.catalog import open_catalog


@pytest.mark.parametrize("raw, expected", [
    (None, web_runs.DEFAULT_KEEP), ("", web_runs.DEFAULT_KEEP), ("all", None), (" ALL ", None),
    ("off", 0), ("0", 0), ("3", 3), ("-2", web_runs.DEFAULT_KEEP),
    ("lots", web_runs.DEFAULT_KEEP), ("2.5", web_runs.DEFAULT_KEEP),
])
def test_the_setting_reads_all_off_or_a_count(raw, expected, monkeypatch):
    monkeypatch.delenv(web_runs.SETTING, raising=False)
    if raw is not None:
        monkeypatch.setenv(web_runs.SETTING, raw)
    assert web_runs.keep() == expected


@pytest.fixture()
def result(tmp_path, monkeypatch):
    monkeypatch.setenv("DESCENT_LAB_RESULTS", str(tmp_path))
    return run(get("polynomial"), {"max_degree": 20, "n_train": 10}, seeds=1)


def page_runs(folder) -> list:
    with open_catalog(folder=folder) as catalog:
        return [r for r in catalog.list() if r.source == "page"]


def test_a_bounded_server_keeps_only_the_newest_visitor_runs(result, tmp_path, monkeypatch):
    monkeypatch.setenv(web_runs.SETTING, "2")
    ids = [web_runs.save(result) for _ in range(4)]
    kept = page_runs(tmp_path)
    assert len(kept) == 2 and {r.id for r in kept} <= set(ids)
    assert {r.author for r in kept} == {web_runs.VISITOR}


def test_all_keeps_every_page_run_as_recorded_and_off_keeps_none(result, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv(web_runs.SETTING, "all")
    saved = [web_runs.save(result) for _ in range(3)]
    assert all(saved)
    assert [r.author for r in page_runs(tmp_path)] == [result.provenance["author"]] * 3
    monkeypatch.setenv(web_runs.SETTING, "off")
    assert web_runs.save(result) is None and len(page_runs(tmp_path)) == 3


def test_an_unusable_catalog_leaves_the_run_unsaved_not_failed(result, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DESCENT_LAB_RESULTS", str(blocker))
    assert web_runs.save(result) is None
