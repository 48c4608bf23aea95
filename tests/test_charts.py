"""Chart builders are pure: checked through their Vega-Lite dicts."""
import numpy as np
import pandas as pd
import pytest

from dashboard import aggregate, charts
from dashboard.aggregate import classical_range, seed_summary
from dashboard.charts import curves as curve_charts


def sweep_frame():
    rows = []
    for seed in range(5):
        for p in (1, 2, 5, 10, 20, 40):
            test = 1.0 / p + (100.0 if p == 10 else 0.0) * (seed + 1)
            train = 0.0 if p >= 10 else 0.5 / p
            rows += [(seed, "test", "mse", test, p), (seed, "train", "mse", train, p)]
    return pd.DataFrame(rows, columns=["seed", "split", "metric", "value", "n_params"])


def layer_data(spec):
    """Every inline dataset of a (layered) Vega-Lite spec, as lists of row dicts."""
    return list(spec.get("datasets", {}).values())


def test_error_curve_never_puts_zero_on_a_log_axis():
    spec = charts.error_curve(sweep_frame(), x="n_params", metric="mse", threshold=10).to_dict()
    rows = [r for data in layer_data(spec) for r in data if "centre_plot" in r]
    assert rows and min(min(r["centre_plot"], r["low_plot"]) for r in rows) > 0
    train_zero = [r for r in rows if r["split"] == "train" and r["centre"] == 0]
    assert train_zero and all(r["centre_plot"] > 0 for r in train_zero)


def test_error_curve_marks_the_threshold_and_binds_the_legend():
    spec = charts.error_curve(sweep_frame(), x="n_params", metric="mse", threshold=10).to_dict()
    text = str(spec)
    assert "interpolation threshold" in text and "'strokeDash': [6, 4]" in text
    assert any(p.get("bind") == "legend" for p in spec["params"])
    assert "'type': 'log'" in text


def test_error_curve_uses_the_median_not_the_mean():
    spec = charts.error_curve(sweep_frame(), x="n_params", metric="mse").to_dict()
    peak = [r for d in layer_data(spec) for r in d if r.get("n_params") == 10
            and r.get("split") == "test"]
    assert peak[0]["centre"] == pytest.approx(0.1 + 300.0)  # median seed (2 -> 3 * 100)


def test_y_max_clips_and_says_so():
    spec = charts.error_curve(sweep_frame(), x="n_params", metric="mse", y_max=50).to_dict()
    rows = [r for d in layer_data(spec) for r in d if "centre_plot" in r]
    assert max(r["centre_plot"] for r in rows) == 50
    assert "Axis cut: the peak median is 3e+02; 1 point above" in " ".join(
        spec["title"]["subtitle"])


def test_linear_axes_when_asked():
    spec = charts.error_curve(sweep_frame(), x="n_params", metric="mse", log_x=False,
                              log_y=False).to_dict()
    assert "'type': 'log'" not in str(spec)


def test_unknown_metric_is_a_clear_error():
    with pytest.raises(ValueError, match="no rows with metric 'risk'"):
        charts.error_curve(sweep_frame(), x="n_params", metric="risk")


def test_seed_summary_centres_and_bands():
    summary = seed_summary(sweep_frame(), "n_params")
    row = summary[(summary["n_params"] == 10) & (summary["split"] == "test")].iloc[0]
    values = 0.1 + 100.0 * np.arange(1, 6)
    assert row["centre"] == pytest.approx(np.median(values))
    assert (row["low"], row["high"]) == pytest.approx(tuple(np.quantile(values, [0.25, 0.75])))
    geo = seed_summary(sweep_frame(), "n_params", centre="geomean", band="std")
    assert geo[geo["split"] == "test"]["centre"].gt(0).all()
    assert geo[(geo["split"] == "train") & (geo["n_params"] >= 10)]["centre"].eq(0).all()


@pytest.mark.parametrize("centre", ["median", "geomean", "mean"])
@pytest.mark.parametrize("band", ["iqr", "std", "bootstrap", "none"])
def test_seed_summary_equals_a_loop_over_groups(centre, band):
    """The grouped summary does per group exactly what numpy does on that group alone:
    groups of 1 to 7 seeds, rows out of order, a missing series key, summary rows left out."""
    rng = np.random.default_rng(3)
    rows = [(seed, split, p, rng.lognormal() if seed % 4 else 0.0)
            for p in (3, 1, 2, 8) for split in ("test", "train", None)
            for seed in range((p + len(split or "")) % 7 + 1)]
    frame = pd.DataFrame(rows, columns=["seed", "split", "n_params", "value"]).sample(
        frac=1.0, random_state=0)
    frame = pd.concat([frame, frame.head(3).assign(seed=-1)])
    got = seed_summary(frame, "n_params", centre=centre, band=band)
    kept = frame[frame["seed"] >= 0]
    assert len(got) == 12 and got["seeds"].sum() == len(kept)
    for (p, split), group in kept.groupby(["n_params", "split"], dropna=False):
        row = got[(got["n_params"] == p)
                  & (got["split"].fillna("-") == ("-" if pd.isna(split) else split))]
        values = group["value"].to_numpy()
        positive = values[values > 0]
        mid = {"median": np.median(values), "mean": np.mean(values),
               "geomean": np.exp(np.mean(np.log(positive))) if positive.size else 0.0}[centre]
        spread = np.std(values, ddof=1) if values.size > 1 else 0.0
        low, high = {"iqr": (np.quantile(values, 0.25), np.quantile(values, 0.75)),
                     "std": (mid - spread, mid + spread), "none": (mid, mid),
                     "bootstrap": aggregate._bootstrap(values, centre)}[band]
        assert row[["centre", "low", "high", "seeds"]].values.tolist() == [
            [mid, low, high, len(values)]]


