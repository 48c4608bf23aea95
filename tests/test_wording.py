"""Counted nouns read as English: "1 seed", "3 seeds", never "3 seed(s)"."""
import pandas as pd
import pytest

from experiments.framework.schema import SchemaError, check_tidy
from experiments.framework.wording import count, plural


def test_one_is_singular_and_every_other_count_plural():
    assert [count(n, "seed") for n in (0, 1, 2)] == ["0 seeds", "1 seed", "2 seeds"]
    assert count(1, "run") == "1 run" and plural(2, "column") == "columns"
    assert plural(3, "child", "children") == "children"
    assert plural(1, "child", "children") == "child"


@pytest.mark.parametrize("drop, message", [
    (["seed"], "missing required column: seed"),
    (["seed", "value"], "missing required columns: seed, value"),
])
def test_a_result_missing_columns_says_which_in_plain_english(drop, message):
    frame = pd.DataFrame({"experiment": ["x"], "seed": [0], "split": ["test"],
                          "metric": ["mse"], "value": [1.0]}).drop(columns=drop)
    with pytest.raises(SchemaError, match=message):
        check_tidy(frame)
