"""The one label map: column, metric, value and setting names as a reader should see them.

Charts take their axis, legend and tooltip titles from here, and the settings form its
control labels and help, so a quantity is called the same thing, with the same unit,
everywhere, and no raw column name (`ridge_label`, `n_params`) reaches the screen.
Names not listed are shown with their underscores as spaces (`human`).
"""
from __future__ import annotations

import re
import textwrap

from dashboard.ui.settings_text import HELP, SETTINGS
from experiments.framework import registry

METRICS = {
    "mse": "squared loss",
    "error_rate": "0-1 error",
    "loss": "mean squared error",
    "risk": "risk (test error minus noise)",
    "excess_risk": "excess risk (test error minus noise)",
    "coef_norm": "size of the fitted coefficients (norm)",
    "sigma_min": "smallest singular value of the feature matrix",
    "accuracy": "accuracy",
    "weight_norm": "weight norm",
    "fourier_ipr": "Fourier sparsity (1 = a single frequency)",
    "epochs_to_fit": "epochs to fit",
    "epochs_to_generalize": "epochs to generalize",
    "epochs_to_memorize": "epochs to memorize",
    "edit_distance": "wrong digits per answer",
    "mse_inside": "squared loss inside the training range",
    "restricted_loss": "restricted loss",
    "excluded_loss": "excluded loss",
    "token_accuracy": "per-token accuracy",
    "exact_match": "exact match",
    "token_accuracy_pow_l": "per-token accuracy to the power L",
    "extrapolation_share": "share of error from outside the training range",
}

COLUMNS = {
    "n_params": "parameters",
    "n_train": "training size",
    "gamma": "γ = parameters / samples",
    "n_weak": "number of weak directions",
    "params_per_sample": "parameters / training samples (10 / n)",
    "label_fraction": "share of training labels randomized",
    "train_fraction": "training fraction",
    "weight_decay": "weight decay",
    "step": "step",
    "effective_params": "effective parameters",
    "ridge": "ridge penalty λ",
    "ridge_label": "ridge penalty λ",
    "label_noise": "labels flipped",
    "split": "data",
    "family": "model family",
    "model": "model",
    "curve": "curve",
    "score": "score",
    "stage": "axis moving",
    "points": "test points",
    "setting": "training labels, ridge",
    "seeds": "seeds",
    "seed": "seed",
    "init_scale": "initial weight scale",
    "n_eval": "test points",
    "n_errors": "test errors",
    "stage_size": "size of the moving axis",
    "answer_length": "answer length L",
    "flops": "training FLOPs",
    "metric": "quantity",
    "variant": "variant",
    "source": "source",
    "degree": "degree",
}

N_PARAMS = {  # what the parameter count is in each experiment
    "polynomial": "coefficients (degree + 1)",
    "random_features": "random features N",
    "deep_double_descent": "weights of the network (log scale)",
    "emergence": "model size N (random features)",
    "trees": "composite parameter count",
}

MODELS = {
    "forest": "Random forest",
    "boosting": "L2-boosting",
    "random_features": "random features",
    "network": "network",
    "train_mean": "predict the training mean",
    "zero": "predict zero",
}

VALUES = {  # nominal values stored in result columns, as a legend shows them
    "random_features": "random features", "rbf_svm": "RBF SVM",
    "logistic": "logistic regression", "mlp": "neural network (MLP)",
    "linear_features": "linear features", "forest": "random forest", "boosting": "L2-boosting",
    "train_mean": "predict the training mean", "zero": "predict zero",
    "least_squares": "least squares", "interpolator": "minimum-norm interpolator",
    "oracle_ridge": "optimally tuned ridge", "compute_optimal": "compute-optimal",
    "cut_small_singular": "cut small singular", "project_test": "project test",
    "remove_noise": "remove noise", "plain": "no ablation", "bias2": "bias²",
    "optimal": "optimal λ*",
}

STAGES = {"leaves": "leaves", "trees": "trees", "rounds": "rounds",
          "ensembles": "averaged ensembles"}

