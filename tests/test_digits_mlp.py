"""The packed two-layer network: hand-derived gradients against finite differences, models
trained side by side equal models trained alone, and the weight count."""
import numpy as np
import pytest

from experiments.numerics import digits_mlp as mlp


def small_problem(widths=(3, 5), dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    nets = mlp.init(widths, 6, 4, rng)
    for name in ("w1", "b1", "w2", "b2"):
        setattr(nets, name, (getattr(nets, name) + 0.1 * rng.standard_normal(
            getattr(nets, name).shape)).astype(dtype))
    x = rng.standard_normal((9, 6)).astype(dtype)
    target = np.eye(4)[rng.integers(0, 4, 9)].astype(dtype)
    return nets, x, target


def total_loss(nets, x, target, wd):
    penalty = 0.5 * wd * (np.sum(nets.w1**2) + np.sum(nets.w2**2))
    return float(mlp.losses(mlp.forward(nets, x)[0], target).sum() + penalty)


@pytest.mark.parametrize("wd", [0.0, 0.3])
def test_gradients_match_finite_differences(wd):
    """Each model's gradient is its own loss's; summing the losses checks every block at once
    (a block's weights do not touch the other models), weight decay included."""
    nets, x, target = small_problem()
    grads, _ = mlp.gradients(nets, x, target, wd)
    step = 1e-6
    for array, grad in zip(nets.arrays(), grads):
        numeric = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            keep = array[i]
            array[i] = keep + step
            up = total_loss(nets, x, target, wd)
            array[i] = keep - step
            down = total_loss(nets, x, target, wd)
            array[i] = keep
            numeric[i] = (up - down) / (2 * step)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_models_trained_side_by_side_equal_models_trained_alone():
    nets, x, target = small_problem((3, 5), np.float32, seed=1)
    alone = []
    for m, blk in enumerate(nets.blocks()):
        one = mlp.Nets(nets.w1[:, blk].copy(), nets.b1[blk].copy(), nets.w2[blk].copy(),
                       nets.b2[m:m + 1].copy(), np.array([0, blk.stop - blk.start]))
        alone.append(mlp.train(one, x, target, 50, 0.01, 0.01)[0])
    together = mlp.train(nets, x, target, 50, 0.01, 0.01)
    np.testing.assert_allclose(together, alone, rtol=1e-5)


def test_training_reaches_zero_loss_when_wide():
    nets, x, target = small_problem((40,), np.float32, seed=2)
    assert mlp.train(nets, x, target, 800, 0.01)[0] < 1e-4


def test_weight_count_and_its_inverse():
    assert mlp.n_weights(10, 64, 10) == 64 * 10 + 10 + 10 * 10 + 10
    assert mlp.width_for_params(mlp.n_weights(27, 64, 10), 64, 10) == pytest.approx(27)


def test_subnormals_are_flushed():
    nets, x, target = small_problem((4,), np.float32, seed=3)
    opt = mlp.Adam(nets.arrays(), 0.01)
    grads = [np.full_like(a, 1e-39) for a in nets.arrays()]
    opt.update(nets.arrays(), grads)
    assert all(not np.any((m != 0) & (np.abs(m) < 1e-30)) for pair in opt.moments for m in pair)
