"""The Runs view's table and the Explorer's overlay frame, from plain records."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pytest

from dashboard import runs_table
from dashboard.runs_table import OverlayError


@dataclass(frozen=True)
class Record:  # the fields of catalog.RunRecord the table reads
    id: str
    experiment: str = "polynomial"
    params: dict = field(default_factory=lambda: {"n_train": 30, "noise": 0.1})
    seeds: list = field(default_factory=lambda: [0, 1, 2])
    created: str = "2026-11-20T10:00:00+00:00"
    author: str = "ada"
    runtime_s: float = 1.5
    source: str = "cli"
    shipped: bool = False
    tags: tuple = ()
    note: str = ""

    def differs(self, defaults):
        return {k: v for k, v in self.params.items() if defaults.get(k) != v}


DEFAULTS = {"polynomial": {"n_train": 30, "noise": 0.1}}


def tidy(n: int = 3, **config) -> pd.DataFrame:
    return pd.DataFrame({"experiment": "polynomial", "seed": 0, "split": "test", "metric": "mse",
                         "value": [1.0] * n, "degree": range(n), **config})


def test_a_row_per_run_with_what_differs_from_the_defaults():
    records = [Record("aaaa1111", params={"n_train": 30, "noise": 0.5}, tags=("peak", "x")),
               Record("bbbb2222"),
               Record("cccc3333", experiment="gone", params={"width": 4}, seeds=[3, 9])]
    frame = runs_table.runs_frame(records, DEFAULTS)
    assert list(frame.columns) == list(runs_table.COLUMNS)
    assert frame["settings"].tolist() == ["Label noise (standard deviation): 0.5", "defaults",
                                          "Hidden units: 4"]
    assert frame["seeds"].tolist() == ["3 (0-2)", "3 (0-2)", "2 (3, 9)"]
    assert frame["tags"].tolist() == ["peak, x", "", ""]
    assert frame["open"].tolist()[0] == "polynomial?catalog_run=aaaa1111"
    assert frame["created"].tolist()[0] == "2026-11-20 10:00"


def test_experiments_are_shown_by_title_and_filtered_by_id():
    records = [Record("aaaa1111"), Record("bbbb2222", experiment="trees"),
               Record("cccc3333", experiment="gone")]
    frame = runs_table.runs_frame(records, DEFAULTS, {"polynomial": "Polynomial regression",
                                                      "trees": "Trees and boosting"})
    assert frame["title"].tolist() == ["Polynomial regression", "Trees and boosting", "gone"]
    assert frame["experiment"].tolist() == ["polynomial", "trees", "gone"]
    assert runs_table.filter_runs(frame, experiments=["trees"])["id"].tolist() == ["bbbb2222"]
    assert runs_table.filter_runs(frame, text="boosting")["id"].tolist() == ["bbbb2222"]


def test_an_empty_catalog_gives_an_empty_table_with_every_column():
    frame = runs_table.runs_frame([], DEFAULTS)
    assert frame.empty and list(frame.columns) == list(runs_table.COLUMNS)
    assert runs_table.filter_runs(frame, text="x", tags=["a"], since=date(2026, 1, 1)).empty


def test_filters_combine_and_text_is_literal():
    records = [Record("aaaa1111", tags=("peak",), note="wide (sweep)", author="ada"),
               Record("bbbb2222", experiment="trees", tags=("peak", "best"), source="page",
                      created="2026-11-25T23:59:00+00:00"),
               Record("cccc3333", author="bob", created="2026-11-26T00:00:01+00:00")]
    frame = runs_table.runs_frame(records, DEFAULTS)

    def ids(**filters):
        return runs_table.filter_runs(frame, **filters)["id"].tolist()

    assert ids(text="BOB") == ["cccc3333"]
    assert ids(text="(sweep") == ["aaaa1111"]  # not a regular expression
    assert ids(text="bbbb") == ["bbbb2222"]
    assert ids(experiments=["polynomial"]) == ["aaaa1111", "cccc3333"]
    assert ids(tags=["peak"]) == ["aaaa1111", "bbbb2222"]
    assert ids(tags=["peak", "best"]) == ["bbbb2222"]
    assert ids(tags=["pea"]) == []  # whole tags only
    assert ids(text="TREES") == ["bbbb2222"]
    assert ids(sources=["page"]) == ["bbbb2222"]
    assert ids(since=date(2026, 11, 26)) == ["cccc3333"]
    assert ids(until=date(2026, 11, 25)) == ["aaaa1111", "bbbb2222"]
    assert runs_table.tag_options(frame) == ["best", "peak"]


def test_link_ids_are_split_stripped_and_deduplicated():
    assert runs_table.split_ids(" ab12cd34, ,ef56gh78,ab12cd34") == ["ab12cd34", "ef56gh78"]
    assert runs_table.split_ids(None) == [] and runs_table.split_ids("") == []


def test_overlay_colours_runs_by_the_settings_that_differ_between_them():
    a = Record("aaaa1111", params={"n_train": 30, "noise": 0.1})
    b = Record("bbbb2222", params={"n_train": 30, "noise": 0.5})
    out = runs_table.overlay_frame([(a, tidy()), (b, tidy(4))])
    assert out.groupby(runs_table.RUN).size().to_dict() == {"noise=0.1": 3, "noise=0.5": 4}
    assert set(out.columns) == set(tidy().columns) | {runs_table.RUN}


def test_overlay_labels_fall_back_to_seeds_then_ids():
    a, b = Record("aaaa1111"), Record("bbbb2222", seeds=[0, 1])
    assert runs_table.run_labels([a, b]) == {"aaaa1111": "seeds=3 (0-2)",
                                             "bbbb2222": "seeds=2 (0-1)"}
    c = Record("cccc3333")
    assert runs_table.run_labels([a, c]) == {"aaaa1111": "aaaa1111", "cccc3333": "cccc3333"}
    d = Record("dddd4444", params={"n_train": 40, "noise": 0.1})
    assert runs_table.run_labels([a, c, d]) == {
        "aaaa1111": "n_train=30 [aaaa1111]", "cccc3333": "n_train=30 [cccc3333]",
        "dddd4444": "n_train=40"}


def test_overlay_refuses_mixed_experiments_and_too_few_or_many_runs():
    with pytest.raises(OverlayError, match="2 experiments .polynomial, trees."):
        runs_table.overlay_frame([(Record("aaaa1111"), tidy()),
                                  (Record("bbbb2222", experiment="trees"), tidy())])
    with pytest.raises(OverlayError, match="at least two"):
        runs_table.overlay_frame([(Record("aaaa1111"), tidy())])
    many = [(Record(f"{i:08d}"), tidy()) for i in range(runs_table.MAX_OVERLAY + 1)]
    with pytest.raises(OverlayError, match="at most"):
        runs_table.overlay_frame(many)


def test_search_finds_a_setting_by_its_label_or_its_name_in_a_link():
    records = [Record("aaaa1111", experiment="polynomial", params={"max_degree": 40}),
               Record("bbbb2222", experiment="polynomial", params={"noise": 0.5})]
    frame = runs_table.runs_frame(records, {"polynomial": {"max_degree": 600, "noise": 0.1}})
    for needle in ("Highest polynomial degree: 40", "max_degree=40"):
        assert list(runs_table.filter_runs(frame, text=needle)["id"]) == ["aaaa1111"], needle


def test_values_read_as_in_a_link():
    assert runs_table.settings_text({"a": 1e-3, "b": True, "c": (0.1, 2.0), "d": "x"}) == \
        "a=0.001, b=true, c=0.1,2, d=x"


def test_settings_read_with_the_forms_labels_and_plain_values():
    assert runs_table.settings_shown("polynomial", {"max_degree": 40, "ridge": [0.0, 0.1],
                                                    "target": "cos"}) == \
        "Highest polynomial degree: 40; Ridge penalty λ: 0, 0.1; True function: cos"
    assert runs_table.settings_shown("sample_wise", {"intercept": True}) == \
        "Fit an intercept: on"
    assert runs_table.settings_shown("trees", {"model": "boosting"}) == "Model: L2-boosting"
    assert runs_table.settings_shown("polynomial", {}) == "defaults"
