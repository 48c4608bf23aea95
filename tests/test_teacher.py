"""The compute-optimal teacher: exact risks, checked by simulation, and a sensible law."""
import numpy as np
import pytest

from experiments.numerics import teacher as t
from experiments.numerics.chinchilla import fit_law


def test_tail_risk_matches_a_direct_sum():
    k = np.arange(9, 2 * 10**7, dtype=float)
    direct = np.sum(k ** -(t.SPECTRUM + t.WEIGHTS))
    assert t.tail_risk(8) == pytest.approx(direct, rel=2e-3)


def test_exact_risk_matches_a_simulated_test_set():
    """Independent reference: the mean squared error of a fixed model on 40,000 fresh
    teacher examples (500 features drawn, the rest of the tail as Gaussian noise)."""
    rng = np.random.default_rng(0)
    n, width, m = 16, 500, 40_000
    k = np.arange(1, width + 1, dtype=float)
    lam, w = k ** -t.SPECTRUM, k ** (-t.WEIGHTS / 2)
    theta = w[:n] + 0.1 * rng.standard_normal(n)
    exact = t._risk(theta, lam, w, t.tail_risk(n))
    x = rng.standard_normal((m, width)) * np.sqrt(lam)
    y = x @ w + np.sqrt(t.tail_risk(width) + t.NOISE**2) * rng.standard_normal(m)
    assert np.mean((y - x[:, :n] @ theta) ** 2) == pytest.approx(exact, rel=0.03)


def test_losses_fall_with_model_size_and_data():
    cells = np.array(t.teacher_cells(0))
    loss = cells[:, 2].reshape(len(t.DATA), len(t.SIZES))
    assert (loss > t.NOISE**2).all()
    assert np.all(np.diff(loss[-1]) < 0) and np.all(np.diff(loss[:, -1]) < 0)


@pytest.mark.slow
def test_seeds_are_reproducible_and_differ():
    assert t.teacher_cells(3) == t.teacher_cells(3)
    assert t.teacher_cells(3) != t.teacher_cells(4)


@pytest.mark.slow
def test_teacher_reproduces_a_sensible_law():
    """Three seeds: the fitted N exponent is near the tail-sum exponent, E near the noise
    floor, and both model size and data take a share of extra compute."""
    cells = np.array([c for s in range(3) for c in t.teacher_cells(s)])
    n, d = cells[: len(cells) // 3, 0], cells[: len(cells) // 3, 1]
    law = fit_law(n, d, cells[:, 2].reshape(3, -1).mean(0))
    assert law.r2_log > 0.95
    assert law.alpha == pytest.approx(t.approximation_exponent(), abs=0.2)
    assert 0.5 < law.E / t.NOISE**2 < 2
    assert 0.25 < law.a < 0.75
