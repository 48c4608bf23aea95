"""Memorize or generalize? The five deep-learning puzzles of the article in one guided
sequence: the question a reader asks, the one curve from that experiment's shipped result
that answers it, the experiment's own measured sentences, and a link to its page.
Each step loads its own result, so a missing or outdated file breaks only that step."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.charts import emergence as emergence_charts
from dashboard.charts import linear as linear_charts
from dashboard.charts import random_labels as random_labels_charts
from dashboard.charts.story import compact
from dashboard.ui import exports, labels
from experiments import (
    benign_overfitting,
    deep_double_descent,
    emergence,
    epoch_wise,
    random_labels,
)
from experiments.framework import registry
from experiments.framework.claims import by_key

TITLE = "Memorize or generalize?"
URL = "memorize-or-generalize"

STORY = """
Large neural networks can memorize anything, even pure noise, and yet they generalize.
They keep improving past the size at which they fit their training set perfectly, and
past the point in training where they do. Abilities seem to switch on suddenly as they
grow. Five questions a reader of the "nobody knows why" articles asks, each answered by
one curve from a real run in this lab. Every sentence is computed from the same shipped
result as the chart beside it, and each step links to the experiment's page.
"""

NEUTRAL = "The shipped result does not support the usual sentence here; read the chart."


@dataclass(frozen=True)
class Step:
    experiment: str
    question: str
    claims: Callable[[pd.DataFrame, dict], list]
    keys: tuple[str, ...]  # the experiment's claims that answer the question
    columns: tuple[str, ...]  # read by `chart`, checked when the file is loaded
    chart: Callable[[pd.DataFrame, dict], alt.TopLevelMixin]
    caption: str


def random_labels_chart(frame: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    return random_labels_charts.errors_chart(frame, chance=random_labels.CHANCE)


def benign_chart(frame: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    return linear_charts.risk_against_weak(
        frame, threshold=benign_overfitting.EXPERIMENT.threshold(params),
        null_risk=params["signal"] ** 2)


def epoch_wise_chart(frame: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    test = epoch_wise.curve(frame, "linear", "loss")
    return charts.over_steps(
        frame[frame["model"] == "linear"], metric="loss", y_title="mean squared error",
        log_y=False, peak=(float(test.idxmax()), float(test.max())))


def deep_double_descent_chart(frame: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    rows = frame[(frame["weight_decay"] == 0) & (frame["metric"] == "mse")]
    return charts.error_curve(
        rows, x="n_params", metric="mse",
        threshold=float(deep_double_descent.threshold_params(params)), log_y=False,
        x_title="weights of the network (log scale)", y_title="squared loss")


def emergence_chart(frame: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    return emergence_charts.scores_chart(frame, length=params["answer_length"], log_y=False)


STEPS = (
    Step("random_labels",
         "Can a network that memorizes random labels still generalize on real ones?",
         random_labels.claims, ("train_error_zero", "test_error_climbs_network"),
         ("model", "label_fraction", "split", "metric"), random_labels_chart,
         "Zhang et al. (2017): random features and a small network both fit any labelling; "
         "only the test error, against the true labels, tells true labels from noise."),
    Step("benign_overfitting",
         "Is fitting every noisy training label always harmful?",
         benign_overfitting.claims, ("benign_with_many_weak", "catastrophic_with_few_weak"),
         ("n_weak", "model", "source", "metric"), benign_chart,
         "Bartlett et al. (2020): minimum-norm interpolation (dark purple) against the best "
         "possible ridge (orange); lines are the theory."),
    Step("epoch_wise",
         "Does training longer, past the point of fitting, always make things worse?",
         epoch_wise.claims, ("linear_epoch_wise_double_descent",),
         ("model", "step", "split", "metric"), epoch_wise_chart,
         "Nakkiran et al. (2019); Heckel & Yilmaz (2021): a linear model whose features "
         "are learned at two speeds, exact test loss along the gradient-descent path."),
    Step("deep_double_descent",
         "Does a bigger network overfit more once it can fit its training set?",
         deep_double_descent.claims, ("peak_near_threshold", "widest_beats_peak"),
         ("n_params", "weight_decay", "split", "metric"), deep_double_descent_chart,
         "Belkin et al. (2019); Nakkiran et al. (2019): two-layer networks on digits with "
         "flipped labels; the dashed line is n_train x classes weights."),
    Step("emergence",
         "Do abilities really appear suddenly as models grow?",
         emergence.claims, ("exact_match_is_power", "late_onset"),
         ("n_params", "metric"), emergence_chart,
         "Schaeffer et al. (2023): per-token accuracy (smooth) and exact match of a whole "
         "answer (sharp), scored on the same predictions."),
)


def sentences(step: Step, frame: pd.DataFrame, params: dict) -> list[str]:
    """The step's measured sentences that hold, each with its regime; the neutral sentence
    in place of any that does not."""
    claims = by_key(step.claims(frame, params))
    out = []
    for key in step.keys:
        claim = claims.get(key)
        if claim is not None:
            out.append(labels.readable(f"{claim.text} *({claim.regime})*") if claim.holds
                       else NEUTRAL)
    return out


def step_chart(number: int, frame: pd.DataFrame, params: dict) -> alt.TopLevelMixin:
    return compact(STEPS[number - 1].chart(frame, params))


def step_view(frame: pd.DataFrame, provenance: dict, number: int) -> dict:
    """A step's chart (as the Vega-Lite spec Streamlit sends) and sentences, derived once
    per version of its shipped file for every visitor (dashboard/data.py)."""
    step = STEPS[number - 1]
    params = registry.get(step.experiment).validate(provenance["params"])
    spec, _rows = exports.vega_spec(step_chart, (number, frame, params), {})
    return {"spec": spec, "sentences": sentences(step, frame, params)}


def render_step(number: int, step: Step) -> None:
    st.subheader(f"{number}. {step.question}")
    view = data.derived_or_message(step.experiment, step_view, number, columns=step.columns)
    if view is not None:
        left, right = st.columns([3, 2], gap="medium")
        with left:
            st.vega_lite_chart(spec=view["spec"], width="stretch")
            st.caption(step.caption)
        with right:
            st.markdown("\n\n".join(view["sentences"]))
    st.markdown(f"[Open the {registry.get(step.experiment).title.split(':')[0]} page]"
                f"(/{step.experiment})")


def render() -> None:
    st.title(TITLE)
    st.markdown(STORY)
    for number, step in enumerate(STEPS, start=1):
        render_step(number, step)
    st.markdown(
        "**The thread.** Every model in these five steps can fit its training set exactly. "
        "Whether that hurts depends on the labels, on where the fit can put the noise and on "
        "how far the model is from the interpolation threshold, not on its size alone. The "
        "Home page shows the same peak and second descent on random features.")
