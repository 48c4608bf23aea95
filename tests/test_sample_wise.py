"""Sample-wise double descent on diabetes: SCIENCE.md's figures, each ablation removes
the peak, and the fit equals np.linalg.pinv."""
import numpy as np
import pytest

from experiments import run
from experiments import sample_wise as sw
from experiments.params import ParamError

EXP = sw.EXPERIMENT


def median_test_curve(params, seeds=40):
    frame = run(EXP, params, seeds=seeds)
    return frame[frame["split"] == "test"].groupby("n_train")["value"].median()


@pytest.fixture(scope="module")
def plain():
    return median_test_curve({})


def test_more_data_hurts_up_to_the_threshold(plain):
    """SCIENCE.md: median test MSE ~5e5 at n = 10 against ~4e4 at n = 2 or 39."""
    assert plain.idxmax() == 10
    assert 2e5 < plain.loc[10] < 1.5e6
    assert plain.loc[2] < 8e4 and plain.loc[39] < 8e4
    assert plain.loc[10] > 5 * max(plain.loc[2], plain.loc[39])
    assert plain.loc[8] > plain.loc[4]  # rising as data is added


@pytest.mark.parametrize("ablation", ["cut_small_singular", "project_test", "remove_noise"])
def test_each_ablation_removes_the_peak(plain, ablation):
    ablated = median_test_curve({ablation: True})
    peak_ratio = plain.loc[10] / plain.loc[39]
    assert ablated.loc[10] / max(ablated.loc[39], 1e-300) < peak_ratio / 5 or ablated.loc[10] < 1e-6
    assert ablated.loc[10] < plain.loc[10] / 5


def test_fit_equals_pinv_without_ablations():
    params = EXP.validate({})
    x, y = sw.data(params)
    rng = np.random.default_rng(0)
    for n in (3, 10, 25):
        rows = rng.choice(len(y), n, replace=False)
        _, pred = sw.fit_predict(x[rows], y[rows], x, params)
        np.testing.assert_allclose(pred, x @ (np.linalg.pinv(x[rows]) @ y[rows]), rtol=1e-8)


def test_training_error_is_zero_until_the_threshold():
    frame = run(EXP, {"max_train": 20}, seeds=3)
    train = frame[frame["split"] == "train"].groupby("n_train")["value"].max()
    assert train.loc[:10].max() < 1e-12 < train.loc[15]


@pytest.mark.parametrize("params, fragment", [
    ({"dataset": "iris"}, "dataset"), ({"max_train": 5}, "max_train"), ({"top_k": 0}, "top_k"),
    ({"cutoff": 0}, "cutoff"), ({"remove_noise": "perhaps"}, "remove_noise"),
])
def test_bad_parameters_are_rejected(params, fragment):
    with pytest.raises(ParamError, match=fragment):
        run(EXP, params, seeds=1)