def test_classical_range_stops_where_the_u_turns_back_up():
    frame = pd.DataFrame({"seed": 0, "split": "test", "metric": "mse",
                          "n_params": np.arange(1, 11),
                          "value": [5, 2, 1, 0.5, 0.6, 1, 3, 6, 50, 100]})
    assert classical_range(frame, "n_params", "mse", threshold=10) == 8


def test_decomposition_and_fitted_curves_build():
    frame = pd.DataFrame({"seed": -1, "split": "test", "metric": ["bias2", "variance", "noise"] * 2,
                          "value": [0.1, 0.0, 0.01, 0.2, 5.0, 0.01],
                          "n_params": [1, 1, 1, 2, 2, 2]})
    spec = curve_charts.stacked_decomposition(frame, x="n_params", threshold=2).to_dict()
    plotted = [r["value_plot"] for d in layer_data(spec) for r in d if "value_plot" in r]
    assert min(plotted) > 0
    curves = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 1, 1e9, -1e9],
                           "curve": ["true f", "true f", "degree 9", "degree 9"]})
    points = pd.DataFrame({"x": [0.5], "y": [0.4]})
    spec = curve_charts.fitted_curves_chart(curves, points).to_dict()
    assert max(abs(r["y_plot"]) for d in layer_data(spec) for r in d if "y_plot" in r) < 10


def test_theory_chart_layers_simulation_points_and_theory_lines():
    from dashboard.charts.linear import theory_vs_simulation

    rows = []
    for seed in (-1, 0, 1):
        for gamma in (0.5, 2.0):
            rows.append({"seed": seed, "split": "test", "metric": "risk", "gamma": gamma,
                         "value": gamma + 0.1 * max(seed, 0), "ridge_label": "0 (minimum norm)",
                         "source": "theory" if seed < 0 else "empirical"})
    spec = theory_vs_simulation(pd.DataFrame(rows)).to_dict()
    text = str(spec)
    assert "'mark': {'type': 'line'" in text.replace('"', "'") or "'line'" in text
    data = [r for d in spec["datasets"].values() for r in d]
    assert any(r.get("source") == "theory" for r in data)
    assert all(r.get("centre_plot", 1) > 0 for r in data)


def test_scaling_frontier_and_heatmap():
    from dashboard.charts.scaling import frontier, grid_heatmap

    grid = pd.DataFrame([{"n_params": p, "n_train": n, "flops": p * n,
                          "centre": 1 / np.sqrt(p) + 1 / np.sqrt(n)}
                         for p in (10, 100, 1000) for n in (10, 100, 1000)])
    best = frontier(grid)
    assert best["centre"].is_monotonic_decreasing
    assert best.iloc[-1][["n_params", "n_train"]].tolist() == [1000, 1000]
    spec = grid_heatmap(grid).to_dict()
    assert "rect" in str(spec) and "viridis" in str(spec)
    cells = spec["layer"][0]["encoding"]
    for channel in ("x", "y"):  # "1,000" as on the other count axes, not "1000"
        assert cells[channel]["axis"] == {"format": ",d", "formatType": "number"}


def test_scaling_chart_marks_extrapolation():
    from dashboard.charts.scaling import fit_lines, scaling_chart
    from experiments.numerics.powerlaw import bootstrap

    x = np.geomspace(30, 1000, 6)
    frame = pd.concat([pd.DataFrame({"seed": s, "n_train": x, "family": "svm",
                                     "value": (0.01 + 2 * x ** -0.6) * (1 + 0.05 * s)})
                       for s in range(4)])
    lines = fit_lines({"svm": bootstrap(frame, "n_train", draws=30)}, (30, 1000), 10000)
    assert set(lines["part"]) == {"fitted", "extrapolated"}
    summary = seed_summary(frame.assign(metric="e", split="test"), "n_train", "family")
    spec = scaling_chart(summary, lines, x="n_train", y_title="error").to_dict()
    assert "strokeDash" in str(spec)
