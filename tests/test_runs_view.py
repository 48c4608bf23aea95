"""The Runs view, the Explorer's overlay of catalogued runs and a catalogued run on its
experiment page: in AppTest against a scratch catalog, and in a real browser against the
dashboard the session starts (which saves into the session's scratch catalog)."""
from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest

from experiments import get, run
from experiments.framework.catalog import open_catalog, shipped_id
from tests.catalog_helpers import catalog_backend, small_result
from tests.helpers import ARTIFACTS, exception_boxes, open_page, wait_for_app, wait_for_charts

SMALL = {"max_degree": 40, "n_train": 20}


def save_runs(folder, *noises, tags=()) -> list[str]:
    """Small polynomial runs, one per noise level, saved as from the CLI; their ids."""
    with open_catalog(folder=folder) as catalog:
        return [catalog.save(run(get("polynomial"), {**SMALL, "noise": noise}, seeds=1),
                             source="cli", tags=tags).id for noise in noises]


@pytest.fixture()
def two_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("DESCENT_LAB_RESULTS", str(tmp_path))
    return save_runs(tmp_path, 0.1, 0.5, tags=("demo",))


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_the_runs_view_lists_catalogued_and_shipped_runs(two_runs):
    at = open_page("runs")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert set(two_runs) <= set(table["id"])
    assert shipped_id("polynomial") in set(table["id"])
    row = table.set_index("id").loc[two_runs[1]]
    assert row["settings"] == ("Highest polynomial degree: 40; Training points: 20; "
                               "Label noise (standard deviation): 0.5")  # the form's labels
    assert row["tags"] == "demo"
    assert row["title"] == "Polynomial regression"  # readers see titles, not ids
    columns = json.loads(at.dataframe[0].proto.columns)
    assert columns["experiment"] == {"hidden": True} and columns["title"]["label"] == "experiment"
    at.text_input(key="runs.text").set_value("demo").run()
    assert sorted(at.dataframe[0].value["id"]) == sorted(two_runs)
    at.text_input(key="runs.text").set_value("").run()
    picker = at.multiselect(key="runs.experiments")
    assert "Polynomial regression" in picker.options and "polynomial" not in picker.options
    picker.select("trees").run()  # the filter still keeps runs by experiment id
    assert set(at.dataframe[0].value["id"]) == {shipped_id("trees")}


def test_the_explorer_overlays_two_runs_coloured_by_what_differs(two_runs):
    at = open_page("explorer", {"runs": ",".join(two_runs)})
    assert not at.exception and not at.error
    chart = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    assert chart
    assert "noise=0.1" in str(chart[0].proto) and "noise=0.5" in str(chart[0].proto)


def test_bad_overlay_links_get_one_line_messages(two_runs):
    at = open_page("explorer", {"runs": f"{two_runs[0]},NOPE!,zzzzzzzz"})
    assert not at.exception
    notices = texts(at.warning)
    assert "bad run id" in notices and "no run zzzzzzzz" in notices
    assert "at least two" in texts(at.error)
    assert all("\n" not in str(w.value) for w in at.warning)


@pytest.mark.slow  # renders an experiment page cold through AppTest (> 3 s)
def test_a_catalogued_run_opens_on_its_page_with_its_settings(two_runs):
    at = open_page("polynomial", {"catalog_run": two_runs[1]})
    assert not at.exception and not at.error
    assert f"run {two_runs[1]}" in texts(at.success).replace("\\", "")
    assert at.number_input(key="polynomial.noise").value == 0.5
    assert at.number_input(key="polynomial.max_degree").value == 40
    assert at.selectbox(key="polynomial:compare_with").options[1].startswith(two_runs[0])


@pytest.mark.parametrize("page, key", [("explorer", "runs"), ("polynomial", "catalog_run")])
def test_link_ids_are_echoed_as_plain_text(two_runs, page, key):
    at = open_page(page, {key: "[x](https://evil.example/a)"})
    assert not at.exception
    (notice,) = [w.value for w in at.warning if "bad run id" in w.value]
    assert "](" not in notice and r"\[x\]" in notice


@pytest.mark.slow  # renders an experiment page cold through AppTest (> 3 s)
def test_a_bad_run_id_in_a_page_link_is_named_not_shown(two_runs):
    at = open_page("polynomial", {"catalog_run": "../../etc"})
    assert "bad run id" in texts(at.warning) and not at.exception
    assert "Showing the shipped" in texts(at.info)


@pytest.mark.slow
def test_a_run_of_another_experiment_is_named_not_shown(two_runs):
    at = open_page("trees", {"catalog_run": two_runs[0]})
    assert not at.exception
    assert "is a polynomial run" in texts(at.warning)


