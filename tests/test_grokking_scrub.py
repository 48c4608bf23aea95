"""Scrubbing through training on the grokking page (issue 17): weight snapshots stored
in the run result, their spectra, the one-spec chart whose slider filters every panel in
the browser, and scrubbing in a real browser (the page at 390 and 1400 px is checked with
every page in tests/test_layout.py)."""
import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dashboard.charts import grokking_scrub
from experiments import grokking, run
from experiments.framework import store
from experiments.numerics import modular_net as net

EXP = grokking.EXPERIMENT
SMALL = {"p": 7, "width": 16, "epochs": 60, "train_fraction": 0.6, "weight_decay": 1.0}


@pytest.fixture(scope="module")
def small_run():
    return run(EXP, SMALL, seeds=[3, 1]).frame


def test_snapshots_are_the_trainers_weights_of_the_lowest_seed(small_run):
    snaps = grokking.snapshots(small_run)
    assert set(snaps["seed"]) == {1}  # one seed's snapshots: the page scrubs one run
    epochs = sorted(snaps["epoch"].unique())
    assert epochs[0] == 1 and epochs[-1] == SMALL["epochs"]
    assert snaps["neuron"].nunique() == grokking.SNAPSHOT_NEURONS
    assert set(snaps["residue"]) == set(range(SMALL["p"]))
    params = EXP.validate(SMALL)
    middle = epochs[len(epochs) // 2]
    logs = {log["step"]: log for log in net.train(params, 1, [middle, epochs[-1]],
                                                  keep_weights=True)}
    final = logs[epochs[-1]]["weights"][0][: SMALL["p"]]
    chosen = np.argsort(-np.linalg.norm(final, axis=0))[: grokking.SNAPSHOT_NEURONS]
    assert set(snaps["neuron"]) == set(chosen.tolist())  # the largest at the end
    want = logs[middle]["weights"][0][: SMALL["p"]]
    got = snaps[snaps["epoch"] == middle]
    np.testing.assert_allclose(got["weight"], want[got["residue"], got["neuron"]], rtol=1e-6)


def test_snapshot_epochs_spread_over_the_log_schedule_with_the_milestones():
    steps = net.log_schedule(3000)
    picked = sorted(grokking.snapshot_steps(steps))
    assert picked[0] == 1 and picked[-1] == 3000
    assert 30 <= len(picked) <= grokking.SNAPSHOTS
    assert set(picked) <= set(steps.tolist())
    frame = run(EXP, {"p": 23, "width": 64, "epochs": 300, "train_fraction": 0.5,
                      "weight_decay": 1.0}, seeds=[0]).frame
    marks = grokking.milestones(frame)
    assert {marks["memorized"], marks["generalized"]} <= set(grokking.snapshots(frame)["epoch"])


def test_spectra_of_pure_waves_and_noise():
    """Independent reference: a neuron whose weights are cos(2 pi k a / p) has all its
    power at frequency k; the shares of any neuron sum to 1."""
    p, a = 11, np.arange(11)
    waves = {3: np.cos(2 * np.pi * 3 * a / p + 0.5), 5: 2 * np.sin(2 * np.pi * 5 * a / p),
             9: np.random.default_rng(0).standard_normal(p)}
    frame = pd.DataFrame([{"seed": 0, "metric": "neuron_weight", "step": 7, "neuron": n,
                           "residue": r, "value": w[r]} for n, w in waves.items() for r in a])
    spec = grokking.spectra(frame).set_index(["neuron", "frequency"])["power"]
    assert spec[(3, 3)] == pytest.approx(1.0) and spec[(5, 5)] == pytest.approx(1.0)
    np.testing.assert_allclose(spec.groupby("neuron").sum(), 1.0)
    assert spec.loc[9].max() < 0.9


def test_scrubber_is_one_spec_whose_slider_filters_every_panel(small_run):
    chart = grokking_scrub.training_scrubber(small_run)
    spec = chart.to_dict()
    n_snaps = grokking.snapshots(small_run)["epoch"].nunique()
    (param,) = spec["params"]
    assert param["name"] == grokking_scrub.PARAM
    assert param["bind"]["input"] == "range"
    bind = param["bind"]
    assert (bind["min"], bind["max"], bind["step"]) == (0, n_snaps - 1, 1)
    top, weights, power = spec["vconcat"]
    uses = f"datum.checkpoint === {grokking_scrub.PARAM}"
    filtered = [layer for layer in top["layer"]
                if any(uses in str(t.get("filter")) for t in layer.get("transform", []))]
    assert {layer["mark"]["type"] for layer in filtered} == {"rule", "point", "text"}
    for panel, field in ((weights, "weight"), (power, "power")):
        assert uses in str(panel["transform"][0]["filter"])
        assert panel["encoding"]["color"]["field"] == field
        assert panel["mark"]["type"] == "rect"
        rows = pd.DataFrame(spec["datasets"][panel["data"]["name"]])
        assert rows["checkpoint"].nunique() == n_snaps
        assert len(rows) == n_snaps * grokking.SNAPSHOT_NEURONS * (
            SMALL["p"] if field == "weight" else SMALL["p"] // 2 + 1)
    weight_rows = pd.DataFrame(spec["datasets"][weights["data"]["name"]])
    np.testing.assert_allclose(weight_rows.groupby("checkpoint")["weight"].apply(
        lambda w: w.abs().max()), 1.0, atol=1e-3)  # each snapshot scaled to its largest


def test_neurons_are_ordered_by_their_main_frequency(small_run):
    snaps, spectra = grokking.snapshots(small_run), grokking.spectra(small_run)
    _, _, order = grokking_scrub.neuron_tables(snaps, spectra)
    last = spectra[spectra["epoch"] == spectra["epoch"].max()]
    main = last.loc[last.groupby("neuron")["power"].idxmax()].set_index("neuron")["frequency"]
    assert sorted(order) == sorted(main.index.tolist())
    assert list(main[order]) == sorted(main[order])


def test_shipped_scrubber_payload_is_small():
    """What Streamlit sends the browser: the chart's data as Arrow tables."""
    frame, _ = store.load("grokking")
    snaps = grokking.snapshots(frame)
    assert snaps["epoch"].nunique() >= 30 and snaps["neuron"].nunique() >= 8
    weights, power, _ = grokking_scrub.neuron_tables(snaps, grokking.spectra(frame))
    size = sum(pa.Table.from_pandas(t, preserve_index=False).nbytes for t in (weights, power))
    assert size < 1_000_000, size
    with alt.data_transformers.enable("default", max_rows=None):
        assert grokking_scrub.training_scrubber(frame).to_dict()["params"]


# In the browser -----------------------------------------------------------------------------

SCRUBBER_JS = """() => {
    const input = document.querySelector('.vega-bindings input[type=range]');
    const embed = input && input.closest('.vega-embed');
    if (!embed) return null;
    const drawn = embed.querySelector('svg') || embed.querySelector('canvas');
    const r = embed.getBoundingClientRect();
    return {value: input.value, right: r.right,
            picture: drawn.tagName === 'svg' ? drawn.outerHTML : drawn.toDataURL()};
}"""


def open_grokking(page, url):
    from tests.helpers import wait_for_app, wait_for_charts

    page.goto(f"{url}/grokking", timeout=120_000)
    wait_for_app(page, 180_000)
    wait_for_charts(page, count=3, timeout=180_000)
    page.wait_for_function(f"() => ({SCRUBBER_JS})() !== null", timeout=120_000)


def test_scrubbing_redraws_the_weights_in_the_browser_without_a_rerun(dashboard_url, page):
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    open_grokking(page, dashboard_url)
    page.wait_for_timeout(1500)  # settle: the page's own messages are done
    before, frames = page.evaluate(SCRUBBER_JS), len(sent)
    slider = page.locator(".vega-bindings input[type=range]")
    slider.fill("0")  # sets the value and fires input/change, as dragging does
    page.wait_for_function(f"() => ({SCRUBBER_JS})().picture !== {before['picture']!r}",
                           timeout=10_000)
    page.wait_for_timeout(1500)
    after = page.evaluate(SCRUBBER_JS)
    assert after["value"] == "0" and before["value"] != "0"
    assert len(sent) == frames  # nothing went to the server: no rerun


def test_snapshot_claim_reads_the_strongest_share_per_neuron():
    from experiments.analysis.grokking import snapshot_claim

    spread, wave = [0.3, 0.4, 0.3], [0.05, 0.9, 0.05]
    rows = [{"epoch": e, "neuron": n, "frequency": k, "power": share[k]}
            for e, share in ((1, spread), (500, wave)) for n in (4, 9) for k in range(3)]
    claim = snapshot_claim(pd.DataFrame(rows), EXP.defaults())
    assert claim.holds and "40% of its power at epoch 1 and 90% at epoch 500" in claim.text
    rows = [{**row, "epoch": 501 - row["epoch"]} for row in rows]  # waves turning to noise
    assert not snapshot_claim(pd.DataFrame(rows), EXP.defaults()).holds
