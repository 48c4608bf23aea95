"""Data drift breaks only the pages that read the drifted result, each with a one-line
"unavailable, here is the fix" message: a column a page reads is gone, or the stored
parameters no longer match the experiment's (renamed, removed, added, invalid)."""
import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import streamlit as st

from experiments.framework import registry, store
from tests.helpers import open_page


def copy_shipped(dest):
    for path in store.DATA_DIR.iterdir():
        if path.suffix in (".parquet", ".json"):
            shutil.copy2(path, dest / path.name)


def rewrite(path, drop=(), params=None):
    table = pq.read_table(path)
    provenance = json.loads(table.schema.metadata[store.PROVENANCE_KEY])
    frame = table.to_pandas().drop(columns=list(drop))
    if params is not None:
        provenance["params"] = params(provenance["params"])
    out = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(out.replace_schema_metadata(
        {store.PROVENANCE_KEY: json.dumps(provenance).encode()}), path)


def assert_unavailable(at, *words):
    assert not at.exception, [e.value for e in at.exception]
    messages = [e.value for e in at.error] + [w.value for w in at.warning]
    assert any(all(w in m for w in words) and "precompute" in m and "\n" not in m
               for m in messages), messages


def assert_fine(at):
    assert not at.exception and not at.error, ([e.value for e in at.exception],
                                               [e.value for e in at.error])


@pytest.fixture()
def drifted(tmp_path, monkeypatch):
    copy_shipped(tmp_path)
    monkeypatch.setattr(store, "DATA_DIR", tmp_path)
    yield lambda exp_id, **change: rewrite(tmp_path / f"{exp_id}.parquet", **change)
    st.cache_data.clear()


def without(name):
    return lambda params: {k: v for k, v in params.items() if k != name}


# (result, change, words in the message, pages that must say it, pages that must not care);
# Home's tour reads polynomial, sample_wise, random_features, grokking and scaling: a drifted
# one of those shows the fix in its own stop, the other stops stay.
CASES = {
    "trees-stage": ("trees", {"drop": ["stage"]}, ["stage", "precompute trees"],
                    ["trees", "u-turn"], ["home"]),
    "trees-n_train": ("trees", {"drop": ["n_train"]}, ["n_train"], ["u-turn", "trees"], ["home"]),
    "polynomial-x": ("polynomial", {"drop": ["n_params"]}, ["n_params"],
                     ["polynomial", "home"], ["why-the-peak"]),
    "polynomial-param-missing": ("polynomial", {"params": without("n_train")},
                                 ["'n_train' not recorded"], ["polynomial", "home"], ["trees"]),
    "scaling-curve": ("scaling", {"drop": ["curve"]}, ["curve", "precompute scaling"],
                      ["scaling", "home"], ["trees"]),
    "grokking-param-unknown": ("grokking", {"params": lambda p: {**p, "momentum": 0.9}},
                               ["'momentum' unknown"], ["grokking"], ["explorer"]),
    "grokking-param-renamed": ("grokking",
                               {"params": lambda p: {**without("lr")(p), "rate": p["lr"]}},
                               ["'rate' unknown", "'lr' not recorded"], ["grokking", "home"],
                               ["trees"]),
    "random_features-invalid": ("random_features", {"params": lambda p: {**p, "n_train": "many"}},
                                ["invalid parameter", "n_train"],
                                ["random_features", "why-the-peak"],
                                ["polynomial"]),
    "grokking_phase-column": ("grokking_phase", {"drop": ["weight_decay"]}, ["weight_decay"],
                              ["grokking_phase", "grokking"], ["polynomial"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_drift_gives_the_fix_on_the_pages_that_read_it(case, drifted):
    exp_id, change, words, broken, fine = CASES[case]
    drifted(exp_id, **change)
    for page in broken:
        assert_unavailable(open_page(page), *words)
    for page in fine:
        assert_fine(open_page(page))


def test_the_explorer_says_so_for_a_drifted_result_and_works_for_the_others(drifted):
    drifted("grokking", params=lambda p: {**p, "momentum": 0.9})
    assert_unavailable(open_page("explorer", {"a": "shipped:grokking"}), "'momentum' unknown")
    assert_fine(open_page("explorer", {"a": "shipped:trees"}))


@pytest.mark.slow
@pytest.mark.parametrize("exp", list(registry.experiments().values()),
                         ids=list(registry.experiments()))
def test_every_column_a_page_declares_is_checked(exp, drifted):
    column = (exp.x, *exp.columns)[-1]
    drifted(exp.id, drop=[column])
    with pytest.raises(store.StoreError, match=column):
        store.load(exp.id)
    assert_unavailable(open_page(exp.id), column)