@pytest.mark.slow
def test_a_page_run_is_saved_and_shows_its_id_and_permalink(tmp_path, monkeypatch):
    monkeypatch.setenv("DESCENT_LAB_RESULTS", str(tmp_path))
    monkeypatch.setenv("DESCENT_LAB_WEB_RUNS", "5")
    at = open_page("polynomial")
    at.number_input(key="polynomial.max_degree").set_value(40)
    at.slider(key="polynomial.seeds").set_value(2)
    at.button[0].click()  # the form's Run button
    at.run()
    assert not at.exception and not at.error
    with open_catalog(folder=tmp_path) as catalog:
        (saved,) = [r for r in catalog.list() if r.source == "page"]
    assert saved.params["max_degree"] == 40 and saved.author == "visitor"
    assert f"run {saved.id}" in texts(at.caption).replace("\\", "")
    assert any(f"polynomial?catalog_run={saved.id}" in c.value for c in at.code)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path, monkeypatch):
    for found in catalog_backend(request, tmp_path):
        monkeypatch.setenv("DESCENT_LAB_RESULTS", str(found.folder))
        if found.url:
            monkeypatch.setenv("DESCENT_LAB_CATALOG_URL", found.url)
        yield found


def test_the_views_work_on_either_database(backend):
    with backend.open() as catalog:
        ids = [catalog.save(small_result(noise=noise), source="cli").id for noise in (0.1, 0.5)]
    at = open_page("runs")
    assert not at.exception and set(ids) <= set(at.dataframe[0].value["id"])
    at = open_page("explorer", {"runs": ",".join(ids)})
    assert not at.exception and not at.error and not at.warning
    charts = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    assert "noise=0.5" in str(charts[0].proto)


# -- in a browser -------------------------------------------------------------------------

def select_rows(page, rows: list[int]) -> None:
    """Tick the selection boxes of the table's rows (0 = first data row)."""
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    for row in rows:
        page.mouse.click(box["x"] + 18, box["y"] + 35 * (row + 1) + 17)
        page.wait_for_timeout(300)
    wait_for_app(page)


def search(page, text: str, rows: int) -> None:
    field = page.get_by_placeholder("id, setting, tag, note, author…")
    field.fill(text)
    field.press("Enter")
    # Anchored: "1 of " is also inside the caption before the search ("11 of 11 runs").
    page.get_by_text(re.compile(rf"^{rows} of \d")).wait_for(timeout=30_000)
    wait_for_app(page)


def test_browser_filter_select_two_overlay_and_open(dashboard_url, page, scratch_catalog):
    ids = save_runs(scratch_catalog, 0.2, 0.7, tags=("browser-pair",))
    page.goto(f"{dashboard_url}/runs")
    search(page, "browser-pair", 2)
    select_rows(page, [0, 1])
    overlay = page.get_by_role("link", name="Overlay 2 runs in the Explorer")
    assert sorted(overlay.get_attribute("href").split("=")[1].split(",")) == sorted(ids)
    opener = page.get_by_role("link", name="open on its page").first.get_attribute("href")
    page.screenshot(path=str(ARTIFACTS / "runs-view.png"), full_page=True)
    page.goto(urljoin(page.url, overlay.get_attribute("href")))
    charts = wait_for_charts(page)
    legend = page.locator(".vega-embed").first.inner_text() + page.evaluate(
        "() => Array.from(document.querySelectorAll('.vega-embed text'))"
        ".map(t => t.textContent).join(' ')")
    assert "noise=0.2" in legend and "noise=0.7" in legend
    assert charts[0]["drawn"] > 3 and not charts[0]["nan"] and exception_boxes(page) == 0
    page.goto(urljoin(f"{dashboard_url}/runs", opener))
    page.get_by_text("Showing catalogued run").wait_for(timeout=30_000)
    assert exception_boxes(page) == 0


def test_browser_delete_one_run_and_refuse_a_shipped_one(dashboard_url, page, scratch_catalog):
    (doomed,) = save_runs(scratch_catalog, 0.3, tags=("browser-doomed",))
    page.goto(f"{dashboard_url}/runs")
    search(page, "browser-doomed", 1)
    select_rows(page, [0])
    page.get_by_role("button", name="Delete 1 run").click()
    page.get_by_role("button", name="Delete permanently").click()
    page.get_by_text("Deleted.").wait_for(timeout=30_000)
    with open_catalog(folder=scratch_catalog) as catalog:
        assert doomed not in {r.id for r in catalog.list()}
    search(page, shipped_id("trees"), 1)
    select_rows(page, [0])
    page.get_by_role("button", name="Delete 1 run").click()
    page.get_by_role("button", name="Delete permanently").click()
    page.get_by_text("shipped runs are read-only").wait_for(timeout=30_000)
    assert exception_boxes(page) == 0