SCRUB = {  # the scrub-the-model-size charts (dashboard/charts/scrub.py)
    "slider": "model (0 = smallest)",
    "x": "input x",
    "y": "output y",
    "slice": "position along a line through the {dim}-dimensional input",
    "prediction": "prediction",
    "target": "test target (true value plus noise)",
}
SNAKE = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")  # a raw identifier such as n_params


SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
READABLE = (  # ASCII math and code names in measured sentences, as a reader reads them
    (re.compile(r"\|\|\s*(\S+?)\s*\|\|"), r"‖\1‖"),
    (re.compile(r"\bp_eff\b"), "effective parameters"),
    (re.compile(r"\bn_train\b"), "n"),
    (re.compile(r"\bx_train\b"), "training x"),
    (re.compile(r"\bn_params\b"), "parameters"),
    (re.compile(r"\bsigma_min\b"), "smallest singular value"),
    (re.compile(r"\blambda\*"), r"λ\*"),
    (re.compile(r"\blambda\b"), "λ"),
    (re.compile(r"\bsigma\b"), "σ"),
    (re.compile(r"\bgamma\b"), "γ"),
    (re.compile(r"\balpha\b"), "α"),
    (re.compile(r"\bbeta\b"), "β"),
    (re.compile(r"\^(-?\d+)"), lambda m: m.group(1).translate(SUPERSCRIPTS)),
)


def readable(text: str) -> str:
    """A measured sentence with its ASCII math as symbols ('lambda = 0.1' -> 'λ = 0.1',
    'r^2' -> 'r²') and code names as words ('p_eff' -> 'effective parameters')."""
    for pattern, replacement in READABLE:
        text = pattern.sub(replacement, text)
    return text


def experiment_name(experiment_id: str) -> str:
    """An experiment's short name: its title up to the colon ("Grokking" for "Grokking:
    memorize first, ...")."""
    return registry.get(experiment_id).title.split(":")[0]


def human(name: str) -> str:
    """A name not in the maps, with its underscores as spaces."""
    return name.replace("_", " ")


def metric(name: str, split: str | None = None) -> str:
    """'test 0-1 error' for ('error_rate', 'test')."""
    text = METRICS.get(name, human(name))
    return f"{split} {text}" if split else text


def column(name: str, experiment: str | None = None) -> str:
    """Axis or legend title of a column; the parameter count is named per experiment."""
    if name == "n_params" and experiment in N_PARAMS:
        return N_PARAMS[experiment]
    return COLUMNS.get(name, METRICS.get(name, human(name)))


def value(name: object) -> object:
    """A nominal value as a legend shows it ('rbf_svm' -> 'RBF SVM'); others unchanged."""
    if not isinstance(name, str):
        return name
    return VALUES.get(name, human(name) if SNAKE.search(name) else name)


def setting(experiment: str, name: str) -> str:
    """The control label of an experiment's parameter ('n_train' -> 'Training points')."""
    return SETTINGS.get((experiment, name), SETTINGS.get(name, capitalized(human(name))))


def setting_help(experiment: str, name: str, fallback: str = "") -> str:
    """Plain-words help for a control; the spec's own help when none is written."""
    return HELP.get((experiment, name), HELP.get(name, fallback))


def title_lines(text: str, width: int = 48) -> str | list[str]:
    """A chart title as lines of at most `width` characters: Vega cuts a long one-line
    title with '...' wherever the chart is narrower than the text. Lines break at spaces
    only: a line ending "power-" is read as "power- law" once the layout rejoins them."""
    if not text or len(text) <= width:
        return text
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def ridge(value: float) -> str:
    return "0 (minimum norm)" if value == 0 else f"{value:g}"


def label_noise(value: float) -> str:
    return "clean labels" if value == 0 else f"{value:.0%} of labels flipped"


def weight_decay(value: float) -> str:
    return "none" if value == 0 else f"{value:g}"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
