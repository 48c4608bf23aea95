"""The U-turn: the shipped trees results against raw and against effective parameters.

Left, Belkin's composite count: test error rises as one tree grows to interpolation,
then falls as trees are added (double descent). Right, the same points against each
model's effective number of parameters: the second stage walks back to *fewer*
effective parameters; at matched p_eff the second stage's error is measured against the
first stage's (experiments/trees.py `claims`), and it is lower: not the same U.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.charts import trees as trees_charts
from dashboard.ui import exports, labels, permalink
from experiments import trees
from experiments.framework import registry
from experiments.framework.claims import by_key

TITLE = "The U-turn"
URL = "u-turn"

MODELS = {"forest": ("leaves", "trees"), "boosting": ("rounds", "ensembles")}
METRICS = ("mse", "error_rate")
COLUMNS = ("n_train",)

STORY = r"""
Belkin et al. (2019) found double descent beyond neural networks by sweeping a
**composite** axis: a random forest first lets one tree grow more leaves until it
interpolates the training set, then adds more trees; boosting first adds rounds, then
averages independently boosted models. Curth, Jeffares and van der Schaar (2023)
noticed that the second descent starts exactly where the axis **switches**, and asked
how complex each model really is. Every model here predicts a weighted average of the
training labels, $\hat y(x_0) = s(x_0)^\top y$, and the **effective number of
parameters** $p_\text{eff} = n \cdot \operatorname{mean}_{x_0} \lVert s(x_0) \rVert^2$
(the mean taken over test points) counts, in plain words, how many training labels each
prediction leans on.
"""

LESSON = """
**What this says about double descent.** Growing one model (leaves, boosting rounds)
adds effective parameters, and past a point its test error rises: the first stage is
an ordinary U. Averaging trees, or boosted models, adds raw parameters but no
flexibility at new inputs: each prediction is spread over more training labels, so
the effective parameters *fall*. Against them the second stage therefore does not
continue to the right of the peak; it turns back left, and the peak only marks where two
complexity axes were glued onto one parameter count (Curth, Jeffares & van der Schaar
2023; Belkin et al. 2019). But the second stage does not walk back down the *same* U: the
diamonds mark points of the two stages with (nearly) equal effective parameters, and the
sentence under each pair of charts gives their errors. Effective parameters count how many
training labels each prediction leans on; they do not capture the variance that averaging
many different models removes, so they explain where the peak sits, not why the averaged
models are better. They are measured at new test inputs: at its own training points an
interpolating model simply returns their labels.
"""


def outline(frame, provenance: dict) -> dict:
    """The datasets, the claims and the provenance: derived once per shipped file."""
    return {"datasets": list(dict.fromkeys(frame["dataset"])), "provenance": provenance,
            "claims": by_key(trees.claims(frame,
                                          registry.get("trees").validate(provenance["params"])))}


def panels(frame, provenance: dict, dataset: str, metric: str | None) -> dict:
    """One dataset's rows per model for `metric` (the first available when None), and the
    matched pair of each model's two stages."""
    rows = frame[frame["dataset"] == dataset]
    metrics = [m for m in METRICS if m in set(rows["metric"])]
    metric = metric if metric in metrics else metrics[0]
    models = {}
    for model in [m for m in MODELS if m in set(rows["model"])]:
        shown = rows[(rows["model"] == model) & (rows["metric"] == metric)]
        pair = (pd.DataFrame(trees.matched_pair(trees.stage_medians(shown)))
                if metric == "mse" else None)
        models[model] = (shown, pair)
    return {"metrics": metrics, "n_train": int(rows["n_train"].iloc[0]), "models": models}


def render() -> None:
    st.title(TITLE)
    st.markdown(STORY)
    if data.derived_or_message("trees", outline, columns=COLUMNS) is not None:
        view()
    st.markdown(LESSON)


@st.fragment
def view() -> None:
    """The controls and the charts: a control change reruns only this, drawing what is
    derived once per (dataset, metric) for every visitor (dashboard/data.py)."""
    shape = data.derived_or_message("trees", outline, columns=COLUMNS)
    if shape is None:
        return
    datasets, provenance, claims = shape["datasets"], shape["provenance"], shape["claims"]
    left, right = st.columns(2)
    start = permalink.choice("dataset", datasets, datasets[0])
    dataset = left.radio("Dataset", datasets, index=datasets.index(start), horizontal=True,
                         key="u_turn.dataset")
    metrics = data.from_shipped("trees", panels, dataset, None, columns=COLUMNS)["metrics"]
    metric = right.radio("Test error", metrics, format_func=labels.metric, horizontal=True,
                         index=metrics.index(permalink.choice("metric", metrics, metrics[0])),
                         key="u_turn.metric")
    permalink.remember(dataset=dataset, metric=metric)
    drawn = data.from_shipped("trees", panels, dataset, metric, columns=COLUMNS)
    for model, (shown, pair) in drawn["models"].items():
        first, second = (labels.STAGES[s] for s in MODELS[model])
        st.subheader(f"{labels.MODELS[model]}: {first}, then {second}")
        raw, effective = st.columns(2)
        with raw:
            exports.show_built(trees_charts.composite_chart, shown,
                               f"u-turn-{model}-{dataset}-raw", shown, metric,
                               title="Against the raw parameter count: double descent")
        with effective:
            exports.show_built(trees_charts.effective_chart, shown,
                               f"u-turn-{model}-{dataset}-effective", shown, metric,
                               title="Against effective parameters: the second stage turns back",
                               matched=pair)
        for kind in ("first_u", "turns_back", "matched"):
            claim = claims.get(f"{kind}_{model}_{dataset}")
            if claim is not None:
                st.markdown(labels.readable(f"{claim.text} *({claim.regime})*") if claim.holds else
                            "The data shown do not support this comparison; read the charts.")
    exports.provenance_expander(provenance, "Provenance of the trees result")
    st.caption(f"{dataset}, n_train = {drawn['n_train']}; median over "
               f"{len(provenance.get('seeds', []))} seeds (band: inter-quartile range). The "
               "circle marks the axis switch; points are joined in the order of the composite "
               "count."
               + (" On digits a tree stops splitting once every leaf holds a single class, so "
                  "the leaves stage flattens before max leaves = n_train." if dataset == "digits"
                  else ""))
