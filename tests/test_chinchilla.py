"""The Chinchilla fitter: recovers a law from its own values, covers the truth, and gives
the compute-optimal allocation a brute-force search finds."""
import numpy as np
import pandas as pd
import pytest

from experiments.numerics.chinchilla import (
    Law,
    allocation,
    bootstrap_law,
    cell_means,
    fit_law,
    iso_flop_views,
)
from experiments.numerics.powerlaw import PowerLawError

TRUE = {"E": 0.1, "A": 2.0, "alpha": 0.5, "B": 8.0, "beta": 0.4}
N, D = np.meshgrid([8, 16, 32, 64, 128, 256, 512.], [64, 128, 256, 512, 1024, 2048, 4096, 8192.],
                   indexing="ij")
N, D = N.ravel(), D.ravel()


def law_values(n=N, d=D, **over):
    c = {**TRUE, **over}
    return c["E"] + c["A"] * n ** -c["alpha"] + c["B"] * d ** -c["beta"]


def seeds(rng, noise=0.05, count=10, **over):
    def draw(s):
        noisy = law_values(**over) * np.exp(noise * rng.standard_normal(N.size))
        return pd.DataFrame({"seed": s, "n_params": N, "n_train": D, "value": noisy})

    return pd.concat([draw(s) for s in range(count)])


def test_exact_values_are_recovered_exactly():
    law = fit_law(N, D, law_values())
    assert (law.E, law.A, law.alpha, law.B, law.beta) == pytest.approx(tuple(TRUE.values()),
                                                                       rel=1e-4)
    assert law.r2_log == pytest.approx(1.0) and law.e_identified
    assert law.a == pytest.approx(0.4 / 0.9) and law.b == pytest.approx(0.5 / 0.9)


def test_compute_optimal_size_matches_a_brute_force_search():
    law = Law(**TRUE, r2_log=1.0, e_identified=True)
    for budget in (1e6, 1e8, 1e10):
        sizes = np.geomspace(1, 1e8, 200001)
        brute = sizes[np.argmin(law.predict(sizes, budget / (6 * sizes)))]
        assert law.optimal_n(budget) == pytest.approx(brute, rel=1e-3)
        assert 6 * law.optimal_n(budget) * law.optimal_d(budget) == pytest.approx(budget)
    slope = np.polyfit(np.log([1e6, 1e12]), np.log(law.optimal_n([1e6, 1e12])), 1)[0]
    assert slope == pytest.approx(law.a)


def test_zero_irreducible_loss_is_not_identified():
    law = fit_law(N, D, law_values(E=0.0))
    assert not law.e_identified and "~0" in law.equation()


@pytest.mark.slow
def test_bootstrap_intervals_cover_the_truth():
    """90% intervals from 10 noisy seeds, over 16 synthetic experiments: the exponents
    and the allocation a are covered at close to the nominal rate."""
    rng, hits = np.random.default_rng(0), {"alpha": 0, "beta": 0, "a": 0, "E": 0}
    truth = {**TRUE, "a": 0.4 / 0.9}
    for rep in range(16):
        boot = bootstrap_law(seeds(rng), draws=60, seed=rep)
        for name in hits:
            low, high = boot.interval(name)
            hits[name] += low <= truth[name] <= high
    assert min(hits["alpha"], hits["beta"], hits["a"]) >= 11, hits
    assert hits["E"] >= 8, hits


def test_iso_flop_views_and_allocation():
    boot = bootstrap_law(seeds(np.random.default_rng(1), count=3), draws=20)
    cells, curves, optima = iso_flop_views(cell_means(seeds(np.random.default_rng(2), count=2)),
                                           boot.fit)
    assert np.allclose(cells["budget"], 6 * cells["n_params"] * cells["n_train"])
    assert set(curves["budget"]) == set(optima["budget"]) == set(cells["budget"])
    for budget, group in curves.groupby("budget"):
        assert optima.set_index("budget").loc[budget, "loss"] <= group["loss"].min() + 1e-12
    rows = allocation(boot, np.geomspace(1e5, 1e8, 5))
    assert (rows["low"] <= rows["value"] + 1e-9).all()
    assert (rows["value"] <= rows["high"] + 1e-9).all()
    assert boot.seeds == 3 and boot.cells == N.size


@pytest.mark.parametrize("n, d, loss, fragment", [
    (N[:5], D[:5], law_values()[:5], "at least"),
    (N, D, -law_values(), "positive"),
    (N, D[:-1], law_values(), "same length"),
])
def test_degenerate_input_is_refused(n, d, loss, fragment):
    with pytest.raises(PowerLawError, match=fragment):
        fit_law(n, d, loss)
